//! How a caller learns the outcome the layer recorded for its call.

use std::sync::{Arc, OnceLock};
use tripbreaker::{AsyncBreakerRef, Outcome};

/// The outcome the layer recorded for one call, for its caller to read.
///
/// Put a clone in the request's extensions (a `tonic::Request`'s travel
/// with it); once the call has ended, [`outcome`](Self::outcome) is what
/// the breaker was told: a success, a failure, or excluded, as the
/// classifier read the status, and a failure when no reply came at all.
/// It stays `None` for a call the breaker refused, which counts as
/// nothing, and for one dropped before its end (excluded by the breaker).
///
/// A request extension, as hyper-util's `capture_connection` does it,
/// because the response cannot carry it: tonic turns an error response
/// into a [`Status`](tonic::Status) that keeps only its metadata, and a
/// call that got no reply has no response at all.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use http_body_util::Empty;
/// use tower::{ServiceBuilder, ServiceExt};
/// use tripbreaker::{MonotonicClock, Outcome, Settings, SharedBreaker};
/// use tripbreaker_tower::{CaptureOutcome, CircuitBreakerLayer};
///
/// let breaker = SharedBreaker::new(Settings::new("greeter"), MonotonicClock::new())?;
/// // A server that answers every call with `NotFound`, a caller's mistake.
/// let not_found = tower::service_fn(|_: http::Request<()>| async {
///     let mut response = http::Response::new(Empty::<bytes::Bytes>::new());
///     response.headers_mut().insert("grpc-status", "5".parse().unwrap());
///     Ok::<_, std::convert::Infallible>(response)
/// });
/// let guarded = ServiceBuilder::new()
///     .layer(CircuitBreakerLayer::new(breaker))
///     .service(not_found);
///
/// let capture = CaptureOutcome::new();
/// let mut request = http::Request::new(());
/// request.extensions_mut().insert(capture.clone());
/// guarded.oneshot(request).await?;
/// assert_eq!(capture.outcome(), Some(Outcome::Excluded));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CaptureOutcome(Arc<OnceLock<Outcome>>);

impl CaptureOutcome {
    /// Nothing recorded yet. Give each call its own: the first outcome
    /// recorded is the one kept.
    pub fn new() -> Self {
        Self::default()
    }

    /// The outcome recorded for the call, once it has ended; `None` if it
    /// was refused, dropped, or is still under way.
    pub fn outcome(&self) -> Option<Outcome> {
        self.0.get().copied()
    }
}

/// Records `outcome` for `ticket`, telling the call's `capture` first.
pub(crate) fn record<R: AsyncBreakerRef>(
    ticket: R::Ticket,
    outcome: Outcome,
    capture: Option<&CaptureOutcome>,
) -> R::Record {
    if let Some(capture) = capture {
        // A capture reused for a second call keeps the first's outcome.
        let _ = capture.0.set(outcome);
    }
    R::record(ticket, outcome)
}
