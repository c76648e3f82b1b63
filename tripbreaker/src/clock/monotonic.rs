//! The operating system's monotonic clock.

use super::{Clock, Instant, duration_nanos};

/// The OS monotonic clock (`std::time::Instant`), measured from when this
/// value was made. Not available on `wasm32-unknown-unknown`, where
/// `std::time::Instant` panics: use `BrowserClock` there.
#[derive(Debug, Clone, Copy)]
pub struct MonotonicClock {
    origin: std::time::Instant,
}

impl MonotonicClock {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        MonotonicClock {
            origin: std::time::Instant::now(),
        }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MonotonicClock {
    fn now(&self) -> Instant {
        Instant::from_nanos(duration_nanos(self.origin.elapsed()))
    }
}
