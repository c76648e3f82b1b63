//! Property tests of the breaker's invariants over random settings and
//! random sequences of calls, outcomes, cancellations and clock moves.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use std::cell::RefCell;
use std::time::Duration;
use tripbreaker::{
    CircuitBreaker, ManualClock, Outcome, Permit, Rejected, Settings, State, TripRule,
};

#[derive(Debug, Clone)]
enum Op {
    Advance(u64),
    Acquire,
    Record(usize, Outcome),
    Drop(usize),
    ReadState,
}

/// A breaker with room for any window these settings ask for.
type Rolling<'c> = CircuitBreaker<&'c ManualClock, (), 64>;

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        Just(Outcome::Success),
        Just(Outcome::Failure),
        Just(Outcome::Excluded)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0u64..400).prop_map(Op::Advance),
        4 => Just(Op::Acquire),
        4 => (any::<usize>(), outcome()).prop_map(|(i, o)| Op::Record(i, o)),
        1 => any::<usize>().prop_map(Op::Drop),
        1 => Just(Op::ReadState),
    ]
}

fn settings() -> impl Strategy<Value = Settings> {
    let rule = prop_oneof![
        (1u32..6).prop_map(TripRule::ConsecutiveFailures),
        (1u32..6, 0.1f64..=1.0).prop_map(|(min_requests, ratio)| TripRule::FailureRate {
            min_requests,
            ratio
        }),
    ];
    (
        0u32..5,
        prop_oneof![Just(0u64), 100u64..1000],
        prop_oneof![Just(0u64), 30u64..200],
        1u64..500,
        rule,
    )
        .prop_map(
            |(max_requests, interval, bucket, timeout, ready_to_trip)| Settings {
                max_requests,
                interval: Duration::from_millis(interval),
                bucket_period: Duration::from_millis(bucket.min(interval)),
                timeout: Duration::from_millis(timeout),
                ready_to_trip,
                ..Settings::new("property")
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// An open breaker never admits; half-open never has more than
    /// `max_requests` calls outstanding; counts stay consistent (never
    /// "negative": no outcome without its request, no streak longer than its
    /// total); and once every half-open permit is back (recorded or dropped),
    /// a new trial call is admitted: no slot leaks.
    #[test]
    fn invariants_hold(settings in settings(), ops in prop::collection::vec(op(), 1..200)) {
        let clock = ManualClock::new();
        let limit = settings.half_open_limit() as usize;
        let fixed = settings.buckets() == 1;
        let breaker = RefCell::new(Rolling::new_rolling(settings, &clock).unwrap());
        let mut permits: Vec<(u64, Permit<&RefCell<Rolling>>)> = Vec::new();

        for op in ops {
            match op {
                Op::Advance(ms) => clock.advance(Duration::from_millis(ms)),
                Op::Acquire => {
                    let before = breaker.borrow_mut().state();
                    match Permit::acquire(&breaker) {
                        Ok(permit) => {
                            prop_assert!(!before.rejects_all(), "admitted while {before}");
                            let generation = breaker.borrow().generation();
                            permits.push((generation, permit));
                        }
                        Err(Rejected::Open) => prop_assert!(before.rejects_all()),
                        Err(Rejected::TooManyRequests) => prop_assert_eq!(before, State::HalfOpen),
                    }
                }
                Op::Record(i, outcome) if !permits.is_empty() => {
                    let (_, permit) = permits.swap_remove(i % permits.len());
                    permit.record(outcome);
                }
                Op::Drop(i) if !permits.is_empty() => {
                    drop(permits.swap_remove(i % permits.len()));
                }
                Op::Record(..) | Op::Drop(_) | Op::ReadState => {}
            }

            let mut b = breaker.borrow_mut();
            let state = b.state();
            let counts = b.counts();
            let generation = b.generation();
            drop(b);
            prop_assert!(
                counts.total_successes + counts.total_failures + counts.total_exclusions <= counts.requests,
                "more outcomes than requests: {counts:?}"
            );
            // Under a rolling window a streak may outlast the buckets it
            // began in (gobreaker's rule); a fixed window's never does.
            if fixed {
                prop_assert!(counts.consecutive_successes <= counts.total_successes, "{counts:?}");
                prop_assert!(counts.consecutive_failures <= counts.total_failures, "{counts:?}");
            }
            if state == State::HalfOpen {
                let outstanding = permits.iter().filter(|(g, _)| *g == generation).count();
                prop_assert!(outstanding <= limit, "{outstanding} outstanding in half-open, limit {limit}");
                if outstanding == 0 {
                    let probe = Permit::acquire(&breaker);
                    prop_assert!(probe.is_ok(), "half-open with nothing outstanding refused a trial: {counts:?}");
                    drop(probe); // a cancelled probe: excluded, slot freed
                }
            }
            if state.rejects_all() {
                prop_assert_eq!(Permit::acquire(&breaker).err(), Some(Rejected::Open));
            }
        }
    }

    /// A ticket is honoured only in its own generation: recording one from an
    /// earlier generation changes nothing.
    #[test]
    fn stale_tickets_are_ignored(settings in settings(), outcome in outcome()) {
        let clock = ManualClock::new();
        let mut breaker = Rolling::new_rolling(settings, &clock).unwrap();
        let stale = breaker.try_acquire().unwrap();
        breaker.force_open();
        breaker.release();
        let before = (breaker.state(), breaker.counts(), breaker.generation());
        breaker.record(stale, outcome);
        prop_assert_eq!(before, (breaker.state(), breaker.counts(), breaker.generation()));
    }

    /// A ticket is honoured only by the breaker that issued it: another
    /// breaker, even one made alike and in the same generation, ignores it.
    #[test]
    fn foreign_tickets_change_nothing(settings in settings(), outcomes in prop::collection::vec(outcome(), 1..20)) {
        let clock = ManualClock::new();
        let mut issuer = Rolling::new_rolling(settings, &clock).unwrap();
        let mut other = Rolling::new_rolling(settings, &clock).unwrap();
        for outcome in outcomes {
            let before = (other.state(), other.counts(), other.generation());
            if let Ok(foreign) = issuer.try_acquire() {
                other.record(foreign, outcome);
            }
            prop_assert_eq!(before, (other.state(), other.counts(), other.generation()));
        }
    }
}
