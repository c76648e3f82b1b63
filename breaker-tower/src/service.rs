//! The `Service` that admits or refuses each call through the breaker.

use crate::GrpcClassifier;
use crate::future::ResponseFuture;
use breaker::{BreakerRef, Permit};
use http::{Request, Response};
use std::task::{Context, Poll};
use tower_service::Service;

/// Guards a gRPC transport service with a circuit breaker: each call is
/// admitted or refused before it reaches `inner`, and its outcome, read from
/// the gRPC status, is recorded when the call ends.
#[derive(Debug, Clone)]
pub struct CircuitBreakerService<S, R> {
    inner: S,
    breaker: R,
    classifier: GrpcClassifier,
}

impl<S, R> CircuitBreakerService<S, R> {
    /// Guards `inner` with `breaker`, classifying status codes with `classifier`.
    pub fn new(inner: S, breaker: R, classifier: GrpcClassifier) -> Self {
        CircuitBreakerService {
            inner,
            breaker,
            classifier,
        }
    }

    /// The breaker guarding the service.
    pub fn breaker(&self) -> &R {
        &self.breaker
    }

    /// The guarded service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, R, ReqBody, ResBody> Service<Request<ReqBody>> for CircuitBreakerService<S, R>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    R: BreakerRef + Clone,
{
    type Response = Response<crate::GuardedBody<ResBody, R>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, R>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let classifier = self.classifier;
        match Permit::acquire(self.breaker.clone()) {
            Ok(permit) => ResponseFuture::admitted(self.inner.call(request), permit, classifier),
            Err(rejected) => ResponseFuture::refused(rejected, classifier),
        }
    }
}
