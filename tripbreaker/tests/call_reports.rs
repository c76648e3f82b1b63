//! The observer's per-call hook: every call's outcome as counted (and, when
//! asked, its latency), on the core and through a `SharedBreaker`.

use core::time::Duration;
use std::sync::{Arc, Mutex};
use tripbreaker::{
    CallDetail, CallReport, CircuitBreaker, ManualClock, Observer, Outcome, Rejected, Settings,
    SharedBreaker, Transition, TripRule,
};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// What an observer heard, in order: a call's outcome or a transition.
#[derive(Debug, Clone, PartialEq)]
enum Heard {
    Call(Result<Outcome, Rejected>, Option<Duration>),
    Moved(&'static str, &'static str),
}

/// Hears calls with the detail `TIMED` picks.
#[derive(Clone, Default)]
struct Ears<const TIMED: bool>(Arc<Mutex<Vec<Heard>>>);

impl<const TIMED: bool> Observer for Ears<TIMED> {
    const CALL_DETAIL: CallDetail = if TIMED {
        CallDetail::OutcomesAndLatency
    } else {
        CallDetail::Outcomes
    };

    fn on_transition(&mut self, _: &str, t: Transition) {
        let heard = Heard::Moved(t.from.as_str(), t.to.as_str());
        self.0.lock().unwrap().push(heard);
    }

    fn on_call(&mut self, _: &str, call: CallReport) {
        let heard = Heard::Call(call.outcome, call.latency);
        self.0.lock().unwrap().push(heard);
    }
}

impl<const TIMED: bool> Ears<TIMED> {
    fn take(&self) -> Vec<Heard> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn settings() -> Settings {
    Settings {
        max_requests: 1,
        timeout: ms(100),
        slow_call: None,
        ready_to_trip: TripRule::ConsecutiveFailures(2),
        ..Settings::new("heard")
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_outcome_and_rejection_is_heard_in_order_with_transitions() {
    let clock = ManualClock::new();
    let ears = Ears::<false>::default();
    let mut breaker = CircuitBreaker::new(settings(), &clock)
        .unwrap()
        .with_observer(ears.clone());
    for outcome in [Outcome::Success, Outcome::Excluded, Outcome::Failure] {
        let ticket = breaker.try_acquire().unwrap();
        breaker.record(ticket, outcome);
    }
    let ticket = breaker.try_acquire().unwrap();
    breaker.record(ticket, Outcome::Failure);
    assert_eq!(breaker.try_acquire(), Err(Rejected::Open));
    clock.advance(ms(101));
    let probe = breaker.try_acquire().unwrap();
    assert_eq!(breaker.try_acquire(), Err(Rejected::TooManyRequests));
    breaker.record(probe, Outcome::Success);
    use Heard::*;
    assert_eq!(
        ears.take(),
        [
            Call(Ok(Outcome::Success), None),
            Call(Ok(Outcome::Excluded), None),
            Call(Ok(Outcome::Failure), None),
            Moved("closed", "open"),
            Call(Ok(Outcome::Failure), None),
            Call(Err(Rejected::Open), None),
            Moved("open", "half-open"),
            Call(Err(Rejected::TooManyRequests), None),
            Moved("half-open", "closed"),
            // Its outcome after the transition it caused; no latency, as
            // nothing made the breaker read its clock at the outcome.
            Call(Ok(Outcome::Success), None),
        ]
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn latency_is_measured_when_asked_and_a_slow_success_is_heard_as_counted() {
    let clock = ManualClock::new();
    let ears = Ears::<true>::default();
    let mut breaker = CircuitBreaker::new(settings(), &clock)
        .unwrap()
        .with_observer(ears.clone());
    let ticket = breaker.try_acquire().unwrap();
    assert!(ticket.admitted_at().is_some(), "timed calls read the clock");
    clock.advance(ms(12));
    breaker.record(ticket, Outcome::Success);

    let slow = Settings {
        slow_call: Some(ms(10)),
        ..settings()
    };
    let ears_of_slow = Ears::<false>::default();
    let mut slow = CircuitBreaker::new(slow, &clock)
        .unwrap()
        .with_observer(ears_of_slow.clone());
    let ticket = slow.try_acquire().unwrap();
    clock.advance(ms(11));
    slow.record(ticket, Outcome::Success);

    use Heard::*;
    assert_eq!(ears.take(), [Call(Ok(Outcome::Success), Some(ms(12)))]);
    assert_eq!(
        ears_of_slow.take(),
        [Call(Ok(Outcome::Failure), Some(ms(11)))]
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn an_observer_of_transitions_alone_costs_no_clock_read() {
    let clock = ManualClock::new();
    let mut breaker = CircuitBreaker::new(Settings::new("quiet"), &clock)
        .unwrap()
        .with_observer(|_: &str, _: Transition| {});
    let ticket = breaker.try_acquire().unwrap();
    assert_eq!(ticket.admitted_at(), None);
    breaker.record(ticket, Outcome::Success);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_shared_breaker_tells_its_observer_of_every_call() {
    let clock = Arc::new(ManualClock::new());
    let ears = Ears::<false>::default();
    // No interval: without an observer of calls this breaker would count
    // successes on its lock-free path.
    let shared = SharedBreaker::from_breaker(
        CircuitBreaker::new(settings(), Arc::clone(&clock))
            .unwrap()
            .with_observer(ears.clone()),
    );
    for _ in 0..3 {
        shared.acquire().unwrap().record(Outcome::Success);
    }
    drop(shared.acquire().unwrap()); // dropped: excluded
    for _ in 0..2 {
        shared.acquire().unwrap().record(Outcome::Failure);
    }
    assert_eq!(shared.acquire().unwrap_err(), Rejected::Open);
    use Heard::*;
    let ok = Call(Ok(Outcome::Success), None);
    let failed = Call(Ok(Outcome::Failure), None);
    assert_eq!(
        ears.take(),
        [
            ok.clone(),
            ok.clone(),
            ok,
            Call(Ok(Outcome::Excluded), None),
            failed.clone(),
            Moved("closed", "open"),
            failed,
            Call(Err(Rejected::Open), None),
        ]
    );
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn calls_made_from_inside_the_observer_are_heard_after_it_returns() {
    type Shared = SharedBreaker<Arc<ManualClock>, Reentrant>;

    /// Makes a failing probe from inside its transition to half-open.
    #[derive(Clone, Default)]
    struct Reentrant {
        breaker: Arc<std::sync::OnceLock<Shared>>,
        heard: Arc<Mutex<Vec<String>>>,
    }
    impl Observer for Reentrant {
        const CALL_DETAIL: CallDetail = CallDetail::Outcomes;
        fn on_transition(&mut self, _: &str, t: Transition) {
            self.heard
                .lock()
                .unwrap()
                .push(format!("{} -> {}", t.from, t.to));
            if t.to.as_str() == "half-open" {
                let breaker = self.breaker.get().unwrap();
                breaker.acquire().unwrap().record(Outcome::Failure);
            }
        }
        fn on_call(&mut self, _: &str, call: CallReport) {
            self.heard
                .lock()
                .unwrap()
                .push(format!("{:?}", call.outcome));
        }
    }

    let clock = Arc::new(ManualClock::new());
    let observer = Reentrant::default();
    let shared = SharedBreaker::from_breaker(
        CircuitBreaker::new(settings(), Arc::clone(&clock))
            .unwrap()
            .with_observer(observer.clone()),
    );
    observer.breaker.set(shared.clone()).ok().unwrap();
    for _ in 0..2 {
        shared.acquire().unwrap().record(Outcome::Failure);
    }
    clock.advance(ms(101));
    shared.state();
    assert_eq!(
        *observer.heard.lock().unwrap(),
        [
            "Ok(Failure)",
            "closed -> open",
            "Ok(Failure)",
            "open -> half-open",
            "half-open -> open",
            "Ok(Failure)",
        ]
    );
}
