//! The thread-safe breaker handle (`SharedBreaker`) under heavy contention:
//! many threads acquire permits, hold them, and end them with random
//! outcomes (success, failure, excluded, or dropped without one), while the
//! hand-moved clock is pushed forward at random and, in the second test,
//! manual overrides come and go over a rolling window with backoff.
//!
//! It proves, from the permits' tickets and the observer's log alone:
//! - half-open admission is never exceeded: in every half-open generation at
//!   most `max_requests` calls are in flight at once, and at most
//!   `max_requests` of its calls end with a success or a failure;
//! - no call is admitted in an open (or forced-open) generation;
//! - no transition is lost or doubled: the log is one chain from `closed`,
//!   every edge is one the state machine has, timestamps never go back, and
//!   the breaker's state at the end is the last one logged;
//! - every transition had its cause: closed→open after at least the trip
//!   threshold of failures, half-open→closed after exactly `max_requests`
//!   successes and no failure, half-open→open after a failure, open→half-open
//!   only strictly after the open timeout in force (with backoff).
//!
//! `tripbreaker/tests/shared_stress.rs` is the short version (8 threads, only
//! excluded outcomes). Bounds: `HARDENING_STRESS_THREADS` (16),
//! `HARDENING_STRESS_ROUNDS` (per thread, 20 000), `HARDENING_SEED`.

#[path = "hardening_support.rs"]
mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{SplitMix64, env_or};
use tripbreaker::{
    Backoff, CircuitBreaker, ManualClock, Outcome, Rejected, Settings, SharedBreaker, State,
    Transition, TripRule,
};

/// How calls end, in percent: successes below `SUCCESS`, then failures,
/// then excluded outcomes, the rest dropped without an outcome.
const SUCCESS: u64 = 60;
const FAILURE: u64 = 75;
const EXCLUDED: u64 = 88;

/// What happened to the calls of one generation, by ticket.
#[derive(Debug, Default, Clone, Copy)]
struct Generation {
    in_flight: u32,
    peak: u32,
    admitted: u64,
    successes: u64,
    failures: u64,
    excluded: u64,
    dropped: u64,
}

/// Which manual overrides the threads may apply.
#[derive(Clone, Copy, PartialEq)]
enum Overrides {
    /// Never: only the automatic transitions.
    Off,
    /// Now and then `force_open`, `force_closed` and `release`.
    On,
}

/// One stress run: the breaker's settings and the load on it.
struct Run {
    settings: Settings,
    overrides: Overrides,
    threads: usize,
    rounds: usize,
    seed: u64,
}

/// What one stress run left behind.
struct Observed {
    transitions: Vec<Transition>,
    generations: HashMap<u64, Generation>,
    final_state: State,
    rejected_open: u64,
    rejected_too_many: u64,
}

fn run(run: &Run) -> Observed {
    let clock = Arc::new(ManualClock::new());
    let log: Arc<Mutex<Vec<Transition>>> = Arc::default();
    let observer_log = Arc::clone(&log);
    // Room for the rolling run's 10 buckets.
    let breaker = SharedBreaker::from_breaker(
        CircuitBreaker::<_, _, 10>::new_rolling(run.settings, Arc::clone(&clock))
            .unwrap()
            .with_observer(move |_: &str, t: Transition| observer_log.lock().unwrap().push(t)),
    );
    let generations: Arc<Mutex<HashMap<u64, Generation>>> = Arc::default();
    let rejected: Arc<Mutex<(u64, u64)>> = Arc::default();
    let timeout_ms = run.settings.timeout.as_millis() as u64;

    let threads: Vec<_> = (0..run.threads)
        .map(|thread| {
            let (breaker, clock, generations, rejected) = (
                breaker.clone(),
                Arc::clone(&clock),
                Arc::clone(&generations),
                Arc::clone(&rejected),
            );
            let (rounds, overrides) = (run.rounds, run.overrides);
            let mut rng = SplitMix64::new(run.seed ^ (thread as u64).wrapping_mul(0x9E37));
            std::thread::spawn(move || {
                let mut local_rejected = (0, 0);
                for _ in 0..rounds {
                    // Forced clock moves: short ones, and past the open timeout.
                    if rng.percent(3) {
                        clock.advance(Duration::from_millis(rng.below(timeout_ms * 2 + 2)));
                    }
                    if overrides == Overrides::On {
                        match rng.below(40_000) {
                            0 => breaker.force_open(),
                            1 => breaker.force_closed(),
                            2..20 => breaker.release(), // a no-op unless overridden
                            _ => {}
                        }
                    }
                    let permit = match breaker.acquire() {
                        Ok(permit) => permit,
                        // Refused callers back off a little, as real ones do,
                        // so that admitted calls make up a fair share of rounds.
                        Err(Rejected::Open) => {
                            local_rejected.0 += 1;
                            std::thread::yield_now();
                            continue;
                        }
                        Err(Rejected::TooManyRequests) => {
                            local_rejected.1 += 1;
                            std::thread::yield_now();
                            continue;
                        }
                    };
                    let generation = permit.ticket().unwrap().generation();
                    {
                        let mut map = generations.lock().unwrap();
                        let g = map.entry(generation).or_default();
                        g.admitted += 1;
                        g.in_flight += 1;
                        g.peak = g.peak.max(g.in_flight);
                    }
                    for _ in 0..rng.below(4) {
                        std::thread::yield_now();
                    }
                    let choice = rng.below(100);
                    {
                        let mut map = generations.lock().unwrap();
                        let g = map.get_mut(&generation).unwrap();
                        g.in_flight -= 1;
                        match choice {
                            0..SUCCESS => g.successes += 1,
                            SUCCESS..FAILURE => g.failures += 1,
                            FAILURE..EXCLUDED => g.excluded += 1,
                            _ => g.dropped += 1,
                        }
                    }
                    // Ended after it left the books: the slot is still held
                    // until here, so what was counted is a lower bound.
                    match choice {
                        0..SUCCESS => permit.record(Outcome::Success),
                        SUCCESS..FAILURE => permit.record(Outcome::Failure),
                        FAILURE..EXCLUDED => permit.record(Outcome::Excluded),
                        _ => drop(permit),
                    }
                }
                let mut total = rejected.lock().unwrap();
                total.0 += local_rejected.0;
                total.1 += local_rejected.1;
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a stress thread panicked");
    }
    let final_state = breaker.state();
    let transitions = log.lock().unwrap().clone();
    let generations = generations.lock().unwrap().clone();
    let (rejected_open, rejected_too_many) = *rejected.lock().unwrap();
    Observed {
        transitions,
        generations,
        final_state,
        rejected_open,
        rejected_too_many,
    }
}

/// The state of each generation: generation 1 is the first closed one, and
/// every transition (and nothing else, with no fixed interval) starts the next.
fn state_of(transitions: &[Transition], generation: u64) -> State {
    match generation {
        0 => panic!("generation 0 is never handed out"),
        1 => State::Closed,
        g => transitions[(g - 2) as usize].to,
    }
}

fn is_edge(from: State, to: State, overrides: Overrides) -> bool {
    use State::*;
    let automatic = matches!(
        (from, to),
        (Closed, Open) | (Open, HalfOpen) | (HalfOpen, Closed) | (HalfOpen, Open)
    );
    let manual = overrides == Overrides::On
        && from != to
        && (matches!(to, ForcedOpen | ForcedClosed) || (from.is_manual() && to == Closed));
    automatic || manual
}

fn check(run: &Run, out: &Observed) -> String {
    let settings = run.settings;
    let limit = settings.half_open_limit();
    let base_timeout = settings.open_timeout();
    let transitions = &out.transitions;

    // One chain from closed, with legal edges, in time order.
    let mut state = State::Closed;
    for (i, t) in transitions.iter().enumerate() {
        assert_eq!(t.from, state, "transition {i} lost or doubled: {t:?}");
        assert!(
            is_edge(t.from, t.to, run.overrides),
            "transition {i}: no such edge {t:?}"
        );
        if i > 0 {
            assert!(
                transitions[i - 1].at <= t.at,
                "transition {i} went back in time"
            );
        }
        state = t.to;
    }
    assert_eq!(
        out.final_state, state,
        "the last transition logged is the state"
    );

    // Every generation's calls, against the state it was in.
    let mut max_half_open_peak = 0;
    for (&generation, g) in &out.generations {
        assert!(
            (generation as usize) <= transitions.len() + 1,
            "ticket of generation {generation}, but only {} transitions",
            transitions.len()
        );
        match state_of(transitions, generation) {
            State::HalfOpen => {
                max_half_open_peak = max_half_open_peak.max(g.peak);
                assert!(g.peak <= limit, "generation {generation}: {g:?}");
                assert!(
                    g.successes + g.failures <= u64::from(limit),
                    "generation {generation}: more than {limit} trial calls counted: {g:?}"
                );
            }
            State::Open | State::ForcedOpen => {
                panic!("generation {generation} admitted calls while open: {g:?}")
            }
            _ => {}
        }
    }

    // Every transition had its cause.
    let mut open_timeout = base_timeout;
    let mut opened_at = None;
    for (i, t) in transitions.iter().enumerate() {
        let ended = out
            .generations
            .get(&(i as u64 + 1))
            .copied()
            .unwrap_or_default();
        match (t.from, t.to) {
            (State::Closed, State::Open) => {
                if let TripRule::ConsecutiveFailures(n) = settings.ready_to_trip {
                    assert!(
                        ended.failures >= u64::from(n),
                        "transition {i} {t:?}: {ended:?}"
                    );
                }
                assert!(ended.failures >= 1, "transition {i} {t:?}: {ended:?}");
            }
            (State::HalfOpen, State::Closed) => assert!(
                ended.successes == u64::from(limit) && ended.failures == 0,
                "transition {i} {t:?}: {ended:?}"
            ),
            (State::HalfOpen, State::Open) => {
                assert!(ended.failures >= 1, "transition {i} {t:?}: {ended:?}")
            }
            (State::Open, State::HalfOpen) => {
                let since = t.at.saturating_duration_since(opened_at.unwrap());
                assert!(
                    since > open_timeout,
                    "transition {i} {t:?}: half-open {since:?} after opening, timeout {open_timeout:?}"
                );
            }
            _ => {}
        }
        // The open timeout in force, as the breaker computes it.
        open_timeout = match (t.from, t.to, settings.backoff) {
            (State::HalfOpen, State::Open, Some(backoff)) => open_timeout
                .saturating_mul(backoff.multiplier)
                .min(backoff.max_timeout.max(base_timeout)),
            (_, State::Open, _) | (_, State::Closed, _) => base_timeout,
            _ => open_timeout,
        };
        if t.to == State::Open {
            opened_at = Some(t.at);
        }
    }

    let mut kinds: HashMap<(State, State), u64> = HashMap::new();
    for t in transitions {
        *kinds.entry((t.from, t.to)).or_default() += 1;
    }
    let mut kinds: Vec<_> = kinds
        .into_iter()
        .map(|((from, to), n)| format!("{from}→{to} {n}"))
        .collect();
    kinds.sort();
    let admitted: u64 = out.generations.values().map(|g| g.admitted).sum();
    format!(
        "{} threads x {} rounds: {admitted} admitted, {} refused open, {} refused too-many, \
         {} transitions ({}), half-open peak {max_half_open_peak} of {limit}",
        run.threads,
        run.rounds,
        out.rejected_open,
        out.rejected_too_many,
        transitions.len(),
        kinds.join(", ")
    )
}

fn bounds() -> (usize, usize, u64) {
    (
        env_or("HARDENING_STRESS_THREADS", 16),
        env_or("HARDENING_STRESS_ROUNDS", 20_000),
        env_or("HARDENING_SEED", 0x57_8E55),
    )
}

#[test]
fn random_outcomes_and_clock_moves_never_exceed_half_open_or_lose_a_transition() {
    let (threads, rounds, seed) = bounds();
    let run_ = Run {
        settings: Settings {
            max_requests: 3,
            timeout: Duration::from_millis(10),
            ready_to_trip: TripRule::ConsecutiveFailures(4),
            ..Settings::new("stress")
        },
        overrides: Overrides::Off,
        threads,
        rounds,
        seed,
    };
    let out = run(&run_);
    let summary = check(&run_, &out);
    println!("{summary}");
    assert!(
        out.transitions.len() >= 4,
        "the run must move through the states"
    );
    assert!(
        out.transitions
            .iter()
            .any(|t| (t.from, t.to) == (State::HalfOpen, State::Closed)),
        "the run never closed from half-open"
    );
}

#[test]
fn rolling_window_backoff_and_overrides_under_contention() {
    let (threads, rounds, seed) = bounds();
    let run_ = Run {
        settings: Settings {
            max_requests: 2,
            interval: Duration::from_millis(100),
            bucket_period: Duration::from_millis(10),
            timeout: Duration::from_millis(10),
            ready_to_trip: TripRule::ConsecutiveFailures(3),
            backoff: Some(Backoff {
                multiplier: 2,
                max_timeout: Duration::from_millis(80),
            }),
            ..Settings::new("stress-rolling")
        },
        overrides: Overrides::On,
        threads,
        rounds,
        seed: seed ^ 0xB0FF,
    };
    let out = run(&run_);
    let summary = check(&run_, &out);
    println!("{summary}");
    assert!(
        out.transitions.len() >= 4,
        "the run must move through the states"
    );
}
