//! Many threads hammering one shared breaker in half-open: admissions never
//! exceed `max_requests` at once, and every transition is reported once, in
//! order; and a panicking observer leaves it usable.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tripbreaker::{
    CircuitBreaker, ManualClock, Outcome, Settings, SharedBreaker, State, Transition, TripRule,
};

const THREADS: usize = 8;
const ROUNDS: usize = 20_000;
const MAX_REQUESTS: u32 = 3;

#[test]
fn half_open_admission_is_never_exceeded_under_contention() {
    let clock = Arc::new(ManualClock::new());
    let transitions: Arc<Mutex<Vec<Transition>>> = Arc::default();
    let log = Arc::clone(&transitions);
    let settings = Settings {
        max_requests: MAX_REQUESTS,
        timeout: Duration::from_millis(10),
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..Settings::new("stress")
    };
    let breaker = SharedBreaker::from_breaker(
        CircuitBreaker::new(settings, Arc::clone(&clock))
            .unwrap()
            .with_observer(move |_: &str, t: Transition| log.lock().unwrap().push(t)),
    );
    breaker.acquire().unwrap().record(Outcome::Failure);
    assert_eq!(breaker.state(), State::Open);

    // Calls in flight per half-open generation: an older generation's
    // permits no longer hold a slot of the current one.
    let in_flight: Arc<Mutex<HashMap<u64, usize>>> = Arc::default();
    let peak = Arc::new(AtomicUsize::new(0));
    let admitted = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..THREADS)
        .map(|thread| {
            let (breaker, clock) = (breaker.clone(), Arc::clone(&clock));
            let (in_flight, peak, admitted) = (
                Arc::clone(&in_flight),
                Arc::clone(&peak),
                Arc::clone(&admitted),
            );
            std::thread::spawn(move || {
                for round in 0..ROUNDS {
                    if round % 97 == thread {
                        clock.advance(Duration::from_millis(11)); // reopened? let it half-open again
                    }
                    let Ok(permit) = breaker.acquire() else {
                        continue;
                    };
                    admitted.fetch_add(1, Ordering::Relaxed);
                    let generation = permit.ticket().unwrap().generation();
                    let now = {
                        let mut in_flight = in_flight.lock().unwrap();
                        let count = in_flight.entry(generation).or_default();
                        *count += 1;
                        *count
                    };
                    peak.fetch_max(now, Ordering::SeqCst);
                    for _ in 0..8 {
                        std::thread::yield_now();
                    }
                    *in_flight.lock().unwrap().get_mut(&generation).unwrap() -= 1;
                    match round % 5 {
                        0 => drop(permit), // cancelled: frees the slot
                        1 if round % 1_000 == 1 => permit.record(Outcome::Failure),
                        _ => permit.record(Outcome::Excluded),
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }

    let peak = peak.load(Ordering::SeqCst);
    println!(
        "{THREADS} threads x {ROUNDS} rounds: {} admitted, peak {peak} in flight in one generation (limit {MAX_REQUESTS}), {} transitions",
        admitted.load(Ordering::Relaxed),
        transitions.lock().unwrap().len()
    );
    assert!(
        peak <= MAX_REQUESTS as usize,
        "peak {peak} > {MAX_REQUESTS}"
    );
    assert!(
        admitted.load(Ordering::Relaxed) > 0,
        "the test admitted nothing"
    );

    let transitions = transitions.lock().unwrap();
    assert!(
        transitions.len() >= 2,
        "expected open and half-open at least"
    );
    let mut state = State::Closed;
    for t in transitions.iter() {
        assert_eq!(
            t.from, state,
            "a transition was lost or doubled: {transitions:?}"
        );
        assert_ne!(t.from, t.to);
        state = t.to;
    }
    assert!(
        transitions.windows(2).all(|w| w[0].at <= w[1].at),
        "transitions out of order"
    );
    assert_eq!(
        breaker.state(),
        state,
        "the last reported transition is the state"
    );
}

/// An observer that panics does not wedge a shared breaker: the transition
/// it was told of has happened, the lock is free again, and the next calls
/// see the new state.
#[test]
fn a_panicking_observer_leaves_the_shared_breaker_usable() {
    let settings = Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..Settings::new("panicky")
    };
    let breaker = SharedBreaker::from_breaker(
        CircuitBreaker::new(settings, ManualClock::new())
            .unwrap()
            .with_observer(|_: &str, _: Transition| panic!("observer failed")),
    );
    let permit = breaker.acquire().unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        permit.record(Outcome::Failure)
    }));
    assert!(panicked.is_err(), "the observer's panic reaches the caller");
    assert_eq!(breaker.state(), State::Open);
    assert_eq!(breaker.acquire().unwrap_err(), tripbreaker::Rejected::Open);
}

/// A steadily closed breaker admits and records successes without its lock;
/// failures, exclusions, drops and reads take it. Racing each other, no call
/// is lost or counted twice, and the streaks come out right.
#[test]
fn closed_state_counts_stay_exact_while_the_lock_free_path_races_the_lock() {
    const CALLS: usize = 50_000;
    let settings = Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(u32::MAX),
        ..Settings::new("exact")
    };
    let breaker = SharedBreaker::new(settings, ManualClock::new()).unwrap();
    let reading = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let reader = {
        let (breaker, reading) = (breaker.clone(), Arc::clone(&reading));
        std::thread::spawn(move || {
            let mut reads = 0u64;
            while reading.load(Ordering::Relaxed) {
                let counts = breaker.counts();
                assert!(
                    counts.total_successes + counts.total_failures + counts.total_exclusions
                        <= counts.requests,
                    "an outcome without its call: {counts:?}"
                );
                reads += 1;
            }
            reads
        })
    };
    let workers: Vec<_> = (0..THREADS / 2)
        .map(|_| {
            let breaker = breaker.clone();
            std::thread::spawn(move || {
                let mut tally = [0u32; 3]; // successes, failures, exclusions
                for call in 0..CALLS {
                    let permit = breaker.acquire().expect("never trips");
                    match call % 13 {
                        7 => {
                            permit.record(Outcome::Failure);
                            tally[1] += 1;
                        }
                        11 => {
                            permit.record(Outcome::Excluded);
                            tally[2] += 1;
                        }
                        12 => {
                            drop(permit);
                            tally[2] += 1;
                        }
                        _ => {
                            permit.record(Outcome::Success);
                            tally[0] += 1;
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let mut expected = [0u32; 3];
    for worker in workers {
        for (sum, n) in expected.iter_mut().zip(worker.join().unwrap()) {
            *sum += n;
        }
    }
    reading.store(false, Ordering::Relaxed);
    let reads = reader.join().unwrap();

    let counts = breaker.counts();
    println!("{counts:?} after {reads} concurrent reads");
    assert_eq!(counts.requests as usize, THREADS / 2 * CALLS);
    assert_eq!(
        [
            counts.total_successes,
            counts.total_failures,
            counts.total_exclusions
        ],
        expected
    );
    breaker.acquire().unwrap().record(Outcome::Failure);
    let counts = breaker.counts();
    assert_eq!(
        (counts.consecutive_failures, counts.consecutive_successes),
        (1, 0)
    );
    for _ in 0..5 {
        breaker.acquire().unwrap().record(Outcome::Success);
    }
    let counts = breaker.counts();
    assert_eq!(
        (counts.consecutive_failures, counts.consecutive_successes),
        (0, 5)
    );
}
