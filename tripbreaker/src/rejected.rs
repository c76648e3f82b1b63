//! The errors returned when a breaker refuses a call.

use core::fmt;

/// Why the breaker refused to admit a call. The call was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rejected {
    /// The breaker is open (or forced open). Displays as `circuit breaker is open`.
    Open,
    /// The breaker is half-open and its trial calls are all taken.
    /// Displays as `too many requests`.
    TooManyRequests,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rejected::Open => "circuit breaker is open",
            Rejected::TooManyRequests => "too many requests",
        })
    }
}

impl core::error::Error for Rejected {}

/// The error of a call made through the breaker: either it was refused, or
/// it was made and returned its own error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError<E> {
    /// The breaker refused the call; it was not made.
    Rejected(Rejected),
    /// The call was made and failed with this error.
    Inner(E),
}

impl<E: fmt::Display> fmt::Display for CallError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Rejected(rejected) => rejected.fmt(f),
            CallError::Inner(error) => error.fmt(f),
        }
    }
}

impl<E: core::error::Error + 'static> core::error::Error for CallError<E> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            CallError::Rejected(rejected) => Some(rejected),
            CallError::Inner(error) => Some(error),
        }
    }
}

impl<E> From<Rejected> for CallError<E> {
    fn from(rejected: Rejected) -> Self {
        CallError::Rejected(rejected)
    }
}
