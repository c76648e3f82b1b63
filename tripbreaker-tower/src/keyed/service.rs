//! The `Service` that guards each call with its key's breaker.

use super::set::{BreakerSet, KeyBreaker};
use super::{KeyOf, ObserveKeys};
use crate::future::ResponseFuture;
use crate::{CaptureOutcome, GrpcClassifier, GuardedBody};
use http::{Request, Response};
use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};
use tower_service::Service;
use tripbreaker::Clock;

/// Guards a gRPC transport service with one breaker per key: each call is
/// admitted or refused by the breaker of its key (`K` picks it), before it
/// reaches `inner`, and its outcome recorded there when the call ends, as
/// [`CircuitBreakerService`](crate::CircuitBreakerService) does for one breaker.
pub struct KeyedCircuitBreakerService<S, K, C, O: ObserveKeys> {
    inner: S,
    key: K,
    set: Arc<BreakerSet<C, O>>,
    classifier: GrpcClassifier,
}

impl<S, K, C, O: ObserveKeys> KeyedCircuitBreakerService<S, K, C, O> {
    pub(crate) fn new(
        inner: S,
        key: K,
        set: Arc<BreakerSet<C, O>>,
        classifier: GrpcClassifier,
    ) -> Self {
        KeyedCircuitBreakerService {
            inner,
            key,
            set,
            classifier,
        }
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

impl<S, K, C: Clock + Clone, O: ObserveKeys> KeyedCircuitBreakerService<S, K, C, O> {
    /// `key`'s breaker, if it has one now (to read its state, or force it).
    pub fn breaker(&self, key: &str) -> Option<KeyBreaker<C, O>> {
        self.set.get(key)
    }

    /// How many keys have a breaker (at most the layer's capacity).
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether no key has a breaker yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<S, K, C, O, ReqBody, ResBody> Service<Request<ReqBody>>
    for KeyedCircuitBreakerService<S, K, C, O>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    K: KeyOf<Request<ReqBody>>,
    C: Clock + Clone,
    O: ObserveKeys,
    ResBody: http_body::Body,
{
    type Response = Response<GuardedBody<ResBody, KeyBreaker<C, O>>>;
    type Error = S::Error;
    type Future = ResponseFuture<S, Request<ReqBody>, KeyBreaker<C, O>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let classifier = self.classifier;
        match self.set.acquire(&self.key.key_of(&request)) {
            Ok(permit) => {
                let capture = request.extensions().get::<CaptureOutcome>().cloned();
                ResponseFuture::admitted(self.inner.call(request), permit, classifier, capture)
            }
            Err(rejected) => ResponseFuture::refused(rejected, classifier),
        }
    }
}

impl<S: Clone, K: Clone, C, O: ObserveKeys> Clone for KeyedCircuitBreakerService<S, K, C, O> {
    fn clone(&self) -> Self {
        KeyedCircuitBreakerService {
            inner: self.inner.clone(),
            key: self.key.clone(),
            set: Arc::clone(&self.set),
            classifier: self.classifier,
        }
    }
}

impl<S: fmt::Debug, K: fmt::Debug, C, O: ObserveKeys> fmt::Debug
    for KeyedCircuitBreakerService<S, K, C, O>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyedCircuitBreakerService")
            .field("inner", &self.inner)
            .field("key", &self.key)
            .field("capacity", &self.set.config.capacity)
            .field("classifier", &self.classifier)
            .finish_non_exhaustive()
    }
}
