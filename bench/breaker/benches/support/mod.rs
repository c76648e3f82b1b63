//! What the layer benchmarks call through: an in-process service that
//! answers at once, called as a user calls it, and the Go demo's settings.

use http::{Request, Response};
use http_body_util::{BodyExt, Empty};
use std::convert::Infallible;
use std::future::Ready;
use std::hint::black_box;
use std::task::{Context, Poll};
use std::time::Duration;
use tower::{Service, ServiceExt};
use tripbreaker::{Settings, TripRule};

/// One call through `service`: made ready, called, the body read to its end.
#[allow(dead_code)] // Not every benchmark that shares this module calls it.
pub async fn call<S, B>(service: &mut S)
where
    S: Service<Request<()>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body<Error: std::fmt::Debug>,
{
    let request = Request::post("/greeter.Greeter/SayHello").body(()).unwrap();
    let response = service.ready().await.unwrap().call(request).await.unwrap();
    black_box(response.into_body().collect().await.unwrap());
}

/// The Go demo's settings, but for `interval`.
pub fn go_demo_settings(interval: Duration) -> Settings {
    Settings {
        max_requests: 3,
        interval,
        timeout: Duration::from_secs(5),
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new("bench")
    }
}

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
