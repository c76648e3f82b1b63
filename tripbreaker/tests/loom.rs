//! The lock-free path of `SharedBreaker` (src/shared/fast_path.rs) and the
//! fold under its lock, model-checked: loom runs each test under every
//! interleaving of its threads (with at most three preemptions each), with
//! loom's own atomics and mutex swapped in (src/shared/sync.rs).
//!
//! `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo test -p tripbreaker --test loom --release`
//! (`cargo xtask test --only loom`).
#![cfg(loom)]

use loom::thread;
use std::sync::Arc;
use tripbreaker::{BreakerRef, Counts, ManualClock, Outcome, Settings, SharedBreaker, TripRule};

type Breaker = SharedBreaker<Arc<ManualClock>>;

/// Explores every interleaving of `test` with at most three preemptions per
/// thread, which keeps the search to seconds.
fn model(test: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(test);
}

/// A breaker on the fast path (gobreaker's defaults) that trips only after
/// more failures than any test makes.
fn breaker() -> Breaker {
    let settings = Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(10),
        ..Settings::new("loom")
    };
    SharedBreaker::new(settings, Arc::new(ManualClock::new())).unwrap()
}

/// Runs `calls` on a thread of its own, on a handle to `breaker`.
fn spawn<T: Send + 'static>(
    breaker: &Breaker,
    calls: impl FnOnce(Breaker) -> T + Send + 'static,
) -> thread::JoinHandle<T> {
    let breaker = breaker.clone();
    thread::spawn(move || calls(breaker))
}

/// Runs `first` and `second` on two threads at once, and waits for both.
fn both<A: Send + 'static, B: Send + 'static>(
    breaker: &Breaker,
    first: impl FnOnce(Breaker) -> A + Send + 'static,
    second: impl FnOnce(Breaker) -> B + Send + 'static,
) -> (A, B) {
    let (first, second) = (spawn(breaker, first), spawn(breaker, second));
    (first.join().unwrap(), second.join().unwrap())
}

fn succeed_once(breaker: Breaker) {
    let ticket = breaker.try_acquire().expect("closed");
    breaker.record(ticket, Outcome::Success);
}

fn succeed_once_if_admitted(breaker: Breaker) {
    if let Ok(ticket) = breaker.try_acquire() {
        breaker.record(ticket, Outcome::Success);
    }
}

#[test]
fn admissions_and_successes_are_folded_exactly_once() {
    model(|| {
        let breaker = breaker();
        let a = spawn(&breaker, succeed_once);
        let b = spawn(&breaker, succeed_once);
        // A fold while they run: never more successes than admissions.
        let during = breaker.counts();
        assert!(during.total_successes <= during.requests, "{during:?}");
        a.join().unwrap();
        b.join().unwrap();
        let after = breaker.counts();
        let expected = Counts {
            requests: 2,
            total_successes: 2,
            consecutive_successes: 2,
            ..Counts::default()
        };
        assert_eq!(after, expected);
    });
}

#[test]
fn a_failure_sees_every_success_before_it() {
    model(|| {
        let breaker = breaker();
        let one_each = |breaker: Breaker| {
            let first = breaker.try_acquire().expect("closed");
            let second = breaker.try_acquire().expect("closed");
            breaker.record(first, Outcome::Success);
            breaker.record(second, Outcome::Failure);
        };
        both(&breaker, one_each, succeed_once);
        let after = breaker.counts();
        assert_eq!(
            (after.requests, after.total_successes, after.total_failures),
            (3, 2, 1)
        );
        // The failure ends the first success's streak; only the other
        // thread's success may come after it.
        assert_eq!(
            after.consecutive_successes + after.consecutive_failures,
            1,
            "{after:?}"
        );
    });
}

#[test]
fn a_call_counts_only_in_the_generation_that_admitted_it() {
    model(|| {
        let breaker = breaker();
        let caller = |breaker: Breaker| {
            let ticket = breaker.try_acquire().ok()?;
            let generation = ticket.generation();
            breaker.record(ticket, Outcome::Success);
            Some(generation)
        };
        // Two generation changes, ending closed on the fast path again.
        let changer = |breaker: Breaker| {
            breaker.force_open();
            breaker.release();
        };
        let (admitted_in, ()) = both(&breaker, caller, changer);
        let now = breaker.try_acquire().expect("closed after release");
        let counted = u32::from(admitted_in == Some(now.generation()));
        let after = breaker.counts();
        assert_eq!(
            (after.requests, after.total_successes),
            (counted + 1, counted),
            "admitted in {admitted_in:?}, now {}",
            now.generation()
        );
        breaker.record(now, Outcome::Excluded);
    });
}

#[test]
fn calls_admitted_while_the_breaker_opens_count_in_no_later_generation() {
    model(|| {
        let breaker = breaker();
        both(&breaker, succeed_once_if_admitted, |breaker| {
            breaker.force_open()
        });
        // Nothing is admitted while open, and a call of the closed
        // generation is forgotten with it.
        assert_eq!(breaker.counts(), Counts::default());
    });
}
