//! The Go demo's spelling, for output that reads as the Go client's: its
//! lines for each reply, gobreaker's observer for each state change, and
//! grpc-go's text for a status.

use crate::Reply;
use tonic::{Code, Status};
use tripbreaker::Transition;

/// The Go demo's line for a reply: `Greeting: Hello World`,
/// `Error calling SayHello: circuit breaker is open`, or
/// `Error calling SayHello: rpc error: code = … desc = …` (gobreaker's and
/// grpc-go's texts, from [`Reply::error_text`]).
///
/// ```
/// use greeter_client::{Reply, reply_line};
/// assert_eq!(reply_line(&Reply::Answered("Hello World".into())), "Greeting: Hello World");
/// assert_eq!(
///     reply_line(&Reply::Rejected(tripbreaker::Rejected::Open)),
///     "Error calling SayHello: circuit breaker is open"
/// );
/// ```
pub fn reply_line(reply: &Reply) -> String {
    match reply {
        Reply::Answered(message) => format!("Greeting: {message}"),
        Reply::Rejected(_) | Reply::Failed(_) => format!(
            "Error calling SayHello: {}",
            reply.error_text().unwrap_or_default()
        ),
    }
}

/// A state change as the Go demo's `OnStateChange` prints it:
/// `Circuit Breaker 'greeter' changed from closed to open`.
///
/// ```
/// use tripbreaker::{Counts, Instant, Reason, State, Transition};
/// let t = Transition {
///     from: State::Open,
///     to: State::HalfOpen,
///     at: Instant::ZERO,
///     reason: Reason::TimeoutElapsed,
///     counts: Counts::default(),
/// };
/// assert_eq!(
///     greeter_client::go_style::transition("greeter", t),
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
///     greeter_client::go_style::describe(&status),
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
/// assert_eq!(greeter_client::go_style::code_name(tonic::Code::Cancelled), "Canceled");
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

#[cfg(test)]
mod tests {
    use super::*;
    use tripbreaker::Rejected;

    #[test]
    fn the_go_demo_lines() {
        let lines = [
            Reply::Answered("Hello World".into()),
            Reply::Failed(Status::invalid_argument("Name cannot be empty")),
            Reply::Rejected(Rejected::Open),
            Reply::Rejected(Rejected::TooManyRequests),
        ]
        .map(|reply| reply_line(&reply));
        assert_eq!(
            lines,
            [
                "Greeting: Hello World",
                "Error calling SayHello: rpc error: code = InvalidArgument desc = Name cannot be empty",
                "Error calling SayHello: circuit breaker is open",
                "Error calling SayHello: too many requests",
            ]
        );
    }
}
