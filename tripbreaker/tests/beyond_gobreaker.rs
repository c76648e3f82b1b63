//! What the breaker does beyond gobreaker: slow calls, backoff, manual
//! overrides, scheduling hints, cancellation, errors.

use core::cell::RefCell;
use core::time::Duration;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use tripbreaker::{
    Backoff, CallError, CircuitBreaker, ErrorIsFailure, Instant, ManualClock, Outcome, Permit,
    Rejected, Settings, SettingsError, State, Transition, TripRule, call,
};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn trips_after(n: u32) -> Settings {
    Settings {
        timeout: ms(100),
        ready_to_trip: TripRule::ConsecutiveFailures(n),
        ..Settings::new("beyond")
    }
}

fn trip(breaker: &mut CircuitBreaker<&ManualClock, impl tripbreaker::Observer>) {
    while breaker.state() == State::Closed {
        let ticket = breaker.try_acquire().unwrap();
        breaker.record(ticket, Outcome::Failure);
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn rejections_display_as_gobreaker_errors() {
    assert_eq!(Rejected::Open.to_string(), "circuit breaker is open");
    assert_eq!(Rejected::TooManyRequests.to_string(), "too many requests");
    let error: CallError<&str> = Rejected::Open.into();
    assert_eq!(error.to_string(), "circuit breaker is open");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_slow_success_counts_as_a_failure() {
    let clock = ManualClock::new();
    let settings = Settings {
        slow_call: Some(ms(50)),
        ..trips_after(1)
    };
    let mut breaker = CircuitBreaker::new(settings, &clock).unwrap();

    let quick = breaker.try_acquire().unwrap();
    clock.advance(ms(50));
    breaker.record(quick, Outcome::Success);
    assert_eq!(
        breaker.counts().total_successes,
        1,
        "exactly at the threshold is not slow"
    );

    let slow = breaker.try_acquire().unwrap();
    clock.advance(ms(51));
    breaker.record(slow, Outcome::Success);
    assert_eq!(
        breaker.state(),
        State::Open,
        "a slow success is a failure and trips it"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_open_timeout_backs_off_and_resets_on_close() {
    let clock = ManualClock::new();
    let settings = Settings {
        backoff: Some(Backoff {
            multiplier: 2,
            max_timeout: ms(300),
        }),
        ..trips_after(1)
    };
    let mut breaker = CircuitBreaker::new(settings, &clock).unwrap();
    trip(&mut breaker);
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(breaker.open_timeout());
        let opened = breaker.next_transition_at().unwrap();
        clock.set(opened.saturating_add(ms(1)));
        let probe = breaker.try_acquire().unwrap();
        breaker.record(probe, Outcome::Failure); // the trial fails: open again, longer
    }
    assert_eq!(seen, [ms(100), ms(200), ms(300), ms(300)]);
    clock.advance(ms(301));
    let probe = breaker.try_acquire().unwrap();
    breaker.record(probe, Outcome::Success);
    assert_eq!(breaker.state(), State::Closed);
    trip(&mut breaker);
    assert_eq!(
        breaker.open_timeout(),
        ms(100),
        "closing resets the backoff"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn manual_overrides_are_reported_as_transitions() {
    let clock = ManualClock::new();
    let mut breaker = CircuitBreaker::new(trips_after(1), &clock)
        .unwrap()
        .with_observer(Pairs::default());

    breaker.force_open();
    assert_eq!(breaker.try_acquire().unwrap_err(), Rejected::Open);
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        breaker.state(),
        State::ForcedOpen,
        "forced open never times out"
    );

    breaker.force_closed();
    for _ in 0..10 {
        let ticket = breaker.try_acquire().unwrap();
        breaker.record(ticket, Outcome::Failure);
    }
    assert_eq!(
        breaker.state(),
        State::ForcedClosed,
        "forced closed never trips"
    );
    assert_eq!(breaker.counts().total_failures, 10, "but it counts");

    breaker.disable();
    let ticket = breaker.try_acquire().unwrap();
    breaker.record(ticket, Outcome::Failure);
    assert_eq!(
        breaker.counts(),
        Default::default(),
        "disabled counts nothing"
    );

    breaker.release();
    assert_eq!(breaker.state(), State::Closed);
    breaker.release(); // no override: nothing happens
    assert_eq!(
        breaker.observer().0,
        [
            (State::Closed, State::ForcedOpen),
            (State::ForcedOpen, State::ForcedClosed),
            (State::ForcedClosed, State::Disabled),
            (State::Disabled, State::Closed),
        ]
    );
}

/// Collects (from, to) pairs.
#[derive(Default)]
struct Pairs(Vec<(State, State)>);

impl tripbreaker::Observer for Pairs {
    fn on_transition(&mut self, _: &str, t: Transition) {
        self.0.push((t.from, t.to));
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn next_transition_at_says_when_open_turns_half_open() {
    let clock = ManualClock::new();
    clock.advance(ms(1_000));
    let mut breaker = CircuitBreaker::new(trips_after(1), &clock).unwrap();
    assert_eq!(
        breaker.next_transition_at(),
        None,
        "closed: nothing scheduled"
    );
    trip(&mut breaker);
    let at = breaker.next_transition_at().unwrap();
    assert_eq!(at, Instant::from_millis(1_100));
    clock.set(at);
    assert_eq!(breaker.state(), State::Open);
    clock.advance(Duration::from_nanos(1));
    assert_eq!(breaker.state(), State::HalfOpen);
    assert_eq!(breaker.next_transition_at(), None);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_cancelled_call_frees_its_half_open_slot() {
    let clock = ManualClock::new();
    let breaker = RefCell::new(CircuitBreaker::new(trips_after(1), &clock).unwrap());
    trip(&mut breaker.borrow_mut());
    clock.advance(ms(101));

    // A call that never finishes, polled once (admitted), then dropped.
    let mut pending = Box::pin(call(
        &breaker,
        std::future::pending::<Result<(), ()>>,
        ErrorIsFailure,
    ));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(pending.as_mut().poll(&mut cx).is_pending());
    assert_eq!(
        Permit::acquire(&breaker).unwrap_err(),
        Rejected::TooManyRequests,
        "the pending call holds the only slot"
    );
    drop(pending);

    let counts = breaker.borrow().counts();
    assert_eq!(
        (
            counts.requests,
            counts.total_exclusions,
            counts.total_failures
        ),
        (1, 1, 0),
        "excluded, not failed"
    );
    let done = pin!(call(
        &breaker,
        || async { Ok::<_, ()>("Hello") },
        ErrorIsFailure
    ));
    assert_eq!(done.poll(&mut cx), Poll::Ready(Ok("Hello")));
    assert_eq!(
        breaker.borrow_mut().state(),
        State::Closed,
        "the freed slot let a trial through"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_rejected_call_is_never_made() {
    let clock = ManualClock::new();
    let breaker = RefCell::new(CircuitBreaker::new(trips_after(1), &clock).unwrap());
    trip(&mut breaker.borrow_mut());
    let mut made = false;
    let result = pin!(call(
        &breaker,
        || {
            made = true;
            async { Ok::<(), ()>(()) }
        },
        ErrorIsFailure
    ))
    .poll(&mut Context::from_waker(Waker::noop()));
    assert_eq!(
        result,
        Poll::Ready(Err(CallError::Rejected(Rejected::Open)))
    );
    assert!(!made);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn settings_that_cannot_work_are_refused_with_a_reason() {
    let clock = ManualClock::new();
    let too_fine = Settings {
        interval: Duration::from_secs(10),
        bucket_period: ms(10),
        ..Settings::new("x")
    };
    let error = CircuitBreaker::new(too_fine, &clock).unwrap_err();
    assert_eq!(
        error,
        SettingsError::TooManyBuckets {
            buckets: 1000,
            capacity: 0
        }
    );
    assert!(error.to_string().contains("1000 buckets"), "{error}");
    let error = CircuitBreaker::<_, _, 999>::new_rolling(too_fine, &clock).unwrap_err();
    assert!(error.to_string().contains("room for 999"), "{error}");
    assert!(CircuitBreaker::<_, _, 1000>::new_rolling(too_fine, &clock).is_ok());

    let ratio = Settings {
        ready_to_trip: TripRule::FailureRate {
            min_requests: 1,
            ratio: 1.5,
        },
        ..Settings::new("x")
    };
    assert_eq!(
        CircuitBreaker::new(ratio, &clock).unwrap_err(),
        SettingsError::FailureRatio(1.5)
    );
    let nan = Settings {
        ready_to_trip: TripRule::FailureRate {
            min_requests: 1,
            ratio: f64::NAN,
        },
        ..Settings::new("x")
    };
    assert!(CircuitBreaker::new(nan, &clock).is_err());
    let backoff = Settings {
        backoff: Some(Backoff {
            multiplier: 0,
            max_timeout: ms(1),
        }),
        ..Settings::new("x")
    };
    assert_eq!(
        CircuitBreaker::new(backoff, &clock).unwrap_err(),
        SettingsError::BackoffMultiplier
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn gobreaker_defaults() {
    let settings = Settings::new("defaults");
    assert_eq!(settings.half_open_limit(), 1, "max_requests 0 means 1");
    assert_eq!(
        settings.open_timeout(),
        Duration::from_secs(60),
        "timeout 0 means 60 s"
    );
    let clock = ManualClock::new();
    let mut breaker = CircuitBreaker::new(settings, &clock).unwrap();
    for failures in 1..=6 {
        let ticket = breaker.try_acquire().unwrap();
        breaker.record(ticket, Outcome::Failure);
        let expected = if failures > 5 {
            State::Open
        } else {
            State::Closed
        };
        assert_eq!(breaker.state(), expected, "after {failures} failures");
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_resumed_open_breaker_rejects_until_its_remaining_time_then_probes() {
    let clock = ManualClock::new();
    let settings = Settings {
        max_requests: 2,
        ..trips_after(1)
    };
    let mut seen = Vec::new();
    let mut breaker = CircuitBreaker::new(settings, &clock)
        .unwrap()
        .resumed_open(ms(30))
        .with_observer(|_: &str, t: Transition| seen.push((t.from, t.to)));
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(
        breaker.time_to_next_transition(),
        Some(ms(30) + Duration::from_nanos(1))
    );
    clock.advance(ms(30));
    assert_eq!(breaker.try_acquire().unwrap_err(), Rejected::Open);

    // Then half-open, with its usual limit of trial calls.
    clock.advance(ms(1));
    let probes = [
        breaker.try_acquire().unwrap(),
        breaker.try_acquire().unwrap(),
    ];
    assert_eq!(
        breaker.try_acquire().unwrap_err(),
        Rejected::TooManyRequests
    );
    let [first, second] = probes;
    breaker.record(first, Outcome::Success);
    breaker.record(second, Outcome::Failure);

    // Open again, for the settings' timeout this time (100 ms), not the 30 ms resumed.
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(breaker.open_timeout(), ms(100));
    clock.advance(ms(50));
    assert_eq!(breaker.try_acquire().unwrap_err(), Rejected::Open);
    assert_eq!(
        seen,
        [
            (State::Open, State::HalfOpen),
            (State::HalfOpen, State::Open)
        ],
        "resuming reports nothing; what follows is reported as usual"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_resumed_open_breaker_forgets_its_earlier_tickets() {
    let clock = ManualClock::new();
    let mut breaker = CircuitBreaker::new(trips_after(1), &clock).unwrap();
    let ticket = breaker.try_acquire().unwrap();
    let mut breaker = breaker.resumed_open(Duration::ZERO);
    clock.advance(ms(1));
    assert_eq!(breaker.state(), State::HalfOpen);
    breaker.record(ticket, Outcome::Failure);
    assert_eq!(
        breaker.state(),
        State::HalfOpen,
        "a ticket of an earlier generation changes nothing"
    );
}
