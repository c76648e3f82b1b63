//! A guarded call's result with the breaker's refusals told apart from the
//! server's errors.

use crate::{go_style, rejection};
use tonic::Status;
use tripbreaker::Rejected;

/// How a call through [`CircuitBreakerLayer`](crate::CircuitBreakerLayer) ended.
#[derive(Debug)]
pub enum Reply<T> {
    /// The server answered.
    Answered(T),
    /// The breaker refused the call; it never reached the network.
    Rejected(Rejected),
    /// The call was made and failed with this status.
    Failed(Status),
}

impl<T> Reply<T> {
    /// Sorts a generated client's result.
    ///
    /// ```
    /// use tripbreaker_tower::Reply;
    /// let reply = Reply::from_result(Err::<(), _>(tonic::Status::unavailable("down")));
    /// assert!(matches!(reply, Reply::Failed(_)));
    /// ```
    pub fn from_result(result: Result<T, Status>) -> Self {
        match result {
            Ok(answer) => Reply::Answered(answer),
            Err(status) => match rejection(&status) {
                Some(rejected) => Reply::Rejected(rejected),
                None => Reply::Failed(status),
            },
        }
    }

    /// The error as a Go client of the demo prints it: gobreaker's
    /// `circuit breaker is open` / `too many requests`, or grpc-go's
    /// `rpc error: code = … desc = …`; `None` if the server answered.
    ///
    /// ```
    /// use tripbreaker_tower::Reply;
    /// let failed = Reply::<()>::Failed(tonic::Status::invalid_argument("Name cannot be empty"));
    /// assert_eq!(
    ///     failed.error_text().as_deref(),
    ///     Some("rpc error: code = InvalidArgument desc = Name cannot be empty")
    /// );
    /// let refused = Reply::<()>::Rejected(tripbreaker::Rejected::Open);
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
