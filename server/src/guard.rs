//! Refuses, before any handler runs, requests addressed to a host the server
//! does not answer to (`421`) and requests from an origin CORS refuses (`403`).
//!
//! CORS alone only hides answers from a refused page: the request itself,
//! e.g. a `SetMode(failing)`, would still run. Here it does not.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::future::Either;
use http::header::ORIGIN;
use http::{Request, Response, StatusCode};
use tonic::body::Body;
use tower::{Layer, Service};

use crate::cors::OriginPolicy;
use crate::escape::Escaped;
use crate::host::{HostPolicy, requested_host};
use crate::plain_text::plain_text;
use crate::telemetry::{self, Limit};

/// Puts a [`Guard`] in front of a service.
#[derive(Debug, Clone)]
pub struct GuardLayer {
    hosts: Arc<HostPolicy>,
    origins: Arc<OriginPolicy>,
}

impl GuardLayer {
    /// Answers only requests to `hosts` and, when they carry an `Origin`, from `origins`.
    pub fn new(hosts: HostPolicy, origins: OriginPolicy) -> Self {
        Self {
            hosts: Arc::new(hosts),
            origins: Arc::new(origins),
        }
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Guard {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service made by [`GuardLayer`].
#[derive(Debug, Clone)]
pub struct Guard<S> {
    inner: S,
    layer: GuardLayer,
}

impl<S> Service<Request<Body>> for Guard<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Either<S::Future, std::future::Ready<Result<Response<Body>, Infallible>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        if !self.layer.hosts.allows_request(&request) {
            tracing::info!(
                host = %Escaped(requested_host(&request).unwrap_or_default()),
                path = %Escaped(request.uri().path()),
                "refused: not a host this server answers to"
            );
            telemetry::refused(Limit::Host);
            return Either::Right(std::future::ready(Ok(plain_text(
                StatusCode::MISDIRECTED_REQUEST,
                "This server does not answer to that host name.\n",
            ))));
        }
        if let Some(origin) = request.headers().get(ORIGIN)
            && !origin
                .to_str()
                .is_ok_and(|origin| self.layer.origins.allows(origin))
        {
            tracing::info!(
                origin = %Escaped(&String::from_utf8_lossy(origin.as_bytes())),
                path = %Escaped(request.uri().path()),
                "refused: origin not allowed"
            );
            telemetry::refused(Limit::Origin);
            return Either::Right(std::future::ready(Ok(plain_text(
                StatusCode::FORBIDDEN,
                "Requests from that origin are not allowed.\n",
            ))));
        }
        Either::Left(self.inner.call(request))
    }
}
