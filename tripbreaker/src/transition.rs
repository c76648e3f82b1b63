//! State changes, reported as values as they happen, with why.

use crate::{Counts, Instant, State};

/// One change of state, reported the moment it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transition {
    /// The state left.
    pub from: State,
    /// The state entered.
    pub to: State,
    /// When it happened, on the breaker's clock.
    pub at: Instant,
    /// Why it happened.
    pub reason: Reason,
    /// The counts of the generation that ended, as they stood when the
    /// change fired: for a trip, the counts the rule judged (the last
    /// failure included); for a failed trial, the trials admitted before it
    /// (gobreaker does not count the failure itself); all zero when an open
    /// breaker turns half-open, as an open breaker counts nothing.
    pub counts: Counts,
}

/// Why a breaker changed state: a closed set, one per rule that can move it.
///
/// ```
/// use tripbreaker::{CircuitBreaker, ManualClock, Outcome, Reason, Settings, Transition, TripRule};
///
/// let clock = ManualClock::new();
/// let settings = Settings { ready_to_trip: TripRule::ConsecutiveFailures(2), ..Settings::new("r") };
/// let mut seen = Vec::new();
/// let mut breaker = CircuitBreaker::new(settings, &clock)
///     .unwrap()
///     .with_observer(|_: &str, t: Transition| seen.push((t.reason, t.counts.consecutive_failures)));
/// for _ in 0..2 {
///     let ticket = breaker.try_acquire().unwrap();
///     breaker.record(ticket, Outcome::Failure);
/// }
/// drop(breaker);
/// assert_eq!(seen, [(Reason::ConsecutiveFailures, 2)]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Closed to open: [`TripRule::ConsecutiveFailures`](crate::TripRule::ConsecutiveFailures) tripped.
    ConsecutiveFailures,
    /// Closed to open: [`TripRule::FailureRate`](crate::TripRule::FailureRate) tripped.
    FailureRate,
    /// Closed to open: a [`TripRule::Custom`](crate::TripRule::Custom) rule tripped.
    CustomRule,
    /// Closed or half-open to open: the failure that moved it was a success
    /// slower than [`Settings::slow_call`](crate::Settings::slow_call).
    SlowCall,
    /// Half-open to open: a trial call failed.
    TrialFailed,
    /// Half-open to closed: enough trial calls succeeded in a row.
    TrialsSucceeded,
    /// Open to half-open: the open timeout passed.
    TimeoutElapsed,
    /// Half-open to open: [`Settings::max_half_open_wait`](crate::Settings::max_half_open_wait)
    /// passed with trial calls unfinished.
    HalfOpenWaitExpired,
    /// Into a manual state: `force_open`, `force_closed` or `disable`.
    Forced,
    /// Out of a manual state: `release`.
    Released,
}

impl Reason {
    /// The reason as a metric label: `consecutive_failures`, `failure_rate`,
    /// `custom_rule`, `slow_call`, `trial_failed`, `trials_succeeded`,
    /// `timeout_elapsed`, `half_open_wait_expired`, `forced`, `released`.
    ///
    /// ```
    /// assert_eq!(tripbreaker::Reason::HalfOpenWaitExpired.as_str(), "half_open_wait_expired");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::ConsecutiveFailures => "consecutive_failures",
            Reason::FailureRate => "failure_rate",
            Reason::CustomRule => "custom_rule",
            Reason::SlowCall => "slow_call",
            Reason::TrialFailed => "trial_failed",
            Reason::TrialsSucceeded => "trials_succeeded",
            Reason::TimeoutElapsed => "timeout_elapsed",
            Reason::HalfOpenWaitExpired => "half_open_wait_expired",
            Reason::Forced => "forced",
            Reason::Released => "released",
        }
    }
}

impl core::fmt::Display for Reason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}
