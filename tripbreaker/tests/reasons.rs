//! Every transition says why it happened and what was counted when it
//! fired, for the rules the recorded gobreaker vectors do not cover: slow
//! calls, a custom rule, the half-open wait, manual overrides.

use core::time::Duration;
use std::cell::RefCell;
use std::rc::Rc;
use tripbreaker::{
    CircuitBreaker, Counts, Instant, ManualClock, Outcome, Reason, Settings, State, Transition,
    TripRule,
};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

type Log = Rc<RefCell<Vec<Transition>>>;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn logged(
    settings: Settings,
    clock: &ManualClock,
) -> (
    CircuitBreaker<&ManualClock, impl tripbreaker::Observer>,
    Log,
) {
    let log = Log::default();
    let sink = Rc::clone(&log);
    let breaker = CircuitBreaker::new(settings, clock)
        .unwrap()
        .with_observer(move |_: &str, t: Transition| sink.borrow_mut().push(t));
    (breaker, log)
}

fn reasons(log: &Log) -> Vec<(State, State, Reason)> {
    log.borrow()
        .iter()
        .map(|t| (t.from, t.to, t.reason))
        .collect()
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_trip_carries_the_counts_its_rule_judged() {
    let clock = ManualClock::new();
    let settings = Settings {
        ready_to_trip: TripRule::FailureRate {
            min_requests: 4,
            ratio: 0.5,
        },
        ..Settings::new("rate")
    };
    let (mut breaker, log) = logged(settings, &clock);
    for outcome in [Outcome::Success, Outcome::Failure, Outcome::Success] {
        let ticket = breaker.try_acquire().unwrap();
        breaker.record(ticket, outcome);
    }
    clock.advance(ms(7));
    let ticket = breaker.try_acquire().unwrap();
    breaker.record(ticket, Outcome::Failure);
    assert_eq!(
        *log.borrow(),
        [Transition {
            from: State::Closed,
            to: State::Open,
            at: Instant::from_millis(7),
            reason: Reason::FailureRate,
            counts: Counts {
                requests: 4,
                total_successes: 2,
                total_failures: 2,
                total_exclusions: 0,
                consecutive_successes: 0,
                consecutive_failures: 1,
            },
        }]
    );
    assert_eq!(breaker.counts(), Counts::default(), "a new generation");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_slow_success_that_trips_says_so_closed_and_half_open() {
    let clock = ManualClock::new();
    let settings = Settings {
        slow_call: Some(ms(50)),
        timeout: ms(100),
        ready_to_trip: TripRule::ConsecutiveFailures(2),
        ..Settings::new("slow")
    };
    let (mut breaker, log) = logged(settings, &clock);
    let ticket = breaker.try_acquire().unwrap();
    breaker.record(ticket, Outcome::Failure);
    let slow = breaker.try_acquire().unwrap();
    clock.advance(ms(51));
    breaker.record(slow, Outcome::Success);
    clock.advance(ms(101));
    let slow_trial = breaker.try_acquire().unwrap();
    clock.advance(ms(51));
    breaker.record(slow_trial, Outcome::Success);
    clock.advance(ms(101));
    let failed_trial = breaker.try_acquire().unwrap();
    breaker.record(failed_trial, Outcome::Failure);
    use State::*;
    assert_eq!(
        reasons(&log),
        [
            (Closed, Open, Reason::SlowCall),
            (Open, HalfOpen, Reason::TimeoutElapsed),
            (HalfOpen, Open, Reason::SlowCall),
            (Open, HalfOpen, Reason::TimeoutElapsed),
            (HalfOpen, Open, Reason::TrialFailed),
        ]
    );
    let trip = log.borrow()[0];
    assert_eq!(
        (trip.counts.consecutive_failures, trip.counts.requests),
        (2, 2),
        "the slow call counted as the second failure"
    );
    assert_eq!(trip.at, Instant::from_millis(51));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_custom_rule_and_the_half_open_wait_have_their_own_reasons() {
    fn two_exclusions(counts: &Counts) -> bool {
        counts.total_failures >= 1 && counts.total_exclusions >= 2
    }
    let clock = ManualClock::new();
    let settings = Settings {
        timeout: ms(100),
        max_half_open_wait: Some(ms(30)),
        ready_to_trip: TripRule::Custom(two_exclusions),
        ..Settings::new("custom")
    };
    let (mut breaker, log) = logged(settings, &clock);
    for outcome in [Outcome::Excluded, Outcome::Excluded, Outcome::Failure] {
        let ticket = breaker.try_acquire().unwrap();
        breaker.record(ticket, outcome);
    }
    clock.advance(ms(101));
    let stalled = breaker.try_acquire().unwrap();
    clock.advance(ms(31));
    assert_eq!(breaker.state(), State::Open);
    breaker.record(stalled, Outcome::Success); // too late: another generation
    use State::*;
    assert_eq!(
        reasons(&log),
        [
            (Closed, Open, Reason::CustomRule),
            (Open, HalfOpen, Reason::TimeoutElapsed),
            (HalfOpen, Open, Reason::HalfOpenWaitExpired),
        ]
    );
    assert_eq!(log.borrow()[2].counts.requests, 1, "the stalled trial");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn manual_overrides_are_forced_and_released() {
    let clock = ManualClock::new();
    let (mut breaker, log) = logged(Settings::new("manual"), &clock);
    let ticket = breaker.try_acquire().unwrap();
    breaker.record(ticket, Outcome::Success);
    breaker.force_open();
    breaker.force_closed();
    breaker.disable();
    breaker.release();
    use State::*;
    assert_eq!(
        reasons(&log),
        [
            (Closed, ForcedOpen, Reason::Forced),
            (ForcedOpen, ForcedClosed, Reason::Forced),
            (ForcedClosed, Disabled, Reason::Forced),
            (Disabled, Closed, Reason::Released),
        ]
    );
    assert_eq!(log.borrow()[0].counts.total_successes, 1);
    let labels: Vec<&str> = reasons(&log).iter().map(|(_, _, r)| r.as_str()).collect();
    assert_eq!(labels, ["forced", "forced", "forced", "released"]);
}
