//! How one SayHello ended, and the Go demo's line for it.

use crate::go_status;
use breaker::Rejected;
use tonic::Status;

/// What the page shows instead of a greeting when the breaker refuses a call.
pub const FALLBACK_GREETING: &str = "Hello from the fallback (the service is resting)";

/// How one SayHello ended.
#[derive(Debug)]
pub enum Reply {
    /// The server greeted with this message.
    Greeting(String),
    /// The breaker refused the call; it never reached the network.
    Rejected(Rejected),
    /// The call was made and failed.
    Failed(Status),
}

impl Reply {
    /// The Go demo's line: `Greeting: Hello World`,
    /// `Error calling SayHello: circuit breaker is open`, or
    /// `Error calling SayHello: rpc error: code = … desc = …`.
    ///
    /// ```
    /// use web::Reply;
    /// assert_eq!(Reply::Greeting("Hello World".into()).line(), "Greeting: Hello World");
    /// assert_eq!(
    ///     Reply::Rejected(breaker::Rejected::TooManyRequests).line(),
    ///     "Error calling SayHello: too many requests"
    /// );
    /// ```
    pub fn line(&self) -> String {
        match self {
            Reply::Greeting(message) => format!("Greeting: {message}"),
            Reply::Rejected(rejected) => format!("Error calling SayHello: {rejected}"),
            Reply::Failed(status) => {
                format!("Error calling SayHello: {}", go_status::describe(status))
            }
        }
    }

    /// The greeting to show: the server's, or the fallback when the breaker
    /// refused the call; none when the call failed.
    pub fn greeting(&self) -> Option<&str> {
        match self {
            Reply::Greeting(message) => Some(message),
            Reply::Rejected(_) => Some(FALLBACK_GREETING),
            Reply::Failed(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_go_demo_lines() {
        let lines = [
            Reply::Greeting("Hello World".into()),
            Reply::Failed(Status::invalid_argument("Name cannot be empty")),
            Reply::Rejected(Rejected::Open),
            Reply::Rejected(Rejected::TooManyRequests),
        ]
        .map(|reply| reply.line());
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

    #[test]
    fn a_refused_call_falls_back_and_a_failed_one_does_not() {
        assert_eq!(
            Reply::Rejected(Rejected::Open).greeting(),
            Some(FALLBACK_GREETING)
        );
        assert_eq!(Reply::Failed(Status::unavailable("down")).greeting(), None);
    }
}
