//! The response future of a guarded call.

use crate::body::GuardedBody;
use crate::{GrpcClassifier, REJECTION_HEADER, rejection::rejection_response, status_code};
use breaker::{BreakerRef, Outcome, Permit, Rejected};
use http::Response;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pin_project! {
    /// Resolves to the guarded call's response, or at once to the breaker's
    /// refusal (a trailers-only `Unavailable` response) without calling the
    /// inner service. Dropped before it resolves, the call counts as excluded.
    pub struct ResponseFuture<F, R: BreakerRef> {
        #[pin]
        call: Call<F, R>,
        classifier: GrpcClassifier,
    }
}

pin_project! {
    #[project = CallProj]
    enum Call<F, R: BreakerRef> {
        Refused { rejected: Rejected },
        Admitted { #[pin] response: F, permit: Option<Permit<R>> },
    }
}

impl<F, R: BreakerRef> ResponseFuture<F, R> {
    /// The breaker refused the call.
    pub(crate) fn refused(rejected: Rejected, classifier: GrpcClassifier) -> Self {
        ResponseFuture {
            call: Call::Refused { rejected },
            classifier,
        }
    }

    /// The call was admitted and `response` is under way.
    pub(crate) fn admitted(response: F, permit: Permit<R>, classifier: GrpcClassifier) -> Self {
        ResponseFuture {
            call: Call::Admitted {
                response,
                permit: Some(permit),
            },
            classifier,
        }
    }
}

impl<F, R, B, E> Future for ResponseFuture<F, R>
where
    F: Future<Output = Result<Response<B>, E>>,
    R: BreakerRef,
{
    type Output = Result<Response<GuardedBody<B, R>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let classifier = *this.classifier;
        match this.call.project() {
            CallProj::Refused { rejected } => Poll::Ready(Ok(rejection_response(
                *rejected,
                GuardedBody::settled(None, classifier),
            ))),
            CallProj::Admitted { response, permit } => {
                let result = ready!(response.poll(cx));
                let permit = permit.take().expect("polled after completion");
                Poll::Ready(match result {
                    Ok(response) => Ok(guard_response(response, permit, classifier)),
                    Err(error) => {
                        // No reply at all (refused connection, timeout): the callee failed.
                        permit.record(Outcome::Failure);
                        Err(error)
                    }
                })
            }
        }
    }
}

/// Records the outcome now if the headers already carry it (a trailers-only
/// reply, or an HTTP error); otherwise hands the permit to the body.
fn guard_response<B, R: BreakerRef>(
    response: Response<B>,
    permit: Permit<R>,
    classifier: GrpcClassifier,
) -> Response<GuardedBody<B, R>> {
    let (mut parts, body) = response.into_parts();
    // Only this layer may say a call was refused by the breaker: a server
    // (or anything between) sending the marker does not make its error ours.
    parts.headers.remove(REJECTION_HEADER);
    let early_code = match status_code(&parts.headers) {
        Some(code) => Some(code),
        None if parts.status != http::StatusCode::OK => Some(code_of_http_status(parts.status)),
        None => None,
    };
    let body = match early_code {
        Some(code) => {
            permit.record(classifier.classify(code));
            GuardedBody::settled(Some(body), classifier)
        }
        None => GuardedBody::guarded(body, permit, classifier),
    };
    Response::from_parts(parts, body)
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
