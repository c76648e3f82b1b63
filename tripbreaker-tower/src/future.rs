//! The response future of a guarded call.

use crate::body::GuardedBody;
use crate::capture::{CaptureOutcome, record};
use crate::{GrpcClassifier, REJECTION_HEADER, rejection::rejection_response, status_code};
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
    #[project = StepProj]
    enum Step<S: Service<Req>, Req, R: AsyncBreakerRef> {
        // The breaker has not answered yet.
        Acquiring { acquire: R::Acquire, call: Option<(S, Req)> },
        Refused { rejected: KeyedRejected },
        Admitted { #[pin] response: S::Future, ticket: Option<R::Ticket> },
        // The call failed before any reply; its failure is being recorded.
        Recording { #[pin] record: R::Record, error: Option<S::Error> },
        // The response waits for its outcome, known from its headers, to be recorded.
        Settling { #[pin] record: R::Record, response: Option<S::Response> },
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
                call: Some((service, request)),
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
            Step::Settling { .. } => "settling",
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
                    let (mut service, request) = call.take().expect("polled after completion");
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
                    let result = ready!(response.poll(cx));
                    let ticket = ticket.take().expect("polled after completion");
                    match result {
                        Ok(mut response) => match early_outcome(&mut response, classifier) {
                            Some(outcome) => this.step.set(Step::Settling {
                                record: record::<R>(ticket, outcome, this.capture.as_ref()),
                                response: Some(response),
                            }),
                            None => {
                                this.step.set(Step::Done);
                                let capture = this.capture.take();
                                return Poll::Ready(Ok(response.map(|body| {
                                    GuardedBody::guarded(body, ticket, classifier, capture)
                                })));
                            }
                        },
                        // No reply at all (refused connection, timeout): the callee failed.
                        Err(error) => this.step.set(Step::Recording {
                            record: record::<R>(ticket, Outcome::Failure, this.capture.as_ref()),
                            error: Some(error),
                        }),
                    }
                }
                StepProj::Recording { record, error } => {
                    ready!(record.poll(cx));
                    let error = error.take().expect("polled after completion");
                    this.step.set(Step::Done);
                    return Poll::Ready(Err(error));
                }
                StepProj::Settling { record, response } => {
                    ready!(record.poll(cx));
                    let response = response.take().expect("polled after completion");
                    this.step.set(Step::Done);
                    return Poll::Ready(Ok(
                        response.map(|body| GuardedBody::settled(Some(body), classifier))
                    ));
                }
                StepProj::Done => panic!("ResponseFuture polled after completion"),
            }
        }
    }
}

/// The outcome, if the headers already carry it (a trailers-only reply, or
/// an HTTP error); otherwise the body's trailers will. Removes a rejection
/// marker the response did not get from this layer.
fn early_outcome<B>(response: &mut Response<B>, classifier: GrpcClassifier) -> Option<Outcome> {
    // Only this layer may say a call was refused by the breaker: a server
    // (or anything between) sending the marker does not make its error ours.
    response.headers_mut().remove(REJECTION_HEADER);
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
