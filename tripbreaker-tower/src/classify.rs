//! Which gRPC status codes count as failures of the callee.

use tonic::Code;
use tripbreaker::Outcome;

/// Maps the gRPC status code a call ended with to its [`Outcome`].
#[derive(Debug, Clone, Copy)]
pub struct GrpcClassifier {
    classify: fn(Code) -> Outcome,
}

impl GrpcClassifier {
    /// The default: the callee's own trouble counts against it, the
    /// caller's mistakes do not.
    ///
    /// - success: `Ok`;
    /// - failure: `Unavailable`, `DeadlineExceeded`, `Internal`, `Unknown`,
    ///   `ResourceExhausted`, `DataLoss`;
    /// - excluded: `InvalidArgument`, `NotFound`, `AlreadyExists`,
    ///   `PermissionDenied`, `Unauthenticated`, `FailedPrecondition`,
    ///   `OutOfRange`, `Cancelled`, `Aborted`, `Unimplemented`.
    ///
    /// ```
    /// use tripbreaker::Outcome;
    /// use tripbreaker_tower::GrpcClassifier;
    /// use tonic::Code;
    ///
    /// let classifier = GrpcClassifier::server_errors();
    /// assert_eq!(classifier.classify(Code::Unavailable), Outcome::Failure);
    /// assert_eq!(classifier.classify(Code::InvalidArgument), Outcome::Excluded);
    /// ```
    pub const fn server_errors() -> Self {
        GrpcClassifier {
            classify: server_errors,
        }
    }

    /// Every code but `Ok` is a failure, as in the Go demo (where an empty
    /// name's `InvalidArgument` trips the breaker).
    pub const fn every_error() -> Self {
        GrpcClassifier {
            classify: every_error,
        }
    }

    /// Your own mapping.
    pub const fn custom(classify: fn(Code) -> Outcome) -> Self {
        GrpcClassifier { classify }
    }

    /// The outcome of a call that ended with `code`.
    pub fn classify(&self, code: Code) -> Outcome {
        (self.classify)(code)
    }
}

impl Default for GrpcClassifier {
    fn default() -> Self {
        Self::server_errors()
    }
}

fn server_errors(code: Code) -> Outcome {
    match code {
        Code::Ok => Outcome::Success,
        Code::Unavailable
        | Code::DeadlineExceeded
        | Code::Internal
        | Code::Unknown
        | Code::ResourceExhausted
        | Code::DataLoss => Outcome::Failure,
        Code::InvalidArgument
        | Code::NotFound
        | Code::AlreadyExists
        | Code::PermissionDenied
        | Code::Unauthenticated
        | Code::FailedPrecondition
        | Code::OutOfRange
        | Code::Cancelled
        | Code::Aborted
        | Code::Unimplemented => Outcome::Excluded,
    }
}

fn every_error(code: Code) -> Outcome {
    match code {
        Code::Ok => Outcome::Success,
        _ => Outcome::Failure,
    }
}

/// `grpc-status`, made once: looking a header up by a `&str` parses the
/// name again on every call.
pub(crate) const GRPC_STATUS: http::HeaderName = http::HeaderName::from_static("grpc-status");

/// The gRPC status code in `headers` (response headers of a trailers-only
/// reply, or trailers), if there is one. Only `grpc-status` is read: a
/// malformed `grpc-message` or details header must not hide the code.
pub(crate) fn status_code(headers: &http::HeaderMap) -> Option<Code> {
    headers
        .get(GRPC_STATUS)
        .map(|value| Code::from_bytes(value.as_bytes()))
}
