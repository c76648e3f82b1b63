//! One log line per gRPC call (target `server::calls`): protocol, method
//! path, gRPC status and message, latency; made by tower-http's `TraceLayer`.
//!
//! The layer sits inside the gRPC-Web translation, so it sees every call as
//! plain gRPC: the status is in the response headers (trailers-only answers,
//! i.e. errors) or in the trailers. `TraceLayer`'s callbacks are shared by
//! every call; what follows one call from its request to its end is its
//! classifier, so the classifier ([`CallLog`], gRPC's own classification)
//! writes the line: once the status is known, or when the call is dropped
//! before it was sent (client gone). The same moment counts the call in
//! the server's metrics (the `telemetry` module).

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use http::{HeaderMap, HeaderName, Request, Response};
use tonic::Code;
use tower_http::classify::{
    ClassifiedResponse, ClassifyEos, ClassifyResponse, GrpcEosErrorsAsFailures,
    GrpcErrorsAsFailures, GrpcFailureClass, MakeClassifier,
};
use tower_http::trace::{DefaultMakeSpan, TraceLayer};

use crate::escape::Escaped;
use crate::routing::Protocol;
use crate::telemetry;

// Made once: a lookup by `&str` parses the name again on every call.
const GRPC_STATUS: HeaderName = HeaderName::from_static("grpc-status");
const GRPC_MESSAGE: HeaderName = HeaderName::from_static("grpc-message");

/// The call log layer; see the [module docs](self).
pub type CallLogLayer = TraceLayer<MakeCallLog, DefaultMakeSpan, (), (), (), (), ()>;

/// The call log layer: the lines come from the classifier, no other callback logs.
pub fn call_log_layer() -> CallLogLayer {
    TraceLayer::new(MakeCallLog)
        .on_request(())
        .on_response(())
        .on_body_chunk(())
        .on_eos(())
        .on_failure(())
}

/// Makes a [`CallLog`] for each call.
#[derive(Debug, Clone, Copy, Default)]
pub struct MakeCallLog;

impl MakeClassifier for MakeCallLog {
    type Classifier = CallLog;
    type FailureClass = GrpcFailureClass;
    type ClassifyEos = CallLogEos;

    fn make_classifier<B>(&self, request: &Request<B>) -> CallLog {
        let protocol = request
            .extensions()
            .get::<Protocol>()
            .copied()
            .unwrap_or(Protocol::Grpc);
        CallLog {
            // A clone of the URI shares its bytes: no copy per call.
            call: Call::new(request.uri().clone(), protocol),
            grpc: GrpcErrorsAsFailures::new(),
        }
    }
}

/// One call until its response head: classified as gRPC classifies it, and
/// logged when its status is in the head.
#[derive(Debug, Clone)]
pub struct CallLog {
    call: Call,
    grpc: GrpcErrorsAsFailures,
}

impl ClassifyResponse for CallLog {
    type FailureClass = GrpcFailureClass;
    type ClassifyEos = CallLogEos;

    fn classify_response<B>(
        self,
        response: &Response<B>,
    ) -> ClassifiedResponse<GrpcFailureClass, CallLogEos> {
        match self.grpc.classify_response(response) {
            ClassifiedResponse::Ready(class) => {
                self.call.finish_from(response.headers());
                ClassifiedResponse::Ready(class)
            }
            ClassifiedResponse::RequiresEos(grpc) => ClassifiedResponse::RequiresEos(CallLogEos {
                call: self.call,
                grpc,
            }),
        }
    }

    fn classify_error<E: std::fmt::Display + 'static>(self, error: &E) -> GrpcFailureClass {
        self.call.finish_with_error(error);
        self.grpc.classify_error(error)
    }
}

/// One call whose status comes in the trailers: logged when they pass by.
#[derive(Debug, Clone)]
pub struct CallLogEos {
    call: Call,
    grpc: GrpcEosErrorsAsFailures,
}

impl ClassifyEos for CallLogEos {
    type FailureClass = GrpcFailureClass;

    fn classify_eos(self, trailers: Option<&HeaderMap>) -> Result<(), GrpcFailureClass> {
        match trailers {
            Some(trailers) if trailers.contains_key(GRPC_STATUS) => {
                self.call.finish_from(trailers);
            }
            _ => self
                .call
                .finish(Some(Code::Unknown), "response ended without grpc-status"),
        }
        self.grpc.classify_eos(trailers)
    }

    fn classify_error<E: std::fmt::Display + 'static>(self, error: &E) -> GrpcFailureClass {
        self.call.finish_with_error(error);
        self.grpc.classify_error(error)
    }
}

/// One call, shared by the classifier's clones: logged once, when its
/// status is known or, failing that, when the last of them is dropped.
#[derive(Debug, Clone)]
struct Call(Arc<CallState>);

#[derive(Debug)]
struct CallState {
    uri: http::Uri,
    protocol: Protocol,
    start: Instant,
    logged: AtomicBool,
}

impl Call {
    fn new(uri: http::Uri, protocol: Protocol) -> Self {
        telemetry::call_begun(uri.path());
        Self(Arc::new(CallState {
            uri,
            protocol,
            start: Instant::now(),
            logged: AtomicBool::new(false),
        }))
    }

    /// Logs the status in `headers` (`grpc-status`, `grpc-message`).
    fn finish_from(&self, headers: &HeaderMap) {
        let code = headers
            .get(GRPC_STATUS)
            .map(|code| Code::from_bytes(code.as_bytes()));
        let message = headers
            .get(GRPC_MESSAGE)
            .map(|m| percent_decode(m.as_bytes()))
            .unwrap_or_default();
        self.finish(code, &message);
    }

    /// Logs a failed response body: a tonic status (a request body limit,
    /// say) as it is, anything else as `Unknown`.
    fn finish_with_error<E: std::fmt::Display + 'static>(&self, error: &E) {
        match (error as &dyn Any).downcast_ref::<tonic::Status>() {
            Some(status) => self.finish(Some(status.code()), status.message()),
            None => self.finish(Some(Code::Unknown), &error.to_string()),
        }
    }

    fn finish(&self, code: Option<Code>, message: &str) {
        if !self.0.logged.swap(true, Ordering::AcqRel) {
            self.0.log(code, message);
        }
    }
}

impl CallState {
    fn log(&self, code: Option<Code>, message: &str) {
        let path = self.uri.path();
        telemetry::call_ended(path, code);
        // Both come from the client (the path) or may echo it (the message).
        let message = (!message.is_empty()).then_some(Escaped(message));
        tracing::info!(
            target: "server::calls",
            protocol = self.protocol.as_str(),
            path = %Escaped(path),
            status = %StatusName(code),
            latency = ?self.start.elapsed(),
            message = message.map(tracing::field::display),
            "call"
        );
    }
}

/// A call's status as the log writes it (`Ok`, `Unavailable`, …, or
/// `none`), written only if the line is.
struct StatusName(Option<Code>);

impl std::fmt::Display for StatusName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(code) => write!(f, "{code:?}"),
            None => f.write_str("none"),
        }
    }
}

impl Drop for CallState {
    fn drop(&mut self) {
        if !*self.logged.get_mut() {
            self.log(
                None,
                "dropped before its status was sent (client gone or connection closed)",
            );
        }
    }
}

/// Decodes `%XX` escapes (how `grpc-message` is sent); keeps bad escapes as they are.
fn percent_decode(bytes: &[u8]) -> String {
    percent_encoding::percent_decode(bytes)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(
            percent_decode(b"Name%20cannot%20be%20empty"),
            "Name cannot be empty"
        );
        assert_eq!(percent_decode(b"100%"), "100%");
        assert_eq!(percent_decode(b"%zz%4"), "%zz%4");
        assert_eq!(percent_decode(b"caf%C3%A9"), "café");
    }
}
