//! Limits on gRPC request bodies: an idle timeout between frames, a
//! deadline for the whole body, and a size limit.
//!
//! Each fails the body with a `tonic::Status`, which tonic answers as it
//! is: a client that stalls, trickles or floods is answered
//! (`DeadlineExceeded`, `ResourceExhausted`) and its slot freed long before
//! the call's own deadline. tower-http's `TimeoutBody` and http-body-util's
//! `Limited` do the idle timeout and the size; the whole-body deadline,
//! which neither offers, is [`DeadlineBody`].

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http_body::{Body as HttpBody, Frame, SizeHint};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tonic::Status;
use tonic::body::Body;
use tower::BoxError;
use tower::util::MapRequestLayer;
use tower_http::timeout::{TimeoutBody, TimeoutError};

use crate::telemetry::{self, Limit};

/// The limits applied to every request body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimits {
    /// Longest wait for the next frame.
    pub(crate) idle: Duration,
    /// Longest time for the whole body, from when the request arrived.
    pub(crate) deadline: Duration,
    /// Most bytes in the body.
    pub(crate) max_bytes: usize,
}

/// Wraps every request body in `limits`.
pub(crate) fn layer(
    limits: BodyLimits,
) -> MapRequestLayer<impl Fn(Request<Body>) -> Request<Body> + Clone> {
    MapRequestLayer::new(move |request: Request<Body>| request.map(|body| limited(body, limits)))
}

/// `body`, failing with a status once it breaks one of `limits`.
fn limited(body: Body, limits: BodyLimits) -> Body {
    let BodyLimits {
        idle,
        deadline,
        max_bytes,
    } = limits;
    let body = Limited::new(TimeoutBody::new(idle, body), max_bytes);
    let body = DeadlineBody {
        inner: body,
        sleep: tokio::time::sleep(deadline),
    };
    Body::new(body.map_err(move |error: BoxError| -> BoxError {
        if error.is::<TimeoutError>() {
            telemetry::refused(Limit::BodyIdle);
            Box::new(Status::deadline_exceeded(format!(
                "no request data received for {idle:?}"
            )))
        } else if error.is::<LengthLimitError>() {
            telemetry::refused(Limit::BodyTooLarge);
            Box::new(Status::resource_exhausted(format!(
                "request body larger than {max_bytes} bytes"
            )))
        } else if error.is::<DeadlinePassed>() {
            telemetry::refused(Limit::BodyDeadline);
            Box::new(Status::deadline_exceeded(format!(
                "request body not received within {deadline:?}"
            )))
        } else {
            unreadable(error)
        }
    }))
}

/// What a caller is told when its request body could not be read: a fixed
/// message per kind, never the server's internals, which go to the log.
fn unreadable(error: BoxError) -> BoxError {
    // tonic's body and tonic-web turn every error into a status carrying
    // the error underneath (hyper's, base64's) as text.
    let status = match error.downcast::<Status>() {
        Ok(status) => *status,
        Err(error) => Status::from_error(error),
    };
    tracing::debug!("request body not read: {}", status.message());
    let message = if status.message().contains("base64") {
        MALFORMED_WEB_TEXT
    } else {
        UNREADABLE_BODY
    };
    Box::new(Status::new(status.code(), message))
}

/// The message for a gRPC-Web text body that is not base64.
pub(crate) const MALFORMED_WEB_TEXT: &str = "malformed gRPC-Web text";

/// The message for a request body that broke off or could not be decoded.
pub(crate) const UNREADABLE_BODY: &str = "request body could not be read";

/// The error of a [`DeadlineBody`] whose deadline passed.
#[derive(Debug)]
pub(crate) struct DeadlinePassed;

impl std::fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body's deadline passed")
    }
}

impl std::error::Error for DeadlinePassed {}

pin_project! {
    /// A body that fails with [`DeadlinePassed`] once its `sleep` is
    /// over, however steadily data arrives.
    pub(crate) struct DeadlineBody<B> {
        #[pin]
        inner: B,
        #[pin]
        sleep: Sleep,
    }
}

impl<B> HttpBody for DeadlineBody<B>
where
    B: HttpBody<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.project();
        if this.sleep.poll(cx).is_ready() {
            return Poll::Ready(Some(Err(Box::new(DeadlinePassed))));
        }
        this.inner.poll_frame(cx).map_err(Into::into)
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
    use http_body_util::StreamBody;

    fn limits() -> BodyLimits {
        BodyLimits {
            idle: Duration::from_secs(5),
            deadline: Duration::from_secs(1),
            max_bytes: 10,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_trickling_body_meets_its_deadline() {
        // One byte every 400 ms: never idle for long, but never done.
        let trickle = futures_util::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_millis(400)).await;
            Some((Ok::<_, Status>(Frame::data(Bytes::from_static(b"x"))), ()))
        });
        let body = limited(Body::new(StreamBody::new(trickle)), limits());
        let error = body.collect().await.unwrap_err();
        assert_eq!(error.code(), tonic::Code::DeadlineExceeded, "{error:?}");
    }

    #[tokio::test]
    async fn a_broken_body_is_told_in_a_fixed_message() {
        let broken = futures_util::stream::iter([Err::<Frame<Bytes>, _>(std::io::Error::other(
            "hyper::Error(Body, Custom { kind: UnexpectedEof })",
        ))]);
        let body = limited(Body::new(StreamBody::new(broken)), limits());
        let error = body.collect().await.unwrap_err();
        assert_eq!(error.message(), UNREADABLE_BODY);
        let web_text = Status::internal("tonic-web: malformed base64 request");
        let told = unreadable(Box::new(web_text)).downcast::<Status>().unwrap();
        assert_eq!(told.message(), MALFORMED_WEB_TEXT);
    }

    #[tokio::test]
    async fn a_large_body_is_refused() {
        let body = limited(Body::new("0123456789AB".to_owned()), limits());
        let error = body.collect().await.unwrap_err();
        assert_eq!(error.code(), tonic::Code::ResourceExhausted, "{error:?}");
    }
}
