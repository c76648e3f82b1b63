//! What the page adds to a reply: the fallback greeting.

use greeter_client::Reply;

/// What the page shows instead of a greeting when the breaker refuses a call.
pub const FALLBACK_GREETING: &str = "Hello from the fallback (the service is resting)";

/// The greeting to show: the server's, or the fallback when the breaker
/// refused the call; none when the call failed.
pub(crate) fn greeting(reply: &Reply) -> Option<&str> {
    match reply {
        Reply::Answered(message) => Some(message),
        Reply::Rejected(_) => Some(FALLBACK_GREETING),
        Reply::Failed(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Status;
    use tripbreaker::Rejected;

    #[test]
    fn a_refused_call_falls_back_and_a_failed_one_does_not() {
        assert_eq!(
            greeting(&Reply::Rejected(Rejected::Open)),
            Some(FALLBACK_GREETING)
        );
        assert_eq!(
            greeting(&Reply::Answered("Hello x".into())),
            Some("Hello x")
        );
        assert_eq!(greeting(&Reply::Failed(Status::unavailable("down"))), None);
    }
}
