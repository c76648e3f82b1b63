//! Admission: how many requests of one kind run at once, how many may
//! wait, and the answer when the queue is full.
//!
//! Each kind of request has a pool of its own (SayHello, the fault
//! controls, the page), so a flood of slow SayHello calls never delays the
//! page or the controls that would end it. A request waits for its slot
//! inside the response future, not in `poll_ready` as
//! `tower::limit::ConcurrencyLimit` does, so that the deadline layer above
//! ([`crate::deadline`]), whose timer starts in `call`, also bounds the
//! wait. A request that finds the queue full is answered at once with the
//! pool's refusal (`ResourceExhausted` for gRPC, `503` for the page).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use http::Response;
use tokio::sync::Semaphore;
use tonic::body::Body;
use tonic::server::NamedService;
use tower::{Layer, Service, ServiceExt};

/// Shares one pool of slots, and one queue, among the services it is layered on.
#[derive(Debug, Clone)]
pub struct QueueLimitLayer {
    pool: Arc<Pool>,
}

#[derive(Debug)]
struct Pool {
    slots: Semaphore,
    waiting: AtomicUsize,
    max_waiting: usize,
    refuse: fn() -> Response<Body>,
}

impl QueueLimitLayer {
    /// At most `max` requests at once and `max_waiting` more waiting; the
    /// next one is answered `refuse()` at once. (`max` above tokio's
    /// `Semaphore::MAX_PERMITS`, 2^61 - 1, is taken as that: no limit in practice.)
    pub fn new(max: usize, max_waiting: usize, refuse: fn() -> Response<Body>) -> Self {
        Self {
            pool: Arc::new(Pool {
                slots: Semaphore::new(max.min(Semaphore::MAX_PERMITS)),
                waiting: AtomicUsize::new(0),
                max_waiting,
                refuse,
            }),
        }
    }
}

impl<S> Layer<S> for QueueLimitLayer {
    type Service = QueueLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        QueueLimit {
            inner,
            pool: Arc::clone(&self.pool),
        }
    }
}

/// The service made by [`QueueLimitLayer`].
#[derive(Debug, Clone)]
pub struct QueueLimit<S> {
    inner: S,
    pool: Arc<Pool>,
}

/// A tonic service behind a limit keeps its route.
impl<S: NamedService> NamedService for QueueLimit<S> {
    const NAME: &'static str = S::NAME;
}

/// One place in the queue, given back when dropped (served or cancelled).
struct InQueue(Arc<Pool>);

impl InQueue {
    fn join(pool: &Arc<Pool>) -> Option<Self> {
        let before = pool.waiting.fetch_add(1, Ordering::AcqRel);
        let place = Self(Arc::clone(pool));
        (before < pool.max_waiting).then_some(place)
    }
}

impl Drop for InQueue {
    fn drop(&mut self) {
        self.0.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<S, R> Service<R> for QueueLimit<S>
where
    S: Service<R, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    R: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // The slot, and the inner service's readiness, are awaited in the call.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: R) -> Self::Future {
        let pool = Arc::clone(&self.pool);
        let inner = self.inner.clone();
        Box::pin(async move {
            let slot = match pool.slots.try_acquire() {
                Ok(slot) => slot,
                Err(_) => {
                    let Some(_place) = InQueue::join(&pool) else {
                        return Ok((pool.refuse)());
                    };
                    pool.slots
                        .acquire()
                        .await
                        .expect("the limit's semaphore is never closed")
                }
            };
            // Held until the response (its head) is ready, as ConcurrencyLimit does.
            let response = inner.oneshot(request).await;
            drop(slot);
            response
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use std::time::Duration;

    fn busy() -> Response<Body> {
        tonic::Status::resource_exhausted("busy").into_http()
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_and_frees_its_places() {
        let (release, released) = tokio::sync::watch::channel(false);
        let slow = tower::service_fn(move |(): ()| {
            let mut released = released.clone();
            async move {
                let _ = released.wait_for(|r| *r).await;
                Ok::<_, Infallible>(Response::new(Body::empty()))
            }
        });
        let limit = QueueLimitLayer::new(1, 1, busy).layer(slow);
        let running = tokio::spawn(limit.clone().oneshot(()));
        let queued = tokio::spawn(limit.clone().oneshot(()));
        tokio::time::sleep(Duration::from_millis(50)).await;
        let refused = limit.clone().oneshot(()).await.unwrap();
        assert_eq!(refused.headers()["grpc-status"], "8");

        release.send(true).unwrap();
        for call in [running, queued] {
            let response = call.await.unwrap().unwrap();
            assert!(response.headers().get("grpc-status").is_none());
        }
        assert_eq!(limit.pool.waiting.load(Ordering::Acquire), 0);
    }
}
