//! Admission that may have to wait: a breaker whose state lives elsewhere
//! (a shared store) answers with futures; a local one with ready values.

use crate::{BreakerRef, Outcome, Permit, Rejected};
use core::future::{Future, Ready, ready};

/// A breaker reached through futures: [`acquire`](Self::acquire) and
/// [`record`](Self::record) may wait (for a store shared by many processes,
/// say), so middleware that must work with any breaker awaits both.
///
/// Every [`BreakerRef`] that is `Clone` (a `SharedBreaker`, a
/// `&RefCell<CircuitBreaker>`) is one, with futures that are ready at once
/// and a [`Permit`] as its ticket: awaiting them costs nothing beyond the
/// synchronous call.
///
/// ```
/// use tripbreaker::{AsyncBreakerRef, ManualClock, Outcome, Settings, SharedBreaker, State};
///
/// let breaker = SharedBreaker::new(Settings::new("async"), ManualClock::new()).unwrap();
/// futures_executor::block_on(async {
///     let ticket = AsyncBreakerRef::acquire(&breaker).await.expect("closed");
///     <SharedBreaker<_> as AsyncBreakerRef>::record(ticket, Outcome::Success).await;
/// });
/// assert_eq!(breaker.counts().total_successes, 1);
/// ```
pub trait AsyncBreakerRef {
    /// Proof of admission. Dropped without being recorded it must count
    /// the call as excluded, so no half-open slot is held for ever.
    type Ticket;
    /// Resolves to the admission, or to why the call must not be made.
    /// `Unpin`, so middleware can poll it once in place (a local breaker's
    /// answer is ready at once) before deciding whether to store it.
    type Acquire: Future<Output = Result<Self::Ticket, Rejected>> + Unpin;
    /// Resolves once the outcome is recorded. `Unpin`, like
    /// [`Acquire`](Self::Acquire), for the same reason.
    type Record: Future<Output = ()> + Unpin;

    /// Asks the breaker to admit a call.
    fn acquire(&self) -> Self::Acquire;

    /// Records how an admitted call ended, in the breaker that admitted it
    /// (its ticket says which).
    fn record(ticket: Self::Ticket, outcome: Outcome) -> Self::Record;
}

impl<B: BreakerRef + Clone> AsyncBreakerRef for B {
    type Ticket = Permit<B>;
    type Acquire = Ready<Result<Permit<B>, Rejected>>;
    type Record = Ready<()>;

    #[inline(always)]
    fn acquire(&self) -> Self::Acquire {
        ready(Permit::acquire(self.clone()))
    }

    #[inline(always)]
    fn record(ticket: Permit<B>, outcome: Outcome) -> Self::Record {
        ticket.record(outcome);
        ready(())
    }
}
