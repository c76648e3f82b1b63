//! A thread-safe, cloneable handle to one breaker.

use crate::{
    BreakerRef, CallError, CircuitBreaker, Classify, Clock, Counts, ErrorIsFailure, Instant,
    Observer, Permit, Rejected, State,
};
use parking_lot::Mutex;
use std::future::Future;
use std::sync::Arc;

/// A breaker shared between threads and tasks: clones are handles to the
/// same breaker. Works everywhere `std` does, including the browser (with
/// `BrowserClock`).
///
/// ```
/// use breaker::{MonotonicClock, Outcome, Settings, SharedBreaker, State};
///
/// let breaker = SharedBreaker::new(Settings::new("native"), MonotonicClock::new()).unwrap();
///
/// // Two steps: acquire, then record.
/// let permit = breaker.acquire().expect("a closed breaker admits");
/// permit.record(Outcome::Success);
///
/// // One call: acquire, await, classify (Err is a failure), record.
/// let reply = futures_executor::block_on(
///     breaker.call(|| async { Ok::<_, std::io::Error>("Hello World") }),
/// );
/// assert_eq!(reply.unwrap(), "Hello World");
/// assert_eq!(breaker.state(), State::Closed);
/// assert_eq!(breaker.counts().total_successes, 2);
/// ```
pub struct SharedBreaker<C, O = ()> {
    inner: Arc<Mutex<CircuitBreaker<C, O>>>,
}

impl<C: Clock> SharedBreaker<C> {
    /// A shared closed breaker with these settings and clock.
    pub fn new(settings: crate::Settings, clock: C) -> Result<Self, crate::SettingsError> {
        Ok(Self::from_breaker(CircuitBreaker::new(settings, clock)?))
    }
}

impl<C: Clock, O: Observer> SharedBreaker<C, O> {
    /// Shares an existing breaker (for example one given an observer).
    pub fn from_breaker(breaker: CircuitBreaker<C, O>) -> Self {
        SharedBreaker {
            inner: Arc::new(Mutex::new(breaker)),
        }
    }

    /// Asks to make a call; the permit borrows this handle.
    #[inline]
    pub fn acquire(&self) -> Result<Permit<&Self>, Rejected> {
        Permit::acquire(self)
    }

    /// Asks to make a call; the permit holds its own handle, so it can be
    /// moved into a `'static` task or a response body.
    pub fn acquire_owned(&self) -> Result<Permit<Self>, Rejected> {
        Permit::acquire(self.clone())
    }

    /// Makes `make_call()` through the breaker, counting every `Err` as a
    /// failure (see [`crate::call`]).
    pub async fn call<F, Fut, T, E>(&self, make_call: F) -> Result<T, CallError<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        crate::call(self, make_call, ErrorIsFailure).await
    }

    /// Makes `make_call()` through the breaker, classifying its result with
    /// `classify` (see [`crate::call`]).
    pub async fn call_with<F, Fut, T, E, K>(
        &self,
        make_call: F,
        classify: K,
    ) -> Result<T, CallError<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        K: Classify<T, E>,
    {
        crate::call(self, make_call, classify).await
    }

    /// The current state, applying any transition that is due.
    pub fn state(&self) -> State {
        self.with(|b| b.state())
    }

    /// The current counts, after applying any transition that is due.
    pub fn counts(&self) -> Counts {
        self.with(|b| {
            b.state();
            b.counts()
        })
    }

    /// When an open breaker will turn half-open (see
    /// [`CircuitBreaker::next_transition_at`]).
    pub fn next_transition_at(&self) -> Option<Instant> {
        self.with(|b| {
            b.state();
            b.next_transition_at()
        })
    }

    /// How long until an open breaker turns half-open (see
    /// [`CircuitBreaker::time_to_next_transition`]).
    pub fn time_to_next_transition(&self) -> Option<std::time::Duration> {
        self.with(|b| {
            b.state();
            b.time_to_next_transition()
        })
    }

    /// The breaker's name.
    pub fn name(&self) -> &'static str {
        self.with(|b| b.name())
    }

    /// Forces the breaker open until [`release`](Self::release).
    pub fn force_open(&self) {
        self.with(|b| b.force_open())
    }

    /// Forces the breaker closed until [`release`](Self::release).
    pub fn force_closed(&self) {
        self.with(|b| b.force_closed())
    }

    /// Switches the breaker off until [`release`](Self::release).
    pub fn disable(&self) {
        self.with(|b| b.disable())
    }

    /// Ends a manual override: closed and automatic again.
    pub fn release(&self) {
        self.with(|b| b.release())
    }
}

impl<C: Clock, O: Observer> BreakerRef for SharedBreaker<C, O> {
    type Clock = C;
    type Observer = O;

    #[inline(always)]
    fn try_acquire(&self) -> Result<crate::Ticket, Rejected> {
        self.inner.lock().try_acquire()
    }

    #[inline(always)]
    fn with<R>(&self, f: impl FnOnce(&mut CircuitBreaker<C, O>) -> R) -> R {
        // parking_lot's lock is not poisoned by a panicking observer: the
        // breaker's state is consistent between operations, so it stays usable.
        f(&mut self.inner.lock())
    }
}

impl<C: Clock, O: Observer> BreakerRef for &SharedBreaker<C, O> {
    type Clock = C;
    type Observer = O;

    #[inline(always)]
    fn try_acquire(&self) -> Result<crate::Ticket, Rejected> {
        (**self).try_acquire()
    }

    #[inline(always)]
    fn with<R>(&self, f: impl FnOnce(&mut CircuitBreaker<C, O>) -> R) -> R {
        (**self).with(f)
    }
}

impl<C, O> Clone for SharedBreaker<C, O> {
    fn clone(&self) -> Self {
        SharedBreaker {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<C, O> std::fmt::Debug for SharedBreaker<C, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedBreaker").finish_non_exhaustive()
    }
}
