//! Time as the breaker sees it: injected by the caller, never read from the OS
//! by the core.

#[cfg(feature = "browser")]
mod browser;
#[cfg(target_has_atomic = "64")]
mod manual;
#[cfg(all(
    feature = "std",
    not(all(target_arch = "wasm32", target_os = "unknown"))
))]
mod monotonic;

#[cfg(feature = "browser")]
pub use browser::BrowserClock;
#[cfg(target_has_atomic = "64")]
pub use manual::ManualClock;
#[cfg(all(
    feature = "std",
    not(all(target_arch = "wasm32", target_os = "unknown"))
))]
pub use monotonic::MonotonicClock;

use core::time::Duration;

/// A point in time on a [`Clock`]: the time elapsed since the clock's own
/// origin, in nanoseconds. Only instants of the same clock compare meaningfully.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The clock's origin.
    pub const ZERO: Instant = Instant(0);

    /// The instant `nanos` nanoseconds after the origin.
    pub const fn from_nanos(nanos: u64) -> Self {
        Instant(nanos)
    }

    /// The instant `millis` milliseconds after the origin.
    pub const fn from_millis(millis: u64) -> Self {
        Instant(millis.saturating_mul(1_000_000))
    }

    /// Nanoseconds since the origin.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Time since the origin.
    pub const fn since_origin(self) -> Duration {
        Duration::from_nanos(self.0)
    }

    /// This instant moved `duration` later, saturating at the end of time.
    ///
    /// ```
    /// use tripbreaker::Instant;
    /// use core::time::Duration;
    /// assert_eq!(Instant::ZERO.saturating_add(Duration::from_millis(5)), Instant::from_millis(5));
    /// ```
    pub const fn saturating_add(self, duration: Duration) -> Self {
        Instant(self.0.saturating_add(duration_nanos(duration)))
    }

    /// Time from `earlier` to `self`, or zero if `earlier` is later.
    pub const fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

/// A duration in whole nanoseconds, saturating at `u64::MAX` (584 years).
pub(crate) const fn duration_nanos(duration: Duration) -> u64 {
    let nanos = duration.as_nanos();
    if nanos > u64::MAX as u128 {
        u64::MAX
    } else {
        nanos as u64
    }
}

/// A source of monotonic time for the breaker.
///
/// The core never reads the system time: on `wasm32-unknown-unknown`
/// `std::time::Instant::now()` panics, and bare-metal targets have none.
/// Implement this for whatever timer the platform has.
///
/// ```
/// use tripbreaker::{Clock, Instant};
///
/// /// Ticks of a 1 kHz hardware timer.
/// struct Ticks(fn() -> u64);
///
/// impl Clock for Ticks {
///     fn now(&self) -> Instant {
///         Instant::from_millis((self.0)())
///     }
/// }
/// ```
pub trait Clock {
    /// The current time. Must never go backwards.
    fn now(&self) -> Instant;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Instant {
        (**self).now()
    }
}

#[cfg(feature = "std")]
impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> Instant {
        (**self).now()
    }
}

#[cfg(feature = "std")]
impl<C: Clock + ?Sized> Clock for std::rc::Rc<C> {
    fn now(&self) -> Instant {
        (**self).now()
    }
}
