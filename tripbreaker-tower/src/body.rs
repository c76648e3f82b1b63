//! The response body that carries the call's ticket to the end of the call.

use crate::capture::{CaptureOutcome, record};
use crate::{GrpcClassifier, REJECTION_HEADER, status_code};
use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tripbreaker::{AsyncBreakerRef, Outcome};

pin_project! {
    /// The body of a guarded call's response. A gRPC call's status usually
    /// arrives in the trailers after the message, so the call's ticket
    /// travels with the body and its outcome is recorded when the trailers
    /// (or an error) arrive, before they are handed on. Dropped before its
    /// end, the call counts as excluded: a cancelled call is nobody's failure.
    pub struct GuardedBody<B: Body, R: AsyncBreakerRef> {
        #[pin]
        inner: Option<B>,
        ticket: Option<R::Ticket>,
        // The outcome being recorded, and the frame (or end) it came with.
        #[pin]
        recording: Option<R::Record>,
        held: Option<Option<Result<Frame<B::Data>, B::Error>>>,
        classifier: GrpcClassifier,
        capture: Option<CaptureOutcome>,
    }
}

impl<B: Body, R: AsyncBreakerRef> GuardedBody<B, R> {
    /// A body whose outcome is already recorded (or that has none).
    pub(crate) fn settled(inner: Option<B>, classifier: GrpcClassifier) -> Self {
        GuardedBody {
            inner,
            ticket: None,
            recording: None,
            held: None,
            classifier,
            capture: None,
        }
    }

    /// A body that records `ticket`'s outcome when it ends, telling `capture`.
    pub(crate) fn guarded(
        inner: B,
        ticket: R::Ticket,
        classifier: GrpcClassifier,
        capture: Option<CaptureOutcome>,
    ) -> Self {
        GuardedBody {
            inner: Some(inner),
            ticket: Some(ticket),
            recording: None,
            held: None,
            classifier,
            capture,
        }
    }
}

impl<B: Body + fmt::Debug, R: AsyncBreakerRef> fmt::Debug for GuardedBody<B, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuardedBody")
            .field("inner", &self.inner)
            .field("awaiting_status", &self.ticket.is_some())
            .field("recording", &self.recording.is_some())
            .field("classifier", &self.classifier)
            .field("capture", &self.capture)
            .finish()
    }
}

impl<B: Body, R: AsyncBreakerRef> Body for GuardedBody<B, R> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let mut this = self.project();
        if let Some(recording) = this.recording.as_mut().as_pin_mut() {
            ready!(recording.poll(cx));
            this.recording.set(None);
            return Poll::Ready(this.held.take().flatten());
        }
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
        let Some(outcome) = outcome else {
            return Poll::Ready(frame);
        };
        let Some(ticket) = this.ticket.take() else {
            return Poll::Ready(frame);
        };
        // The frame goes on once its outcome is recorded, so whoever reads
        // the status next sees the breaker as that outcome left it.
        this.recording
            .set(Some(record::<R>(ticket, outcome, this.capture.as_ref())));
        let recording = this.recording.as_mut().as_pin_mut().expect("just set");
        match recording.poll(cx) {
            Poll::Ready(()) => {
                this.recording.set(None);
                Poll::Ready(frame)
            }
            Poll::Pending => {
                *this.held = Some(frame);
                Poll::Pending
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.recording.is_none()
            && self.held.is_none()
            && self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}
