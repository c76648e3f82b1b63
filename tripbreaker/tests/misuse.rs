//! The edges a library user can hit by mistake: another breaker's ticket, a
//! clock pushed past its end, a trial call that never finishes, a ticket's
//! admission time. Natively and in headless Chromium.

use core::time::Duration;
use tripbreaker::{CircuitBreaker, ManualClock, Outcome, Settings, State, Transition, TripRule};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn trips_after(n: u32) -> Settings {
    Settings {
        timeout: Duration::from_secs(5),
        ready_to_trip: TripRule::ConsecutiveFailures(n),
        ..Settings::new("misuse")
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_ticket_of_another_breaker_changes_nothing() {
    let clock = ManualClock::new();
    let mut a = CircuitBreaker::new(trips_after(1), &clock).unwrap();
    let mut b = CircuitBreaker::new(trips_after(1), &clock).unwrap();
    assert_eq!(
        a.generation(),
        b.generation(),
        "alike, in the same generation"
    );

    let foreign = a.try_acquire().unwrap();
    b.record(foreign, Outcome::Failure);
    assert_eq!(b.state(), State::Closed, "B must not trip on A's call");
    assert_eq!(b.counts(), Default::default());
    assert_eq!(a.counts().requests, 1, "A still waits for its call");

    // B's own tickets still count, and A's own ticket at A does.
    let own = b.try_acquire().unwrap();
    b.record(own, Outcome::Failure);
    assert_eq!(b.state(), State::Open);
    let own = a.try_acquire().unwrap();
    a.record(own, Outcome::Success);
    assert_eq!(a.counts().total_successes, 1);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_manual_clock_never_goes_back() {
    let clock = ManualClock::new();
    let mut breaker = CircuitBreaker::new(trips_after(1), &clock).unwrap();
    let ticket = breaker.try_acquire().unwrap();
    breaker.record(ticket, Outcome::Failure);
    assert_eq!(breaker.state(), State::Open);

    use tripbreaker::Clock;
    clock.advance(Duration::from_secs(3));
    let before = clock.now();
    clock.advance(Duration::MAX);
    assert!(clock.now() > before, "a huge step moves forward");
    let end = clock.now();
    clock.advance(Duration::from_secs(1));
    clock.set(tripbreaker::Instant::ZERO);
    assert_eq!(clock.now(), end, "at the end of time it stays there");
    assert_eq!(
        breaker.state(),
        State::HalfOpen,
        "time passed, it did not wrap"
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn admitted_at_is_the_admission_time_when_the_clock_was_read() {
    let clock = ManualClock::new();
    clock.advance(Duration::from_millis(7));
    let mut steady = CircuitBreaker::new(Settings::new("steady"), &clock).unwrap();
    let ticket = steady.try_acquire().unwrap();
    assert_eq!(ticket.admitted_at(), None, "no clock read, no made-up time");
    steady.record(ticket, Outcome::Success);

    let timed = Settings {
        interval: Duration::from_secs(10),
        ..Settings::new("timed")
    };
    let mut timed = CircuitBreaker::new(timed, &clock).unwrap();
    let ticket = timed.try_acquire().unwrap();
    assert_eq!(
        ticket.admitted_at(),
        Some(tripbreaker::Instant::from_millis(7))
    );
    timed.record(ticket, Outcome::Success);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_stalled_trial_call_opens_the_breaker_again_after_the_half_open_wait() {
    let clock = ManualClock::new();
    let settings = Settings {
        max_half_open_wait: Some(Duration::from_secs(2)),
        ..trips_after(1)
    };
    let mut seen = Vec::new();
    let mut breaker = CircuitBreaker::new(settings, &clock)
        .unwrap()
        .with_observer(|_: &str, t: Transition| seen.push((t.from, t.to)));
    let ticket = breaker.try_acquire().unwrap();
    breaker.record(ticket, Outcome::Failure);
    clock.advance(Duration::from_millis(5_001));

    let stalled = breaker.try_acquire().expect("the one trial call");
    assert_eq!(breaker.state(), State::HalfOpen);
    assert!(breaker.try_acquire().is_err(), "its slot is taken");
    assert_eq!(
        breaker.time_to_next_transition(),
        Some(Duration::from_millis(2_000) + Duration::from_nanos(1))
    );
    clock.advance(Duration::from_secs(2));
    assert_eq!(breaker.state(), State::HalfOpen, "strictly after the wait");
    clock.advance(Duration::from_millis(1));
    assert_eq!(breaker.state(), State::Open, "the stalled trial gave up");

    clock.advance(Duration::from_millis(5_001));
    let trial = breaker
        .try_acquire()
        .expect("a new trial after the timeout");
    breaker.record(stalled, Outcome::Success); // late: a past generation
    assert_eq!(breaker.state(), State::HalfOpen);
    breaker.record(trial, Outcome::Success);
    assert_eq!(breaker.state(), State::Closed);
    use State::*;
    assert_eq!(
        seen,
        [
            (Closed, Open),
            (Open, HalfOpen),
            (HalfOpen, Open),
            (Open, HalfOpen),
            (HalfOpen, Closed)
        ]
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn without_a_half_open_wait_a_stalled_trial_holds_its_slot_as_gobreaker_does() {
    let clock = ManualClock::new();
    let mut breaker = CircuitBreaker::new(trips_after(1), &clock).unwrap();
    let ticket = breaker.try_acquire().unwrap();
    breaker.record(ticket, Outcome::Failure);
    clock.advance(Duration::from_millis(5_001));
    let _stalled = breaker.try_acquire().unwrap();
    clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(breaker.state(), State::HalfOpen);
    assert!(breaker.try_acquire().is_err());
    assert_eq!(breaker.next_transition_at(), None);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_fixed_window_breaker_carries_no_bucket_array() {
    use core::mem::size_of;
    type Fixed<'c> = CircuitBreaker<&'c ManualClock>;
    type Rolling<'c> = CircuitBreaker<&'c ManualClock, (), 10>;
    let bucket = size_of::<tripbreaker::Counts>();
    println!(
        "size_of: fixed {} bytes, room for 10 buckets {} bytes, a bucket {bucket} bytes",
        size_of::<Fixed>(),
        size_of::<Rolling>()
    );
    assert_eq!(size_of::<Rolling>() - size_of::<Fixed>(), 10 * bucket);
    assert!(
        size_of::<Fixed>() < 256,
        "a fixed-window breaker is settings plus a few words: {} bytes",
        size_of::<Fixed>()
    );
}
