//! How one SayHello ended, and the Go demo's line for it.

/// What the page shows instead of a greeting when the breaker refuses a call.
pub const FALLBACK_GREETING: &str = "Hello from the fallback (the service is resting)";

/// How one SayHello ended: the greeting, the breaker's refusal, or the failure.
pub type Reply = breaker_tower::Reply<String>;

/// The Go demo's line: `Greeting: Hello World`,
/// `Error calling SayHello: circuit breaker is open`, or
/// `Error calling SayHello: rpc error: code = … desc = …`.
///
/// ```
/// use web::{Reply, line};
/// assert_eq!(line(&Reply::Answered("Hello World".into())), "Greeting: Hello World");
/// assert_eq!(
///     line(&Reply::Rejected(breaker::Rejected::TooManyRequests)),
///     "Error calling SayHello: too many requests"
/// );
/// ```
pub fn line(reply: &Reply) -> String {
    match (reply, reply.error_text()) {
        (Reply::Answered(message), _) => format!("Greeting: {message}"),
        (_, error) => format!("Error calling SayHello: {}", error.unwrap_or_default()),
    }
}

/// The greeting to show: the server's, or the fallback when the breaker
/// refused the call; none when the call failed.
pub fn greeting(reply: &Reply) -> Option<&str> {
    match reply {
        Reply::Answered(message) => Some(message),
        Reply::Rejected(_) => Some(FALLBACK_GREETING),
        Reply::Failed(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use breaker::Rejected;
    use tonic::Status;

    #[test]
    fn the_go_demo_lines() {
        let lines = [
            Reply::Answered("Hello World".into()),
            Reply::Failed(Status::invalid_argument("Name cannot be empty")),
            Reply::Rejected(Rejected::Open),
            Reply::Rejected(Rejected::TooManyRequests),
        ]
        .map(|reply| line(&reply));
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
            greeting(&Reply::Rejected(Rejected::Open)),
            Some(FALLBACK_GREETING)
        );
        assert_eq!(greeting(&Reply::Failed(Status::unavailable("down"))), None);
    }
}
