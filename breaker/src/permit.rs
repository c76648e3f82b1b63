//! Permits: admission that gives its slot back when dropped.

use crate::{CircuitBreaker, Clock, Observer, Outcome, Rejected, Ticket};
use core::cell::RefCell;

/// A way to reach a breaker that is shared: a `&RefCell<CircuitBreaker>`
/// (single-threaded, no_std) or a `SharedBreaker` (feature `std`).
pub trait BreakerRef {
    /// The breaker's clock.
    type Clock: Clock;
    /// The breaker's observer.
    type Observer: Observer;

    /// Runs `f` with exclusive access to the breaker.
    fn with<R>(&self, f: impl FnOnce(&mut CircuitBreaker<Self::Clock, Self::Observer>) -> R) -> R;

    /// Asks the breaker to admit a call (see [`CircuitBreaker::try_acquire`]).
    #[inline(always)]
    fn try_acquire(&self) -> Result<Ticket, Rejected> {
        self.with(|b| b.try_acquire())
    }
}

impl<C: Clock, O: Observer> BreakerRef for &RefCell<CircuitBreaker<C, O>> {
    type Clock = C;
    type Observer = O;

    #[inline(always)]
    fn with<R>(&self, f: impl FnOnce(&mut CircuitBreaker<C, O>) -> R) -> R {
        f(&mut self.borrow_mut())
    }
}

/// An admitted call. [`record`](Self::record) its outcome when it ends;
/// dropped without one (a cancelled future, an early return, a panic) it
/// counts as excluded and frees its half-open slot, so no slot ever leaks.
///
/// ```
/// use breaker::{CircuitBreaker, ManualClock, Outcome, Permit, Rejected, Settings, State, TripRule};
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
    /// Asks `breaker` to admit a call.
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
            self.breaker.with(|b| b.record(ticket, outcome));
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
        if let Some(ticket) = self.ticket.take() {
            self.breaker.with(|b| b.cancel(ticket));
        }
    }
}

impl<B: BreakerRef> core::fmt::Debug for Permit<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Permit")
            .field("ticket", &self.ticket)
            .finish()
    }
}
