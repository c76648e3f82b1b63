//! What the server counts, through the `metrics` facade: nothing is kept
//! unless the binary serves them (`--metrics-addr`, see `metrics-endpoint`).
//! Every label value comes from a closed set, whatever clients send.
//!
//! - `grpc_server_calls_total{method, grpc_status}`: calls ended, by method
//!   and status (`none` for a call dropped before its status was sent);
//! - `grpc_server_calls_in_flight{method}`: calls begun and not yet ended;
//! - `server_refusals_total{limit}`: requests and connections refused or
//!   closed, by the limit that did it ([`Limit`]).

use tonic::Code;

/// The methods the server serves; any other path is counted as `other`.
const METHODS: [&str; 4] = [
    "/greeter.Greeter/SayHello",
    "/greeter.Faults/SetMode",
    "/greeter.Faults/GetStatus",
    "/greeter.Faults/ResetCounters",
];

/// `path` as a label: one of [`METHODS`], or `other`.
fn method_label(path: &str) -> &'static str {
    METHODS
        .iter()
        .find(|method| **method == path)
        .copied()
        .unwrap_or("other")
}

/// Notes a gRPC call to `path` begun.
pub(crate) fn call_begun(path: &str) {
    metrics::gauge!("grpc_server_calls_in_flight", "method" => method_label(path)).increment(1);
}

/// Notes a gRPC call to `path` ended with `code` (`None`: no status sent).
pub(crate) fn call_ended(path: &str, code: Option<Code>) {
    let method = method_label(path);
    metrics::gauge!("grpc_server_calls_in_flight", "method" => method).decrement(1);
    let status = code.map_or("none", code_label);
    metrics::counter!("grpc_server_calls_total", "method" => method, "grpc_status" => status)
        .increment(1);
}

/// The limits that refuse a request or close a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Limit {
    /// `421`: a `Host` the server does not answer to.
    Host,
    /// `403`: an `Origin` CORS refuses.
    Origin,
    /// SayHello's queue full (`--max-queued-requests`).
    GreeterQueue,
    /// The fault controls' queue full.
    FaultsQueue,
    /// The fleet service's queue full.
    FleetQueue,
    /// Every fleet watch slot taken (`--max-watchers`).
    Watchers,
    /// The page's queue full.
    PageQueue,
    /// A request body past `--max-request-body-bytes`.
    BodyTooLarge,
    /// A request body idle past `--body-timeout`.
    BodyIdle,
    /// A request body not whole by `--body-deadline`.
    BodyDeadline,
    /// A call past its deadline (`--request-timeout` or the client's).
    CallDeadline,
    /// A connection that gave way to a new one past `--max-connections`.
    ConnectionGaveWay,
    /// A connection with no whole request head by `--header-read-timeout`.
    NoRequest,
    /// A connection whose response stalled on a file (`--stall-timeout`).
    StalledFile,
}

impl Limit {
    /// Its `limit` label.
    fn label(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Origin => "origin",
            Self::GreeterQueue => "greeter_queue",
            Self::FaultsQueue => "faults_queue",
            Self::FleetQueue => "fleet_queue",
            Self::Watchers => "watchers",
            Self::PageQueue => "page_queue",
            Self::BodyTooLarge => "body_too_large",
            Self::BodyIdle => "body_idle",
            Self::BodyDeadline => "body_deadline",
            Self::CallDeadline => "call_deadline",
            Self::ConnectionGaveWay => "connection_gave_way",
            Self::NoRequest => "no_request",
            Self::StalledFile => "stalled_file",
        }
    }
}

/// Notes a refusal by `limit`.
pub(crate) fn refused(limit: Limit) {
    metrics::counter!("server_refusals_total", "limit" => limit.label()).increment(1);
}

/// A gRPC status code as a label: its name in gRPC's spelling.
fn code_label(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_closed_sets() {
        assert_eq!(
            method_label("/greeter.Greeter/SayHello"),
            "/greeter.Greeter/SayHello"
        );
        assert_eq!(method_label("/evil\u{1b}[31m/Path"), "other");
        assert_eq!(code_label(Code::Unavailable), "UNAVAILABLE");
    }
}
