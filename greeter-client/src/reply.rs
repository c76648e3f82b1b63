//! How one SayHello ended, the breaker's refusals told apart from the
//! server's errors.

use crate::go_style;
use tonic::Status;
use tripbreaker::Rejected;
use tripbreaker_tower::rejection;

/// How one SayHello through the breaker ended.
#[derive(Debug)]
pub enum Reply {
    /// The server answered with this greeting.
    Answered(String),
    /// The breaker refused the call; it never reached the network.
    Rejected(Rejected),
    /// The call was made and failed with this status.
    Failed(Status),
}

impl Reply {
    /// Sorts the generated client's result.
    ///
    /// ```
    /// use greeter_client::Reply;
    /// let reply = Reply::from_result(Err(tonic::Status::unavailable("down")));
    /// assert!(matches!(reply, Reply::Failed(_)));
    /// ```
    pub fn from_result(result: Result<String, Status>) -> Self {
        match result {
            Ok(greeting) => Reply::Answered(greeting),
            Err(status) => match rejection(&status) {
                Some(rejected) => Reply::Rejected(rejected),
                None => Reply::Failed(status),
            },
        }
    }

    /// The error as the Go demo's client prints it: gobreaker's
    /// `circuit breaker is open` / `too many requests`, or grpc-go's
    /// `rpc error: code = … desc = …`; `None` if the server answered.
    ///
    /// ```
    /// use greeter_client::Reply;
    /// let failed = Reply::Failed(tonic::Status::invalid_argument("Name cannot be empty"));
    /// assert_eq!(
    ///     failed.error_text().as_deref(),
    ///     Some("rpc error: code = InvalidArgument desc = Name cannot be empty")
    /// );
    /// let refused = Reply::Rejected(tripbreaker::Rejected::Open);
    /// assert_eq!(refused.error_text().as_deref(), Some("circuit breaker is open"));
    /// ```
    pub fn error_text(&self) -> Option<String> {
        match self {
            Reply::Answered(_) => None,
            Reply::Rejected(rejected) => Some(rejected.to_string()),
            Reply::Failed(status) => Some(go_style::describe(status)),
        }
    }
}
