//! The Go demo's lines for what the client saw.

use crate::Reply;

/// The Go demo's line for a reply: `Greeting: Hello World`,
/// `Error calling SayHello: circuit breaker is open`, or
/// `Error calling SayHello: rpc error: code = … desc = …` (grpc-go's and
/// gobreaker's texts, from [`Reply::error_text`]). State changes are
/// written by [`tripbreaker_tower::go_style::transition`].
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

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Status;
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
