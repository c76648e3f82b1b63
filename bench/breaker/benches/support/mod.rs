//! What the layer benchmarks call through: an in-process service that
//! answers at once.

use http::{Request, Response};
use http_body_util::Empty;
use std::convert::Infallible;
use std::future::Ready;
use std::task::{Context, Poll};
use tower::Service;

/// Answers `grpc-status: 0` at once, with an empty body.
#[derive(Clone)]
pub struct Ready0;

impl Service<Request<()>> for Ready0 {
    type Response = Response<Empty<bytes::Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        let mut response = Response::new(Empty::new());
        response
            .headers_mut()
            .insert("grpc-status", http::HeaderValue::from_static("0"));
        std::future::ready(Ok(response))
    }
}
