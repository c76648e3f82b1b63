//! The response body that carries the call's permit to the end of the call.

use crate::{GrpcClassifier, REJECTION_HEADER, status_code};
use breaker::{BreakerRef, Outcome, Permit};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pin_project! {
    /// The body of a guarded call's response. A gRPC call's status usually
    /// arrives in the trailers after the message, so the call's permit
    /// travels with the body and its outcome is recorded when the trailers
    /// (or an error) arrive. Dropped before its end, the call counts as
    /// excluded: a cancelled call is nobody's failure.
    pub struct GuardedBody<B, R: BreakerRef> {
        #[pin]
        inner: Option<B>,
        permit: Option<Permit<R>>,
        classifier: GrpcClassifier,
    }
}

impl<B, R: BreakerRef> GuardedBody<B, R> {
    /// A body whose outcome is already recorded (or that has none).
    pub(crate) fn settled(inner: Option<B>, classifier: GrpcClassifier) -> Self {
        GuardedBody {
            inner,
            permit: None,
            classifier,
        }
    }

    /// A body that records `permit`'s outcome when it ends.
    pub(crate) fn guarded(inner: B, permit: Permit<R>, classifier: GrpcClassifier) -> Self {
        GuardedBody {
            inner: Some(inner),
            permit: Some(permit),
            classifier,
        }
    }
}

impl<B: Body, R: BreakerRef> Body for GuardedBody<B, R> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.project();
        let Some(inner) = this.inner.as_pin_mut() else {
            return Poll::Ready(None);
        };
        let mut frame = ready!(inner.poll_frame(cx));
        if let Some(Ok(frame)) = &mut frame
            && let Some(trailers) = frame.trailers_mut()
        {
            // Only this layer may say a call was refused by the breaker.
            trailers.remove(REJECTION_HEADER);
        }
        let outcome = match &frame {
            Some(Ok(frame)) => frame.trailers_ref().map(|trailers| {
                match status_code(trailers) {
                    Some(code) => this.classifier.classify(code),
                    None => Outcome::Failure, // trailers without a status: a broken reply
                }
            }),
            // The stream broke, or ended without a status.
            Some(Err(_)) | None => Some(Outcome::Failure),
        };
        if let Some(outcome) = outcome
            && let Some(permit) = this.permit.take()
        {
            permit.record(outcome);
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}
