//! Permits: admission that gives its slot back when dropped.

use crate::{CircuitBreaker, Clock, Observer, Outcome, Rejected, Ticket};
use core::cell::RefCell;

/// A way to reach a breaker that is shared: a `&RefCell<CircuitBreaker>`
/// (single-threaded, no_std) or a `SharedBreaker` (feature `std`).
pub trait BreakerRef {
    /// Asks the breaker to admit a call (see [`CircuitBreaker::try_acquire`]).
    fn try_acquire(&self) -> Result<Ticket, Rejected>;

    /// Records how an admitted call ended (see [`CircuitBreaker::record`]).
    fn record(&self, ticket: Ticket, outcome: Outcome);
}

impl<C: Clock, O: Observer, const BUCKETS: usize> BreakerRef
    for &RefCell<CircuitBreaker<C, O, BUCKETS>>
{
    #[inline]
    fn try_acquire(&self) -> Result<Ticket, Rejected> {
        self.borrow_mut().try_acquire()
    }

    #[inline]
    fn record(&self, ticket: Ticket, outcome: Outcome) {
        self.borrow_mut().record(ticket, outcome)
    }
}

/// An admitted call. [`record`](Self::record) its outcome when it ends.
///
/// Dropped without an outcome it still counts, so no half-open slot ever
/// leaks: as excluded (a cancelled future, an early return), or, with
/// feature `std`, as a failure when dropped by a panic (gobreaker's
/// `Execute` counts a panicking call as failed). Such a drop never turns the
/// panic into an abort: a panic of the observer it wakes is swallowed.
///
/// ```
/// use tripbreaker::{CircuitBreaker, ManualClock, Outcome, Permit, Rejected, Settings, State, TripRule};
/// use core::cell::RefCell;
///
/// let clock = ManualClock::new();
/// let settings = Settings { ready_to_trip: TripRule::ConsecutiveFailures(1), ..Settings::new("p") };
/// let breaker = RefCell::new(CircuitBreaker::new(settings, &clock).unwrap());
///
/// let permit = Permit::acquire(&breaker).unwrap();
/// permit.record(Outcome::Failure);
/// assert_eq!(breaker.borrow_mut().state(), State::Open);
///
/// clock.advance(core::time::Duration::from_secs(61));
/// let probe = Permit::acquire(&breaker).unwrap(); // the one half-open slot
/// assert_eq!(Permit::acquire(&breaker).unwrap_err(), Rejected::TooManyRequests);
/// drop(probe); // cancelled: the slot is free again
/// assert!(Permit::acquire(&breaker).is_ok());
/// ```
#[must_use = "a permit dropped at once counts as an excluded call"]
pub struct Permit<B: BreakerRef> {
    breaker: B,
    ticket: Option<Ticket>,
}

impl<B: BreakerRef> Permit<B> {
    /// Asks `tripbreaker` to admit a call.
    #[inline(always)]
    pub fn acquire(breaker: B) -> Result<Self, Rejected> {
        let ticket = breaker.try_acquire()?;
        Ok(Permit {
            breaker,
            ticket: Some(ticket),
        })
    }

    /// Records how the call ended.
    #[inline(always)]
    pub fn record(mut self, outcome: Outcome) {
        if let Some(ticket) = self.ticket.take() {
            self.breaker.record(ticket, outcome);
        }
    }

    /// The admission ticket (when, and in which generation).
    pub fn ticket(&self) -> Option<&Ticket> {
        self.ticket.as_ref()
    }

    /// The breaker this permit belongs to.
    pub fn breaker(&self) -> &B {
        &self.breaker
    }
}

impl<B: BreakerRef> Drop for Permit<B> {
    #[inline]
    fn drop(&mut self) {
        let Some(ticket) = self.ticket.take() else {
            return;
        };
        #[cfg(feature = "std")]
        if std::thread::panicking() {
            // A second panic escaping a drop during unwinding aborts the
            // process; the observer is the caller's code, so contain it.
            let breaker = &self.breaker;
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                breaker.record(ticket, Outcome::Failure)
            }));
            return;
        }
        self.breaker.record(ticket, Outcome::Excluded);
    }
}

impl<B: BreakerRef> core::fmt::Debug for Permit<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Permit")
            .field("ticket", &self.ticket)
            .finish()
    }
}
