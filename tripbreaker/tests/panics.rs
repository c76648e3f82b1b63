//! Panics: a call that panics counts as a failure and the panic goes on
//! (gobreaker's `Execute`); a permit dropped during a panic never aborts the
//! process, whatever the observer does. Native only: wasm32 aborts on panic.
#![cfg(not(target_arch = "wasm32"))]

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use tripbreaker::{
    CircuitBreaker, ErrorIsFailure, ManualClock, Outcome, Settings, SharedBreaker, State,
    Transition, TripRule,
};

fn trips_after(n: u32) -> Settings {
    Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(n),
        ..Settings::new("panics")
    }
}

#[test]
fn a_call_that_panics_counts_as_a_failure_and_the_panic_goes_on() {
    let breaker = SharedBreaker::new(trips_after(2), ManualClock::new()).unwrap();
    for _ in 0..2 {
        let result = catch_unwind(AssertUnwindSafe(|| {
            breaker.execute(|| -> Result<(), ()> { panic!("the dependency panicked") })
        }));
        let payload = result.expect_err("the panic reaches the caller");
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"the dependency panicked")
        );
    }
    assert_eq!(breaker.state(), State::Open, "two panics trip it");
}

#[test]
fn an_async_call_that_panics_counts_as_a_failure() {
    let breaker = SharedBreaker::new(trips_after(1), ManualClock::new()).unwrap();
    let result = catch_unwind(AssertUnwindSafe(|| {
        futures_executor::block_on(breaker.call(|| async {
            let fail = true;
            if fail {
                panic!("panicked inside the future");
            }
            Ok::<(), ()>(())
        }))
    }));
    assert!(result.is_err());
    assert_eq!(breaker.state(), State::Open);
}

#[test]
fn the_sync_call_counts_results_like_the_async_one() {
    let clock = ManualClock::new();
    let breaker = RefCell::new(CircuitBreaker::new(trips_after(2), &clock).unwrap());
    assert_eq!(
        tripbreaker::execute(&breaker, || Ok::<_, ()>(1), ErrorIsFailure),
        Ok(1)
    );
    let failed = tripbreaker::execute(&breaker, || Err::<(), _>("no"), ErrorIsFailure);
    assert_eq!(failed, Err(tripbreaker::CallError::Inner("no")));
    let excluded = tripbreaker::execute(
        &breaker,
        || Err::<(), _>("mine"),
        |_: &Result<(), &str>| Outcome::Excluded,
    );
    assert!(excluded.is_err());
    let counts = breaker.borrow().counts();
    assert_eq!(
        (
            counts.total_successes,
            counts.total_failures,
            counts.total_exclusions
        ),
        (1, 1, 1)
    );
    tripbreaker::execute(&breaker, || Err::<(), _>(()), ErrorIsFailure).unwrap_err();
    let rejected = tripbreaker::execute(
        &breaker,
        || -> Result<(), ()> { unreachable!() },
        ErrorIsFailure,
    );
    assert_eq!(
        rejected,
        Err(tripbreaker::CallError::Rejected(
            tripbreaker::Rejected::Open
        ))
    );
}

/// The trip happens while a permit is dropped by another panic, and the
/// observer told of it panics too: without containment that second panic
/// would abort the whole test process.
#[test]
fn a_panicking_observer_during_unwinding_never_aborts() {
    let shared = SharedBreaker::from_breaker(
        CircuitBreaker::new(trips_after(1), ManualClock::new())
            .unwrap()
            .with_observer(|_: &str, _: Transition| panic!("the observer panicked")),
    );
    let result = catch_unwind(AssertUnwindSafe(|| {
        let _permit = shared.acquire().unwrap();
        panic!("the call panicked");
    }));
    assert!(result.is_err());
    assert_eq!(
        shared.state(),
        State::Open,
        "the panicking call was a failure"
    );

    let clock = ManualClock::new();
    let local = RefCell::new(
        CircuitBreaker::new(trips_after(1), &clock)
            .unwrap()
            .with_observer(|_: &str, _: Transition| panic!("the observer panicked")),
    );
    let result = catch_unwind(AssertUnwindSafe(|| {
        let _permit = tripbreaker::Permit::acquire(&local).unwrap();
        panic!("the call panicked");
    }));
    assert!(result.is_err());
    assert_eq!(local.borrow_mut().state(), State::Open);
}
