//! State changes, reported as values as they happen.

use crate::{Instant, State};

/// One change of state, reported the moment it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transition {
    /// The state left.
    pub from: State,
    /// The state entered.
    pub to: State,
    /// When it happened, on the breaker's clock.
    pub at: Instant,
}

/// Told of every state change, in order, with the breaker's name.
///
/// Implemented for `()` (nobody listens) and for every
/// `FnMut(&str, Transition)`, so a closure prints gobreaker's line without
/// allocating:
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
/// it). A `SharedBreaker` calls it after releasing its lock, so there the
/// observer may call back into the same breaker.
pub trait Observer {
    /// Called once per state change, after the change is applied.
    fn on_transition(&mut self, name: &str, transition: Transition);
}

impl Observer for () {
    fn on_transition(&mut self, _name: &str, _transition: Transition) {}
}

impl<F: FnMut(&str, Transition)> Observer for F {
    fn on_transition(&mut self, name: &str, transition: Transition) {
        self(name, transition)
    }
}
