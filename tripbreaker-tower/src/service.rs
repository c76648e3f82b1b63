//! The `Service` that admits or refuses each call through the breaker.

use crate::future::ResponseFuture;
use crate::{CaptureOutcome, GrpcClassifier};
use http::{Request, Response};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use tower_service::Service;
use tripbreaker::AsyncBreakerRef;

/// Guards a gRPC transport service with a circuit breaker: each call is
/// admitted or refused before it reaches `inner`, and its outcome, read from
/// the gRPC status, is recorded when the call ends (and told to the
/// request's [`CaptureOutcome`], if it has one).
///
/// The breaker is any [`AsyncBreakerRef`]: a local `tripbreaker::SharedBreaker`,
/// whose answers are ready at once, or one whose admission waits (a breaker
/// shared through a store).
#[derive(Debug, Clone)]
pub struct CircuitBreakerService<S, R> {
    inner: S,
    breaker: R,
    classifier: GrpcClassifier,
}

impl<S, R> CircuitBreakerService<S, R> {
    /// Guards `inner` with `tripbreaker`, classifying status codes with `classifier`.
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

    /// The guarded service, to change.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The guarded service, unguarded.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, R, ReqBody, ResBody> Service<Request<ReqBody>> for CircuitBreakerService<S, R>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    R: AsyncBreakerRef,
    ResBody: http_body::Body,
{
    type Response = Response<crate::GuardedBody<ResBody, R>>;
    type Error = S::Error;
    type Future = ResponseFuture<S, Request<ReqBody>, R>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let classifier = self.classifier;
        let capture = request.extensions().get::<CaptureOutcome>().cloned();
        let mut acquire = self.breaker.acquire();
        // A local breaker answers at once: decide here, and call the service
        // that was made ready. The waker is never woken, as the future is
        // polled again, with the caller's waker, if it was not ready.
        match Pin::new(&mut acquire).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(ticket)) => {
                ResponseFuture::admitted(self.inner.call(request), ticket, classifier, capture)
            }
            Poll::Ready(Err(rejected)) => ResponseFuture::refused(rejected, classifier),
            Poll::Pending => {
                // tower's rule: the service made ready is the one called, so
                // it goes with the future and a clone stays here.
                let clone = self.inner.clone();
                let ready = std::mem::replace(&mut self.inner, clone);
                ResponseFuture::acquiring(acquire, ready, request, classifier, capture)
            }
        }
    }
}
