//! The response future of a guarded call.

use crate::body::GuardedBody;
use crate::capture::{CaptureOutcome, record};
use crate::rejection::{REJECTION_HEADER_NAME, rejection_response};
use crate::{GrpcClassifier, status_code};
use http::Response;
use pin_project_lite::pin_project;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tower_service::Service;
use tripbreaker::{AsyncBreakerRef, KeyedRejected, Outcome};

pin_project! {
    /// Resolves to the guarded call's response, or to the breaker's refusal
    /// (a trailers-only `Unavailable` response) without calling the inner
    /// service `S` with the request `Req`. Dropped before it resolves, the
    /// call counts as excluded.
    pub struct ResponseFuture<S: Service<Req>, Req, R: AsyncBreakerRef> {
        #[pin]
        step: Step<S, Req, R>,
        classifier: GrpcClassifier,
        capture: Option<CaptureOutcome>,
    }
}

pin_project! {
    // A local breaker answers at once, so a call goes from `Admitted` to
    // `Done` and its future is little more than the inner one. What only a
    // breaker that answers later (a store's round trip away) needs is boxed:
    // an allocation is nothing beside that round trip, and a local
    // breaker's calls make none.
    #[project = StepProj]
    enum Step<S: Service<Req>, Req, R: AsyncBreakerRef> {
        // The breaker has not answered yet.
        Acquiring { acquire: R::Acquire, call: Option<Box<(S, Req)>> },
        Refused { rejected: KeyedRejected },
        Admitted { #[pin] response: S::Future, ticket: Option<R::Ticket> },
        // The outcome, known without the body (an error, a trailers-only
        // reply), is being recorded; the call's result waits for it.
        Recording { record: R::Record, result: Option<Box<Result<S::Response, S::Error>>> },
        Done,
    }
}

impl<S: Service<Req>, Req, R: AsyncBreakerRef> ResponseFuture<S, Req, R> {
    /// The breaker (or a keyed layer with no room) refused the call.
    pub(crate) fn refused(rejected: impl Into<KeyedRejected>, classifier: GrpcClassifier) -> Self {
        ResponseFuture {
            step: Step::Refused {
                rejected: rejected.into(),
            },
            classifier,
            capture: None,
        }
    }

    /// The call was admitted and `response` is under way; its outcome,
    /// once recorded, goes to `capture`.
    pub(crate) fn admitted(
        response: S::Future,
        ticket: R::Ticket,
        classifier: GrpcClassifier,
        capture: Option<CaptureOutcome>,
    ) -> Self {
        ResponseFuture {
            step: Step::Admitted {
                response,
                ticket: Some(ticket),
            },
            classifier,
            capture,
        }
    }

    /// The breaker is still deciding; `service` is called with `request`
    /// once it admits the call, and its outcome, once recorded, goes to
    /// `capture`.
    pub(crate) fn acquiring(
        acquire: R::Acquire,
        service: S,
        request: Req,
        classifier: GrpcClassifier,
        capture: Option<CaptureOutcome>,
    ) -> Self {
        ResponseFuture {
            step: Step::Acquiring {
                acquire,
                call: Some(Box::new((service, request))),
            },
            classifier,
            capture,
        }
    }
}

impl<S: Service<Req>, Req, R: AsyncBreakerRef> fmt::Debug for ResponseFuture<S, Req, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let step = match &self.step {
            Step::Acquiring { .. } => "acquiring",
            Step::Refused { .. } => "refused",
            Step::Admitted { .. } => "admitted",
            Step::Recording { .. } => "recording",
            Step::Done => "done",
        };
        f.debug_struct("ResponseFuture")
            .field("step", &step)
            .field("classifier", &self.classifier)
            .field("capture", &self.capture)
            .finish()
    }
}

impl<S, Req, R, B> Future for ResponseFuture<S, Req, R>
where
    S: Service<Req, Response = Response<B>>,
    R: AsyncBreakerRef,
    B: http_body::Body,
{
    type Output = Result<Response<GuardedBody<B, R>>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let classifier = *this.classifier;
        loop {
            match this.step.as_mut().project() {
                StepProj::Acquiring { acquire, call } => {
                    let admitted = ready!(Pin::new(acquire).poll(cx));
                    let (mut service, request) = *call.take().expect("polled after completion");
                    this.step.set(match admitted {
                        Ok(ticket) => Step::Admitted {
                            response: service.call(request),
                            ticket: Some(ticket),
                        },
                        Err(rejected) => Step::Refused {
                            rejected: rejected.into(),
                        },
                    });
                }
                StepProj::Refused { rejected } => {
                    let rejected = *rejected;
                    this.step.set(Step::Done);
                    let body = GuardedBody::settled(None, classifier);
                    return Poll::Ready(Ok(rejection_response(rejected, body)));
                }
                StepProj::Admitted { response, ticket } => {
                    let mut result = ready!(response.poll(cx));
                    let ticket = ticket.take().expect("polled after completion");
                    let outcome = match &mut result {
                        Ok(response) => early_outcome(response, classifier),
                        // No reply at all (refused connection, timeout): the callee failed.
                        Err(_) => Some(Outcome::Failure),
                    };
                    let Some(outcome) = outcome else {
                        // The trailers will tell: the body records the outcome.
                        this.step.set(Step::Done);
                        let capture = this.capture.take();
                        return Poll::Ready(result.map(|response| {
                            response
                                .map(|body| GuardedBody::guarded(body, ticket, classifier, capture))
                        }));
                    };
                    let mut record = record::<R>(ticket, outcome, this.capture.as_ref());
                    if Pin::new(&mut record).poll(cx).is_ready() {
                        this.step.set(Step::Done);
                        return Poll::Ready(settled(result, classifier));
                    }
                    this.step.set(Step::Recording {
                        record,
                        result: Some(Box::new(result)),
                    });
                    return Poll::Pending;
                }
                StepProj::Recording { record, result } => {
                    ready!(Pin::new(record).poll(cx));
                    let result = *result.take().expect("polled after completion");
                    this.step.set(Step::Done);
                    return Poll::Ready(settled(result, classifier));
                }
                StepProj::Done => panic!("ResponseFuture polled after completion"),
            }
        }
    }
}

/// A call's result once its outcome is recorded: the body has nothing left to record.
fn settled<B, R: AsyncBreakerRef, E>(
    result: Result<Response<B>, E>,
    classifier: GrpcClassifier,
) -> Result<Response<GuardedBody<B, R>>, E>
where
    B: http_body::Body,
{
    result.map(|response| response.map(|body| GuardedBody::settled(Some(body), classifier)))
}

/// The outcome, if the headers already carry it (a trailers-only reply, or
/// an HTTP error); otherwise the body's trailers will. Removes a rejection
/// marker the response did not get from this layer.
fn early_outcome<B>(response: &mut Response<B>, classifier: GrpcClassifier) -> Option<Outcome> {
    // Only this layer may say a call was refused by the breaker: a server
    // (or anything between) sending the marker does not make its error ours.
    response.headers_mut().remove(REJECTION_HEADER_NAME);
    let code = match status_code(response.headers()) {
        Some(code) => code,
        None if response.status() != http::StatusCode::OK => code_of_http_status(response.status()),
        None => return None,
    };
    Some(classifier.classify(code))
}

/// The gRPC code for an HTTP error without a gRPC status, as the gRPC spec
/// maps them (`doc/http-grpc-status-mapping.md`).
fn code_of_http_status(status: http::StatusCode) -> tonic::Code {
    use http::StatusCode as H;
    match status {
        H::BAD_REQUEST => tonic::Code::Internal,
        H::UNAUTHORIZED => tonic::Code::Unauthenticated,
        H::FORBIDDEN => tonic::Code::PermissionDenied,
        H::NOT_FOUND => tonic::Code::Unimplemented,
        H::TOO_MANY_REQUESTS | H::BAD_GATEWAY | H::SERVICE_UNAVAILABLE | H::GATEWAY_TIMEOUT => {
            tonic::Code::Unavailable
        }
        _ => tonic::Code::Unknown,
    }
}
