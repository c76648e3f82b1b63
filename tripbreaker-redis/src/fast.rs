//! Fast mode: while the shared breaker is closed, a handle admits and
//! counts calls itself and sends what it counted as one script call per
//! sync period, or at once when a failure could trip the breaker.

use std::time::Duration;
use tripbreaker::{Counts, Outcome, TripRule};

/// How a handle uses the shared state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedMode {
    /// Every admission and every outcome is one script call: the shared
    /// breaker decides each call exactly as one local breaker would.
    Exact,
    /// While the shared breaker is closed, calls are admitted and counted
    /// by the handle, with no round trip; what it counted goes to Redis as
    /// one script call every `sync` period (which also tells it the shared
    /// state), or at once when a failure could trip the breaker. Half-open
    /// and open are decided exactly, as in [`SharedMode::Exact`]. See the
    /// crate docs for how late it can be.
    Fast {
        /// The sync period.
        sync: Duration,
    },
}

/// The sync period of fast mode when none is given: 100 ms.
pub const DEFAULT_SYNC: Duration = Duration::from_millis(100);

/// What a handle counted since its last sync: totals, and the runs of
/// outcomes the shared streaks need (in the order recorded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Batch {
    pub(crate) requests: u32,
    pub(crate) successes: u32,
    pub(crate) failures: u32,
    pub(crate) exclusions: u32,
    /// Failures before the first success (all of them if none succeeded).
    pub(crate) lead_failures: u32,
    pub(crate) longest_failures: u32,
    pub(crate) tail_failures: u32,
    pub(crate) tail_successes: u32,
}

impl Batch {
    pub(crate) fn admit(&mut self) {
        self.requests = self.requests.saturating_add(1);
    }

    pub(crate) fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Success => {
                self.successes = self.successes.saturating_add(1);
                self.tail_successes = self.tail_successes.saturating_add(1);
                self.tail_failures = 0;
            }
            Outcome::Failure => {
                self.failures = self.failures.saturating_add(1);
                self.tail_failures = self.tail_failures.saturating_add(1);
                self.tail_successes = 0;
                if self.successes == 0 {
                    self.lead_failures = self.failures;
                }
                self.longest_failures = self.longest_failures.max(self.tail_failures);
            }
            Outcome::Excluded => self.exclusions = self.exclusions.saturating_add(1),
        }
    }

    /// Whether `rule` would trip on the shared counts `seen` with this
    /// batch added, as the sync script adds it.
    pub(crate) fn could_trip(&self, seen: Counts, rule: TripRule) -> bool {
        let counts = Counts {
            requests: seen.requests.saturating_add(self.requests),
            total_successes: seen.total_successes.saturating_add(self.successes),
            total_failures: seen.total_failures.saturating_add(self.failures),
            total_exclusions: seen.total_exclusions.saturating_add(self.exclusions),
            consecutive_successes: 0,
            consecutive_failures: seen
                .consecutive_failures
                .saturating_add(self.lead_failures)
                .max(self.longest_failures),
        };
        self.failures > 0 && rule.is_tripped(&counts)
    }

    /// The script's arguments 21 to 28.
    pub(crate) fn args(&self) -> [u32; 8] {
        [
            self.requests,
            self.successes,
            self.failures,
            self.exclusions,
            self.lead_failures,
            self.longest_failures,
            self.tail_failures,
            self.tail_successes,
        ]
    }
}

/// A call a fast handle admitted itself: in the closed generation
/// `generation` of the key made at `epoch`, at `admitted_nanos` on the
/// handle's clock (for the slow-call rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FastTicket {
    pub(crate) epoch: i64,
    pub(crate) generation: u64,
    pub(crate) admitted_nanos: u64,
}

/// The closed generation a fast handle counts in, with what it counted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub(crate) epoch: i64,
    pub(crate) generation: u64,
    /// The shared counts as the last reply gave them.
    pub(crate) seen: Counts,
    pub(crate) batch: Batch,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_keeps_the_runs_the_shared_streaks_need() {
        let mut batch = Batch::default();
        for outcome in [
            Outcome::Failure,
            Outcome::Success,
            Outcome::Failure,
            Outcome::Failure,
            Outcome::Excluded,
            Outcome::Failure,
            Outcome::Success,
            Outcome::Failure,
        ] {
            batch.admit();
            batch.count(outcome);
        }
        assert_eq!(batch.args(), [8, 2, 5, 1, 1, 3, 1, 0]);
        let rule = TripRule::ConsecutiveFailures(3);
        assert!(batch.could_trip(Counts::default(), rule), "a run of 3");
        let mut two = Batch::default();
        two.count(Outcome::Failure);
        two.count(Outcome::Failure);
        assert!(!two.could_trip(Counts::default(), rule));
        let seen = Counts {
            consecutive_failures: 1,
            ..Counts::default()
        };
        assert!(two.could_trip(seen, rule), "1 shared + 2 here");
    }
}
