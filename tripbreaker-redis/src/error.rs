//! Why a shared breaker could not be made.

use std::fmt;

/// Settings the shared breaker cannot run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SettingsError {
    /// The core refuses them too (see [`tripbreaker::Settings::validate`]).
    Invalid(tripbreaker::SettingsError),
    /// [`tripbreaker::TripRule::Custom`]: a Rust function cannot run inside Redis.
    /// Use `ConsecutiveFailures` or `FailureRate`.
    CustomRule,
    /// A rolling window of more than [`MAX_BUCKETS`](crate::MAX_BUCKETS) buckets.
    TooManyBuckets(u128),
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Invalid(error) => error.fmt(f),
            SettingsError::CustomRule => f.write_str(
                "a custom trip rule cannot run inside Redis: use ConsecutiveFailures or FailureRate",
            ),
            SettingsError::TooManyBuckets(buckets) => write!(
                f,
                "a rolling window of {buckets} buckets is more than the {} a shared breaker \
                 keeps: lengthen bucket_period or shorten interval",
                crate::MAX_BUCKETS
            ),
        }
    }
}

impl std::error::Error for SettingsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SettingsError::Invalid(error) => Some(error),
            _ => None,
        }
    }
}

impl From<tripbreaker::SettingsError> for SettingsError {
    fn from(error: tripbreaker::SettingsError) -> Self {
        SettingsError::Invalid(error)
    }
}

/// Why [`Builder::connect`](crate::Builder::connect) failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The settings cannot run on Redis.
    #[error("{0}")]
    Settings(#[from] SettingsError),
    /// The Redis URL is not one the client understands.
    #[error("redis URL: {0}")]
    Url(#[from] redis::RedisError),
}

/// Why one call to the store did not answer: the handle then uses its local breaker.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("no answer within the store timeout of {0:?}")]
    Timeout(std::time::Duration),
    #[error("{0}")]
    Redis(#[from] redis::RedisError),
    #[error("unexpected reply from the breaker script: {0}")]
    Reply(String),
    #[error("the store task ended without an answer")]
    Lost,
}
