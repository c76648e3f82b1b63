//! Errors written the way the Go demo's client prints them.

use tonic::{Code, Status};

/// A status as Go's gRPC prints an error:
/// `rpc error: code = InvalidArgument desc = Name cannot be empty`.
///
/// ```
/// let status = tonic::Status::invalid_argument("Name cannot be empty");
/// assert_eq!(
///     web::go_status::describe(&status),
///     "rpc error: code = InvalidArgument desc = Name cannot be empty"
/// );
/// ```
pub fn describe(status: &Status) -> String {
    format!(
        "rpc error: code = {} desc = {}",
        go_code_name(status.code()),
        status.message()
    )
}

/// A code's name as Go spells it (`Canceled`, not `Cancelled`).
pub fn go_code_name(code: Code) -> &'static str {
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

    #[test]
    fn go_spells_cancelled_with_one_l() {
        assert_eq!(
            describe(&Status::cancelled("stop")),
            "rpc error: code = Canceled desc = stop"
        );
        assert_eq!(go_code_name(Code::DeadlineExceeded), "DeadlineExceeded");
    }
}
