//! The server-wide limit on requests handled at once.
//!
//! `tower::limit::ConcurrencyLimit` makes a request wait for its slot in
//! `poll_ready`, before any layer's `call` runs, so before the deadline layer
//! ([`crate::deadline`]) starts its timer: a call queued behind the limit was
//! never timed out while it waited, and was served even after its
//! `grpc-timeout` had long passed. This limit is always ready and waits for
//! its slot inside the response future instead, so a deadline layer above it
//! also bounds the time spent queued.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::Semaphore;
use tower::{Layer, Service, ServiceExt};

/// Shares `max` slots among every service it is layered on (the gRPC
/// branch and the page alike).
#[derive(Debug, Clone)]
pub struct QueueLimitLayer {
    slots: Arc<Semaphore>,
}

impl QueueLimitLayer {
    /// At most `max` requests at once (`max` above tokio's
    /// `Semaphore::MAX_PERMITS`, 2^61 - 1, is taken as that: no limit in practice).
    pub fn new(max: usize) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(max.min(Semaphore::MAX_PERMITS))),
        }
    }
}

impl<S> Layer<S> for QueueLimitLayer {
    type Service = QueueLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        QueueLimit {
            inner,
            slots: Arc::clone(&self.slots),
        }
    }
}

/// The service made by [`QueueLimitLayer`].
#[derive(Debug, Clone)]
pub struct QueueLimit<S> {
    inner: S,
    slots: Arc<Semaphore>,
}

impl<S, R> Service<R> for QueueLimit<S>
where
    S: Service<R> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Response: Send + 'static,
    S::Error: Send + 'static,
    R: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The slot, and the inner service's readiness, are awaited in the call.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: R) -> Self::Future {
        let slots = Arc::clone(&self.slots);
        let inner = self.inner.clone();
        Box::pin(async move {
            // Held until the response (its head) is ready, as ConcurrencyLimit does.
            let _slot = slots
                .acquire_owned()
                .await
                .expect("the limit's semaphore is never closed");
            inner.oneshot(request).await
        })
    }
}
