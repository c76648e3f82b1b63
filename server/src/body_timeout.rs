//! An idle timeout on gRPC request bodies.
//!
//! A client that sends a request head and then stops in the middle of its
//! body would otherwise hold one of the server's concurrency slots until the
//! call's deadline. With this layer, a body that delivers no data for
//! [`Config::body_timeout`](crate::Config::body_timeout) fails; tonic answers
//! the call `DeadlineExceeded` and the slot is free again.

use std::time::Duration;

use http::Request;
use http_body_util::BodyExt;
use tonic::body::Body;
use tower::BoxError;
use tower::util::MapRequestLayer;
use tower_http::timeout::{TimeoutBody, TimeoutError};

/// Wraps every request body in an idle timeout of `timeout` (between frames,
/// so a long body that keeps arriving is never cut).
pub(crate) fn layer(
    timeout: Duration,
) -> MapRequestLayer<impl Fn(Request<Body>) -> Request<Body> + Clone> {
    MapRequestLayer::new(move |request: Request<Body>| {
        request.map(|body| with_idle_timeout(body, timeout))
    })
}

/// `body`, failing with a `DeadlineExceeded` status once no data has
/// arrived for `timeout`.
fn with_idle_timeout(body: Body, timeout: Duration) -> Body {
    Body::new(
        TimeoutBody::new(timeout, body).map_err(move |error: BoxError| -> BoxError {
            if error.is::<TimeoutError>() {
                Box::new(tonic::Status::deadline_exceeded(format!(
                    "no request data received for {timeout:?}"
                )))
            } else {
                error
            }
        }),
    )
}
