//! The one-call APIs: [`execute`] for plain functions, [`call`] for futures.

use crate::{BreakerRef, CallError, Classify, Permit};
use core::future::Future;

/// Makes the call `make_call()` through the breaker (gobreaker's `Execute`,
/// failsafe's `call`): rejected at once if the breaker refuses it, otherwise
/// run, and its result classified and recorded. `make_call` runs only when
/// the call is admitted.
///
/// With feature `std`, a call that panics counts as a failure and the panic
/// goes on; without `std` (where a panic cannot be told from an early
/// drop) it counts as excluded.
///
/// ```
/// use tripbreaker::{execute, CircuitBreaker, ErrorIsFailure, ManualClock, Settings};
/// use core::cell::RefCell;
///
/// let clock = ManualClock::new();
/// let breaker = RefCell::new(CircuitBreaker::new(Settings::new("c"), &clock).unwrap());
/// let reply = execute(&breaker, || Ok::<_, &str>("Hello World"), ErrorIsFailure);
/// assert_eq!(reply, Ok("Hello World"));
/// assert_eq!(breaker.borrow().counts().total_successes, 1);
/// ```
pub fn execute<B, F, T, E, K>(breaker: B, make_call: F, classify: K) -> Result<T, CallError<E>>
where
    B: BreakerRef,
    F: FnOnce() -> Result<T, E>,
    K: Classify<T, E>,
{
    let permit = Permit::acquire(breaker)?;
    let result = make_call();
    permit.record(classify.classify(&result));
    result.map_err(CallError::Inner)
}

/// Makes the call `make_call()` through the breaker and awaits it, like
/// [`execute`]. If the returned future is dropped before the call ends, the
/// call counts as excluded and its half-open slot is freed; if it panics, as
/// [`execute`] says.
///
/// ```
/// use tripbreaker::{call, CircuitBreaker, ErrorIsFailure, ManualClock, Settings};
/// use core::cell::RefCell;
///
/// let clock = ManualClock::new();
/// let breaker = RefCell::new(CircuitBreaker::new(Settings::new("c"), &clock).unwrap());
/// let reply = futures_executor::block_on(call(
///     &breaker,
///     || async { Ok::<_, &str>("Hello World") },
///     ErrorIsFailure,
/// ));
/// assert_eq!(reply, Ok("Hello World"));
/// assert_eq!(breaker.borrow().counts().total_successes, 1);
/// ```
pub async fn call<B, F, Fut, T, E, K>(
    breaker: B,
    make_call: F,
    classify: K,
) -> Result<T, CallError<E>>
where
    B: BreakerRef,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    K: Classify<T, E>,
{
    let permit = Permit::acquire(breaker)?;
    let result = make_call().await;
    permit.record(classify.classify(&result));
    result.map_err(CallError::Inner)
}
