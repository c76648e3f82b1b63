//! One log line per gRPC call: protocol, method path, gRPC status, latency.
//!
//! The layer sits on the gRPC route inside the gRPC-Web translation, so it
//! sees every call as plain gRPC: the status is in the response headers
//! (trailers-only answers, i.e. errors) or in the trailers (answers with a
//! message). A call dropped before its status was sent (client gone) is
//! logged as such when it is dropped.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Request, Response};
use http_body::{Body as HttpBody, Frame, SizeHint};
use pin_project_lite::pin_project;
use tonic::Code;
use tonic::body::Body;
use tower::{Layer, Service};

use crate::escape::Escaped;
use crate::routing::Protocol;

/// Adds a [`CallLog`] to every call; see the [module docs](self).
#[derive(Debug, Clone, Copy, Default)]
pub struct CallLogLayer;

impl<S> Layer<S> for CallLogLayer {
    type Service = CallLogService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CallLogService { inner }
    }
}

/// The service made by [`CallLogLayer`].
#[derive(Debug, Clone)]
pub struct CallLogService<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for CallLogService<S>
where
    S: Service<Request<B>, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = CallLogFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let protocol = request
            .extensions()
            .get::<Protocol>()
            .copied()
            .unwrap_or(Protocol::Grpc);
        let log = CallLog {
            path: request.uri().path().to_owned(),
            protocol,
            start: Instant::now(),
            done: false,
        };
        CallLogFuture {
            inner: self.inner.call(request),
            log: Some(log),
        }
    }
}

pin_project! {
    /// The response future of [`CallLogService`].
    pub struct CallLogFuture<F> {
        #[pin]
        inner: F,
        log: Option<CallLog>,
    }
}

impl<F, E> Future for CallLogFuture<F>
where
    F: Future<Output = Result<Response<Body>, E>>,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let Some(mut log) = this.log.take() else {
            return Poll::Ready(Ok(response));
        };
        if log.finish_from(response.headers()) {
            return Poll::Ready(Ok(response));
        }
        // The status comes in the trailers: log when they pass by.
        Poll::Ready(Ok(response.map(|body| {
            Body::new(LoggedBody {
                inner: body,
                log: Some(log),
            })
        })))
    }
}

/// What is known of one call until its status is logged. Logs on drop if
/// it was not finished.
#[derive(Debug)]
pub struct CallLog {
    path: String,
    protocol: Protocol,
    start: Instant,
    done: bool,
}

impl CallLog {
    /// Logs the status found in `headers`, if any; returns whether it did.
    fn finish_from(&mut self, headers: &HeaderMap) -> bool {
        let Some(code) = headers.get("grpc-status") else {
            return false;
        };
        let code = Code::from_bytes(code.as_bytes());
        let message = headers
            .get("grpc-message")
            .map(|m| percent_decode(m.as_bytes()))
            .unwrap_or_default();
        self.finish(code, &message);
        true
    }

    fn finish(&mut self, code: Code, message: &str) {
        self.done = true;
        let latency = self.start.elapsed();
        log_call(&self.path, self.protocol, Some(code), message, latency);
    }
}

impl Drop for CallLog {
    fn drop(&mut self) {
        if !self.done {
            log_call(
                &self.path,
                self.protocol,
                None,
                "dropped before its status was sent (client gone or connection closed)",
                self.start.elapsed(),
            );
        }
    }
}

fn log_call(path: &str, protocol: Protocol, code: Option<Code>, message: &str, latency: Duration) {
    // Both come from the client (the path) or may echo it (the message).
    let path = Escaped(path);
    let message = (!message.is_empty()).then_some(Escaped(message));
    match code {
        Some(code) => tracing::info!(
            target: "server::calls",
            protocol = protocol.as_str(),
            %path,
            status = ?code,
            ?latency,
            message = message.map(tracing::field::display),
            "call"
        ),
        None => tracing::info!(
            target: "server::calls",
            protocol = protocol.as_str(),
            %path,
            status = "none",
            ?latency,
            message = message.map(tracing::field::display),
            "call"
        ),
    }
}

/// Decodes `%XX` escapes (how `grpc-message` is sent); keeps bad escapes as they are.
fn percent_decode(bytes: &[u8]) -> String {
    percent_encoding::percent_decode(bytes)
        .decode_utf8_lossy()
        .into_owned()
}

pin_project! {
    /// A response body that logs the call when its trailers pass by.
    struct LoggedBody {
        #[pin]
        inner: Body,
        log: Option<CallLog>,
    }
}

impl HttpBody for LoggedBody {
    type Data = Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        match &frame {
            Some(Ok(frame)) => {
                if let Some(trailers) = frame.trailers_ref()
                    && let Some(log) = this.log.as_mut()
                    && log.finish_from(trailers)
                {
                    *this.log = None;
                }
            }
            Some(Err(status)) => {
                if let Some(mut log) = this.log.take() {
                    log.finish(status.code(), status.message());
                }
            }
            None => {
                if let Some(mut log) = this.log.take() {
                    log.finish(Code::Unknown, "response ended without grpc-status");
                }
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
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
