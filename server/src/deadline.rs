//! Call deadlines: the client's `grpc-timeout` or the server's request timeout,
//! whichever is shorter, answered with `DeadlineExceeded`.
//!
//! This layer is the server's only deadline: the server runs on hyper, not
//! on tonic's `Server`, which adds a timer of its own answering `Cancelled:
//! Timeout expired` outside the gRPC-Web and CORS layers. It
//! sits inside the gRPC-Web and CORS layers, so its answer goes through
//! them like any other. Its timer starts in `call`, so time spent waiting
//! for a slot ([`crate::limit`]) counts. When it fires, the handler's future
//! is dropped: a slow handler stops right there.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{HeaderMap, Request, Response};
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tonic::Status;

use crate::telemetry::{self, Limit};
use tower::{Layer, Service};

/// How much earlier than the client's `grpc-timeout` the server gives up, so
/// that on a fast network its `DeadlineExceeded` usually reaches the client
/// before the client's own timer ends the call (one tick of tokio's timer wheel).
pub const CLIENT_DEADLINE_MARGIN: Duration = Duration::from_millis(1);

/// The header a gRPC client states its deadline in.
pub const GRPC_TIMEOUT: &str = "grpc-timeout";

/// Parses a `grpc-timeout` value: 1 to 8 digits and a unit among `H`, `M`,
/// `S`, `m`, `u`, `n`. Anything else is `None`.
///
/// ```
/// use std::time::Duration;
/// use server::deadline::parse_grpc_timeout;
///
/// assert_eq!(parse_grpc_timeout("250m"), Some(Duration::from_millis(250)));
/// assert_eq!(parse_grpc_timeout("2S"), Some(Duration::from_secs(2)));
/// assert_eq!(parse_grpc_timeout("123456789m"), None);
/// assert_eq!(parse_grpc_timeout("5"), None);
/// ```
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let unit_at = value.len().checked_sub(1)?;
    if !value.is_char_boundary(unit_at) {
        return None;
    }
    let (digits, unit) = value.split_at(unit_at);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

fn client_timeout(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(GRPC_TIMEOUT)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_grpc_timeout)
}

/// Applies deadlines to gRPC calls; see the [module docs](self).
#[derive(Debug, Clone, Copy)]
pub struct DeadlineLayer {
    max: Duration,
}

impl DeadlineLayer {
    /// Calls run at most `max`, or less if the client asks for less.
    pub fn new(max: Duration) -> Self {
        Self { max }
    }
}

impl<S> Layer<S> for DeadlineLayer {
    type Service = Deadline<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Deadline {
            inner,
            max: self.max,
        }
    }
}

/// The service made by [`DeadlineLayer`].
#[derive(Debug, Clone)]
pub struct Deadline<S> {
    inner: S,
    max: Duration,
}

impl<S, B, ResBody> Service<Request<B>> for Deadline<S>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = DeadlineFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let (timeout, from_client) = match client_timeout(request.headers()) {
            Some(client) if client <= self.max => (client, true),
            _ => (self.max, false),
        };
        let sleep_for = if from_client {
            timeout.saturating_sub(CLIENT_DEADLINE_MARGIN)
        } else {
            timeout
        };
        DeadlineFuture {
            inner: self.inner.call(request),
            // Created now, not on first poll: the wait for a slot counts.
            sleep: tokio::time::sleep(sleep_for),
            timeout,
            from_client,
        }
    }
}

pin_project! {
    /// The response future of [`Deadline`].
    pub struct DeadlineFuture<F> {
        #[pin]
        inner: F,
        #[pin]
        sleep: Sleep,
        timeout: Duration,
        from_client: bool,
    }
}

impl<F, ResBody, E> Future for DeadlineFuture<F>
where
    F: Future<Output = Result<Response<ResBody>, E>>,
    ResBody: Default,
{
    type Output = Result<Response<ResBody>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(out) = this.inner.poll(cx) {
            return Poll::Ready(out);
        }
        if this.sleep.poll(cx).is_pending() {
            return Poll::Pending;
        }
        telemetry::refused(Limit::CallDeadline);
        let message = if *this.from_client {
            format!("Deadline of {:?} set by the client exceeded", this.timeout)
        } else {
            format!("Request timed out after {:?}", this.timeout)
        };
        Poll::Ready(Ok(Status::deadline_exceeded(message).into_http()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("2M"), Some(Duration::from_secs(120)));
        assert_eq!(parse_grpc_timeout("3S"), Some(Duration::from_secs(3)));
        assert_eq!(parse_grpc_timeout("4m"), Some(Duration::from_millis(4)));
        assert_eq!(parse_grpc_timeout("5u"), Some(Duration::from_micros(5)));
        assert_eq!(parse_grpc_timeout("6n"), Some(Duration::from_nanos(6)));
        assert_eq!(
            parse_grpc_timeout("99999999S"),
            Some(Duration::from_secs(99_999_999))
        );
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "m",
            "1x",
            "-1m",
            "+1m",
            "1.5S",
            "123456789S",
            "1é",
            " 1m",
        ] {
            assert_eq!(parse_grpc_timeout(bad), None, "{bad:?}");
        }
    }
}
