//! A `SharedBreaker`'s observer runs outside the breaker's lock: it may call
//! back into the same breaker, and what it causes is delivered in order.
#![cfg(not(target_arch = "wasm32"))]

use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;
use tripbreaker::{
    CircuitBreaker, ManualClock, Outcome, Settings, SharedBreaker, State, Transition, TripRule,
};

type Observer = Box<dyn FnMut(&str, Transition) + Send>;
type Shared = SharedBreaker<Arc<ManualClock>, Observer>;

/// Runs `f` on another thread and fails (instead of hanging) if it has
/// not finished within a minute: a deadlock shows as a failure.
fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || done.send(f()));
    finished
        .recv_timeout(Duration::from_secs(60))
        .expect("deadlocked: the observer could not call back into its breaker")
}

#[test]
fn an_observer_may_call_back_into_its_own_shared_breaker() {
    let seen = within_a_minute(|| {
        let handle: Arc<OnceLock<Shared>> = Arc::default();
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (me, lines) = (Arc::clone(&handle), Arc::clone(&log));
        let observer: Observer = Box::new(move |name: &str, t: Transition| {
            let breaker = me.get().expect("set before the first call");
            // Reads and a manual override from inside the observer.
            let state = breaker.state();
            let counts = breaker.counts();
            lines.lock().unwrap().push(format!(
                "{name}: {} -> {} (now {state}, {} requests)",
                t.from, t.to, counts.requests
            ));
            if t.to == State::Open {
                breaker.force_closed();
            }
        });
        let settings = Settings {
            ready_to_trip: TripRule::ConsecutiveFailures(1),
            ..Settings::new("reentrant")
        };
        let clock = Arc::new(ManualClock::new());
        let shared = SharedBreaker::from_breaker(
            CircuitBreaker::new(settings, clock)
                .unwrap()
                .with_observer(observer),
        );
        handle.set(shared.clone()).ok().unwrap();
        shared.acquire().unwrap().record(Outcome::Failure);
        assert_eq!(shared.state(), State::ForcedClosed);
        log.lock().unwrap().clone()
    });
    assert_eq!(
        seen,
        [
            "reentrant: closed -> open (now open, 0 requests)",
            "reentrant: open -> forced-closed (now forced-closed, 0 requests)",
        ]
    );
}

#[test]
fn an_observer_may_make_calls_through_its_own_breaker() {
    let tripped_from_inside = within_a_minute(|| {
        let handle: Arc<OnceLock<Shared>> = Arc::default();
        let log: Arc<Mutex<Vec<(State, State)>>> = Arc::default();
        let (me, seen) = (Arc::clone(&handle), Arc::clone(&log));
        let observer: Observer = Box::new(move |_: &str, t: Transition| {
            seen.lock().unwrap().push((t.from, t.to));
            if t.to == State::HalfOpen {
                // A probe made by the observer itself, which fails.
                let breaker = me.get().unwrap();
                breaker.acquire().unwrap().record(Outcome::Failure);
            }
        });
        let settings = Settings {
            timeout: Duration::from_secs(1),
            ready_to_trip: TripRule::ConsecutiveFailures(1),
            ..Settings::new("prober")
        };
        let clock = Arc::new(ManualClock::new());
        let shared = SharedBreaker::from_breaker(
            CircuitBreaker::new(settings, Arc::clone(&clock))
                .unwrap()
                .with_observer(observer),
        );
        handle.set(shared.clone()).ok().unwrap();
        shared.acquire().unwrap().record(Outcome::Failure);
        clock.advance(Duration::from_millis(1_001));
        // The read that applied the timeout saw half-open; the observer ran
        // before it returned, and its probe failed.
        assert_eq!(shared.state(), State::HalfOpen);
        assert_eq!(shared.state(), State::Open, "the observer's probe failed");
        log.lock().unwrap().clone()
    });
    use State::*;
    assert_eq!(
        tripped_from_inside,
        [(Closed, Open), (Open, HalfOpen), (HalfOpen, Open)]
    );
}
