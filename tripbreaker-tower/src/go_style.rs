//! Statuses written the way grpc-go prints them, and state changes the way
//! the Go demo's gobreaker observer prints them, for programs that replace
//! a Go client and keep its output.

use tonic::{Code, Status};
use tripbreaker::Transition;

/// A state change as the Go demo's `OnStateChange` prints it:
/// `Circuit Breaker 'greeter' changed from closed to open`.
///
/// ```
/// use tripbreaker::{Instant, State, Transition};
/// let t = Transition { from: State::Open, to: State::HalfOpen, at: Instant::ZERO };
/// assert_eq!(
///     tripbreaker_tower::go_style::transition("greeter", t),
///     "Circuit Breaker 'greeter' changed from open to half-open"
/// );
/// ```
pub fn transition(name: &str, transition: Transition) -> String {
    format!(
        "Circuit Breaker '{name}' changed from {} to {}",
        transition.from, transition.to
    )
}

/// A status as grpc-go prints an error:
/// `rpc error: code = InvalidArgument desc = Name cannot be empty`.
///
/// ```
/// let status = tonic::Status::invalid_argument("Name cannot be empty");
/// assert_eq!(
///     tripbreaker_tower::go_style::describe(&status),
///     "rpc error: code = InvalidArgument desc = Name cannot be empty"
/// );
/// ```
pub fn describe(status: &Status) -> String {
    format!(
        "rpc error: code = {} desc = {}",
        code_name(status.code()),
        status.message()
    )
}

/// A code's name as Go spells it (`Canceled`, not `Cancelled`).
///
/// ```
/// assert_eq!(tripbreaker_tower::go_style::code_name(tonic::Code::Cancelled), "Canceled");
/// ```
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "Canceled",
        Code::Unknown => "Unknown",
        Code::InvalidArgument => "InvalidArgument",
        Code::DeadlineExceeded => "DeadlineExceeded",
        Code::NotFound => "NotFound",
        Code::AlreadyExists => "AlreadyExists",
        Code::PermissionDenied => "PermissionDenied",
        Code::ResourceExhausted => "ResourceExhausted",
        Code::FailedPrecondition => "FailedPrecondition",
        Code::Aborted => "Aborted",
        Code::OutOfRange => "OutOfRange",
        Code::Unimplemented => "Unimplemented",
        Code::Internal => "Internal",
        Code::Unavailable => "Unavailable",
        Code::DataLoss => "DataLoss",
        Code::Unauthenticated => "Unauthenticated",
    }
}
