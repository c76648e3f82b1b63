//! The request and outcome counters of one generation.

/// What the breaker counted in the current generation (and, with a rolling
/// window, within the window).
///
/// Counts are cleared on every state change and, while closed, when the
/// interval ends. Outcomes of calls admitted before a clear are ignored.
///
/// Each count stops at `u32::MAX` instead of wrapping to 0 as gobreaker's
/// do: after four billion calls in one generation a wrapped count would
/// reset a failure rate or a streak. This is the one place the counts can
/// differ from gobreaker's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Counts {
    /// Calls admitted.
    pub requests: u32,
    /// Outcomes recorded as successes.
    pub total_successes: u32,
    /// Outcomes recorded as failures.
    pub total_failures: u32,
    /// Outcomes recorded as neither (excluded, or permits dropped without an outcome).
    pub total_exclusions: u32,
    /// Successes since the last failure.
    pub consecutive_successes: u32,
    /// Failures since the last success.
    pub consecutive_failures: u32,
}

impl Counts {
    /// The share of admitted calls that failed, `total_failures / requests`,
    /// or `0.0` when nothing was admitted.
    ///
    /// ```
    /// let counts = tripbreaker::Counts { requests: 4, total_failures: 1, ..Default::default() };
    /// assert_eq!(counts.failure_rate(), 0.25);
    /// ```
    pub fn failure_rate(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            f64::from(self.total_failures) / f64::from(self.requests)
        }
    }

    /// Admitted calls whose slot is still taken: those not excluded.
    pub(crate) const fn occupied_slots(&self) -> u32 {
        self.requests.saturating_sub(self.total_exclusions)
    }

    pub(crate) fn on_request(&mut self) {
        self.requests = self.requests.saturating_add(1);
    }

    pub(crate) fn on_success(&mut self) {
        self.total_successes = self.total_successes.saturating_add(1);
        self.consecutive_successes = self.consecutive_successes.saturating_add(1);
        self.consecutive_failures = 0;
    }

    pub(crate) fn on_failure(&mut self) {
        self.total_failures = self.total_failures.saturating_add(1);
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        self.consecutive_successes = 0;
    }

    /// `n` successes in a row: the same as `n` calls of [`Self::on_success`].
    pub(crate) fn on_successes(&mut self, n: u32) {
        if n > 0 {
            self.total_successes = self.total_successes.saturating_add(n);
            self.consecutive_successes = self.consecutive_successes.saturating_add(n);
            self.consecutive_failures = 0;
        }
    }

    pub(crate) fn on_exclusion(&mut self) {
        self.total_exclusions = self.total_exclusions.saturating_add(1);
    }
}
