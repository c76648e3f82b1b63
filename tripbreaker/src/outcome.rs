//! How a finished call is counted.

/// How a finished call counts towards tripping the breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The call worked: it counts as a success.
    Success,
    /// The call failed in a way that says the callee is unhealthy.
    Failure,
    /// Neither: counted only in [`Counts::total_exclusions`](crate::Counts::total_exclusions)
    /// (for example a caller's own mistake, or a cancelled call). In half-open
    /// it gives its admission slot back.
    Excluded,
}

/// Decides the [`Outcome`] of a call from its result.
///
/// Implemented for every `Fn(&Result<T, E>) -> Outcome`, so a closure works:
///
/// ```
/// use tripbreaker::{Classify, Outcome};
///
/// let not_found_is_fine = |result: &Result<u32, &str>| match result {
///     Ok(_) => Outcome::Success,
///     Err(error) if *error == "not found" => Outcome::Success,
///     Err(_) => Outcome::Failure,
/// };
/// assert_eq!(not_found_is_fine.classify(&Err("not found")), Outcome::Success);
/// ```
pub trait Classify<T, E> {
    /// The outcome of a call that returned `result`.
    fn classify(&self, result: &Result<T, E>) -> Outcome;
}

impl<T, E, F> Classify<T, E> for F
where
    F: Fn(&Result<T, E>) -> Outcome,
{
    fn classify(&self, result: &Result<T, E>) -> Outcome {
        self(result)
    }
}

/// gobreaker's default: `Ok` is a success, every `Err` is a failure.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorIsFailure;

impl<T, E> Classify<T, E> for ErrorIsFailure {
    fn classify(&self, result: &Result<T, E>) -> Outcome {
        match result {
            Ok(_) => Outcome::Success,
            Err(_) => Outcome::Failure,
        }
    }
}
