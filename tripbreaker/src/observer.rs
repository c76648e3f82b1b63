//! Who hears of a breaker's state changes and, if it asks, of every call.

use crate::{Outcome, Rejected, Transition};
use core::time::Duration;

/// Told of every state change, in order, with the breaker's name; and, if
/// it asks through [`CALL_DETAIL`](Self::CALL_DETAIL), of every call.
///
/// Implemented for `()` (nobody listens), for every
/// `FnMut(&str, Transition)`, so a closure prints gobreaker's line without
/// allocating, and for pairs of observers (both are told):
///
/// ```
/// use tripbreaker::{CircuitBreaker, ManualClock, Outcome, Settings, Transition, TripRule};
///
/// let clock = ManualClock::new();
/// let settings = Settings { ready_to_trip: TripRule::ConsecutiveFailures(1), ..Settings::new("greeter") };
/// let mut breaker = CircuitBreaker::new(settings, &clock)
///     .unwrap()
///     .with_observer(|name: &str, t: Transition| {
///         println!("Circuit Breaker '{name}' changed from {} to {}", t.from, t.to);
///     });
/// let ticket = breaker.try_acquire().unwrap();
/// breaker.record(ticket, Outcome::Failure); // prints: Circuit Breaker 'greeter' changed from closed to open
/// ```
///
/// A [`CircuitBreaker`](crate::CircuitBreaker) calls its observer in the
/// middle of the update (it holds `&mut self`, so the observer cannot reach
/// it). A `SharedBreaker` calls [`on_transition`](Self::on_transition)
/// after releasing its lock, so there the observer may call back into the
/// same breaker; [`on_call`](Self::on_call) it calls under its lock.
///
/// Counting calls, as a metrics exporter does:
///
/// ```
/// use tripbreaker::{CallDetail, CallReport, CircuitBreaker, ManualClock, Observer, Outcome, Rejected, Settings, Transition, TripRule};
///
/// #[derive(Default)]
/// struct Tally { ok: u32, failed: u32, rejected: u32 }
///
/// impl Observer for Tally {
///     const CALL_DETAIL: CallDetail = CallDetail::Outcomes;
///     fn on_transition(&mut self, _: &str, _: Transition) {}
///     fn on_call(&mut self, _: &str, call: CallReport) {
///         match call.outcome {
///             Ok(Outcome::Success) => self.ok += 1,
///             Ok(_) => self.failed += 1,
///             Err(_) => self.rejected += 1,
///         }
///     }
/// }
///
/// let clock = ManualClock::new();
/// let settings = Settings { ready_to_trip: TripRule::ConsecutiveFailures(1), ..Settings::new("t") };
/// let mut breaker = CircuitBreaker::new(settings, &clock).unwrap().with_observer(Tally::default());
/// let ticket = breaker.try_acquire().unwrap();
/// breaker.record(ticket, Outcome::Failure);
/// assert_eq!(breaker.try_acquire().unwrap_err(), Rejected::Open);
/// let tally = breaker.observer();
/// assert_eq!((tally.ok, tally.failed, tally.rejected), (0, 1, 1));
/// ```
pub trait Observer {
    /// What [`on_call`](Self::on_call) is told. The default,
    /// [`CallDetail::Nothing`], never calls it, so an observer of state
    /// changes alone costs nothing per call.
    const CALL_DETAIL: CallDetail = CallDetail::Nothing;

    /// Called once per state change, after the change is applied.
    fn on_transition(&mut self, name: &str, transition: Transition);

    /// Called once per call when [`CALL_DETAIL`](Self::CALL_DETAIL) asks
    /// for it: once its outcome is counted (after any state change it
    /// caused), or when it is rejected. Keep it short (count, do not
    /// block): it runs on every call. Does nothing by default.
    #[inline(always)]
    fn on_call(&mut self, name: &str, call: CallReport) {
        let _ = (name, call);
    }
}

/// What an [`Observer`] hears of each call, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallDetail {
    /// Nothing: `on_call` is never called.
    Nothing,
    /// Each call's outcome; its latency only when the breaker read its
    /// clock anyway (an interval, a slow-call rule, a timeout running).
    Outcomes,
    /// Each call's outcome and latency: the breaker reads its clock when it
    /// admits a call and when it records it (and a `SharedBreaker` takes its
    /// lock for every call, as it does with an interval).
    OutcomesAndLatency,
}

impl CallDetail {
    /// The more detailed of two.
    pub const fn max(self, other: CallDetail) -> CallDetail {
        if (self as u8) < (other as u8) {
            other
        } else {
            self
        }
    }
}

/// How one call through the breaker went, for [`Observer::on_call`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallReport {
    /// The outcome the breaker counted (after the slow-call rule: a slow
    /// success is a failure), or why the call was refused. A call admitted
    /// in an earlier generation is reported with its outcome too, though
    /// the breaker no longer counts it.
    pub outcome: Result<Outcome, Rejected>,
    /// From admission to outcome, on the breaker's clock: `None` for a
    /// rejection, and when the breaker did not read its clock at both ends
    /// (see [`CallDetail`]).
    pub latency: Option<Duration>,
}

impl Observer for () {
    fn on_transition(&mut self, _name: &str, _transition: Transition) {}
}

impl<F: FnMut(&str, Transition)> Observer for F {
    fn on_transition(&mut self, name: &str, transition: Transition) {
        self(name, transition)
    }
}

impl<A: Observer, B: Observer> Observer for (A, B) {
    const CALL_DETAIL: CallDetail = A::CALL_DETAIL.max(B::CALL_DETAIL);

    fn on_transition(&mut self, name: &str, transition: Transition) {
        self.0.on_transition(name, transition);
        self.1.on_transition(name, transition);
    }

    #[inline]
    fn on_call(&mut self, name: &str, call: CallReport) {
        if A::CALL_DETAIL != CallDetail::Nothing {
            self.0.on_call(name, call);
        }
        if B::CALL_DETAIL != CallDetail::Nothing {
            self.1.on_call(name, call);
        }
    }
}
