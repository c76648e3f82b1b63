//! A clock moved by hand, for tests and simulations.

use super::{Clock, Instant, duration_nanos};
use core::sync::atomic::{AtomicU64, Ordering};
use core::time::Duration;

/// A clock that stands still until told to move: tests and simulations drive
/// the breaker through time without sleeping. Shareable by reference (`&ManualClock`
/// is a [`Clock`]), and thread-safe.
///
/// ```
/// use tripbreaker::{CircuitBreaker, ManualClock, Settings, State, TripRule};
/// use core::time::Duration;
///
/// let clock = ManualClock::new();
/// let settings = Settings {
///     timeout: Duration::from_secs(5),
///     ready_to_trip: TripRule::ConsecutiveFailures(1),
///     ..Settings::new("demo")
/// };
/// let mut breaker = CircuitBreaker::new(settings, &clock).unwrap();
///
/// let ticket = breaker.try_acquire().unwrap();
/// breaker.record(ticket, tripbreaker::Outcome::Failure);
/// assert_eq!(breaker.state(), State::Open);
///
/// clock.advance(Duration::from_secs(5));
/// assert_eq!(breaker.state(), State::Open, "half-open strictly after the timeout");
/// clock.advance(Duration::from_millis(1));
/// assert_eq!(breaker.state(), State::HalfOpen);
/// ```
#[derive(Debug, Default)]
pub struct ManualClock {
    nanos: AtomicU64,
}

impl ManualClock {
    /// A clock standing at its origin.
    pub const fn new() -> Self {
        ManualClock {
            nanos: AtomicU64::new(0),
        }
    }

    /// Moves the clock forward by `duration`, stopping at the end of time
    /// (`u64::MAX` nanoseconds): it never wraps back.
    ///
    /// ```
    /// use tripbreaker::{Clock, ManualClock};
    /// use core::time::Duration;
    /// let clock = ManualClock::new();
    /// clock.advance(Duration::from_secs(1));
    /// clock.advance(Duration::MAX);
    /// clock.advance(Duration::from_secs(1));
    /// assert_eq!(clock.now().as_nanos(), u64::MAX);
    /// ```
    pub fn advance(&self, duration: Duration) {
        let step = duration_nanos(duration);
        // `fetch_update` retries on a race, so the sum saturates atomically.
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |nanos| {
                Some(nanos.saturating_add(step))
            });
    }

    /// Moves the clock to `instant` if that is later than now (a clock never goes back).
    pub fn set(&self, instant: Instant) {
        self.nanos.fetch_max(instant.as_nanos(), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        Instant::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}
