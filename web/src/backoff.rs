//! How long the page waits before it tries a stream again: doubling from a
//! quarter of a second to five seconds, so a server that restarts is found
//! again quickly and one that stays down is not hammered.

use std::time::Duration;

/// The first wait after a stream that had delivered its snapshot.
pub const FIRST_WAIT: Duration = Duration::from_millis(250);

/// The longest wait.
pub const MAX_WAIT: Duration = Duration::from_secs(5);

/// The waits before each try again, and how many tries failed in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    next: Duration,
    failures: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            next: FIRST_WAIT,
            failures: 0,
        }
    }
}

impl Backoff {
    /// The wait before the next try, after one more failure: twice the last
    /// one, at most [`MAX_WAIT`].
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = (wait * 2).min(MAX_WAIT);
        self.failures = self.failures.saturating_add(1);
        wait
    }

    /// Tries that failed in a row since the last [`reset`](Self::reset).
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Back to the first wait: the stream worked.
    pub fn reset(&mut self) {
        *self = Backoff::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap() {
        let mut backoff = Backoff::default();
        let waits: Vec<u128> = (0..8).map(|_| backoff.next_wait().as_millis()).collect();
        assert_eq!(waits, [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
        assert_eq!(backoff.failures(), 8);
    }

    #[test]
    fn a_reset_starts_over() {
        let mut backoff = Backoff::default();
        backoff.next_wait();
        backoff.next_wait();
        backoff.reset();
        assert_eq!(backoff.failures(), 0);
        assert_eq!(backoff.next_wait(), FIRST_WAIT);
    }
}
