//! Which failed calls are tried again, and after how long.

use crate::Settings;
use std::time::Duration;
use tonic::{Code, Status};

/// Whether a call that failed with `status` may succeed if tried again:
/// `Unavailable`, `DeadlineExceeded`, and tonic's own client-side deadline,
/// which it reports as `Cancelled: Timeout expired`.
///
/// ```
/// use greeter_client::is_transient;
/// use tonic::{Code, Status};
/// assert!(is_transient(&Status::unavailable("connection refused")));
/// assert!(is_transient(&Status::new(Code::Cancelled, "Timeout expired")));
/// assert!(!is_transient(&Status::cancelled("the caller gave up")));
/// assert!(!is_transient(&Status::invalid_argument("Name cannot be empty")));
/// ```
pub fn is_transient(status: &Status) -> bool {
    match status.code() {
        Code::Unavailable | Code::DeadlineExceeded => true,
        Code::Cancelled => status.message() == "Timeout expired",
        _ => false,
    }
}

/// How many times a failed call is tried again, and the wait before each:
/// the first [`Settings::retry_backoff`], then twice as long each time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first try.
    pub retries: u32,
    /// The wait before the first retry.
    pub first_backoff: Duration,
}

impl RetryPolicy {
    /// The policy `settings` describe.
    pub fn of(settings: &Settings) -> Self {
        RetryPolicy {
            retries: settings.retries,
            first_backoff: settings.retry_backoff,
        }
    }

    /// The wait before retrying a call that has been retried `retried`
    /// times and now failed with `status`; `None` when it is not tried
    /// again (not transient, or no retries left). Whether the breaker is
    /// open is the caller's to check, before and after the wait.
    ///
    /// ```
    /// use greeter_client::RetryPolicy;
    /// use std::time::Duration;
    /// let policy = RetryPolicy { retries: 2, first_backoff: Duration::from_millis(100) };
    /// let down = tonic::Status::unavailable("down");
    /// assert_eq!(policy.backoff(&down, 0), Some(Duration::from_millis(100)));
    /// assert_eq!(policy.backoff(&down, 1), Some(Duration::from_millis(200)));
    /// assert_eq!(policy.backoff(&down, 2), None);
    /// ```
    pub fn backoff(&self, status: &Status, retried: u32) -> Option<Duration> {
        (is_transient(status) && retried < self.retries)
            .then(|| self.first_backoff.saturating_mul(1 << retried.min(31)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caller_mistakes_and_plain_cancellations_are_not_retried() {
        let policy = RetryPolicy {
            retries: 10,
            first_backoff: Duration::from_millis(1),
        };
        for status in [
            Status::invalid_argument("Name cannot be empty"),
            Status::cancelled("dropped"),
            Status::internal("bug"),
        ] {
            assert_eq!(policy.backoff(&status, 0), None, "{status:?}");
        }
        assert_eq!(
            policy.backoff(&Status::deadline_exceeded("slow"), 9),
            Some(Duration::from_millis(512))
        );
        assert_eq!(policy.backoff(&Status::deadline_exceeded("slow"), 10), None);
    }

    #[test]
    fn the_backoff_saturates_instead_of_overflowing() {
        let policy = RetryPolicy {
            retries: u32::MAX,
            first_backoff: Duration::MAX,
        };
        let down = Status::unavailable("down");
        assert_eq!(policy.backoff(&down, 40), Some(Duration::MAX));
    }
}
