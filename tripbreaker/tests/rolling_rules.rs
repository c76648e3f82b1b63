//! gobreaker v2's two rolling-window rules that a simpler window gets wrong,
//! on the examples that show them (each also appears in the recorded vectors).

use core::time::Duration;
use tripbreaker::{CircuitBreaker, ManualClock, Outcome, Settings, State, TripRule};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn rolling(ready_to_trip: TripRule) -> Settings {
    Settings {
        interval: Duration::from_secs(2),
        bucket_period: Duration::from_secs(1),
        ready_to_trip,
        ..Settings::new("rolling")
    }
}

/// When a bucket leaves the window, the streak loses that bucket's own
/// streak only if it equals it plus the other buckets' totals; it is never
/// cut down to what is left in the window.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_streak_is_not_limited_to_what_is_left_in_the_window() {
    let clock = ManualClock::new();
    let settings = rolling(TripRule::ConsecutiveFailures(3));
    let mut breaker = CircuitBreaker::<_, _, 2>::new_rolling(settings, &clock).unwrap();
    let a = breaker.try_acquire().unwrap();
    let b = breaker.try_acquire().unwrap();
    breaker.record(a, Outcome::Failure);
    clock.advance(Duration::from_secs(1));
    let c = breaker.try_acquire().unwrap();
    let d = breaker.try_acquire().unwrap();
    breaker.record(c, Outcome::Success);
    breaker.record(b, Outcome::Failure); // late, in bucket 0
    breaker.record(d, Outcome::Failure);
    assert_eq!(breaker.counts().consecutive_failures, 2);
    clock.advance(Duration::from_secs(1));
    let e = breaker.try_acquire().unwrap();
    assert_eq!(
        breaker.counts().consecutive_failures,
        2,
        "bucket 0 left, the streak stays"
    );
    breaker.record(e, Outcome::Failure);
    assert_eq!(breaker.state(), State::Open);
}

/// `ready_to_trip` is asked after every failure recorded while closed, even
/// one whose bucket has left the window and so is not counted.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_late_failure_outside_the_window_still_asks_ready_to_trip() {
    let clock = ManualClock::new();
    let settings = rolling(TripRule::FailureRate {
        min_requests: 4,
        ratio: 0.5,
    });
    let mut breaker = CircuitBreaker::<_, _, 2>::new_rolling(settings, &clock).unwrap();
    let first = breaker.try_acquire().unwrap();
    clock.advance(Duration::from_secs(1));
    let calls: Vec<_> = (0..4).map(|_| breaker.try_acquire().unwrap()).collect();
    for (i, call) in calls.into_iter().enumerate() {
        let outcome = if i < 2 {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        breaker.record(call, outcome);
    }
    assert_eq!(breaker.state(), State::Closed, "2 of 5 failed");
    clock.advance(Duration::from_secs(1));
    assert_eq!(breaker.state(), State::Closed);
    let counts = breaker.counts();
    assert_eq!(
        (counts.requests, counts.total_failures),
        (4, 2),
        "bucket 0 left"
    );
    breaker.record(first, Outcome::Failure); // from bucket 0: not counted
    assert_eq!(
        breaker.state(),
        State::Open,
        "but the rule was asked: 2 of 4"
    );
}
