//! The response body that carries the call's ticket to the end of the call.

use crate::capture::{CaptureOutcome, record};
use crate::rejection::REJECTION_HEADER_NAME;
use crate::{GrpcClassifier, status_code};
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
        // The outcome being recorded, and the frame (or end) it came with;
        // boxed, as only a breaker that answers later ever needs it.
        recording: Option<Box<Recording<B, R>>>,
        classifier: GrpcClassifier,
        capture: Option<CaptureOutcome>,
    }
}

/// An outcome being recorded, and what to hand on once it is.
struct Recording<B: Body, R: AsyncBreakerRef> {
    record: R::Record,
    frame: Option<Result<Frame<B::Data>, B::Error>>,
}

impl<B: Body, R: AsyncBreakerRef> GuardedBody<B, R> {
    /// A body whose outcome is already recorded (or that has none).
    pub(crate) fn settled(inner: Option<B>, classifier: GrpcClassifier) -> Self {
        GuardedBody {
            inner,
            ticket: None,
            recording: None,
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
        let this = self.project();
        if let Some(recording) = this.recording {
            ready!(Pin::new(&mut recording.record).poll(cx));
            let frame = recording.frame.take();
            *this.recording = None;
            return Poll::Ready(frame);
        }
        let Some(inner) = this.inner.as_pin_mut() else {
            return Poll::Ready(None);
        };
        let mut frame = ready!(inner.poll_frame(cx));
        if let Some(Ok(frame)) = &mut frame
            && let Some(trailers) = frame.trailers_mut()
        {
            // Only this layer may say a call was refused by the breaker.
            trailers.remove(REJECTION_HEADER_NAME);
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
        let mut record = record::<R>(ticket, outcome, this.capture.as_ref());
        if Pin::new(&mut record).poll(cx).is_ready() {
            return Poll::Ready(frame);
        }
        *this.recording = Some(Box::new(Recording { record, frame }));
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.recording.is_none() && self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}
