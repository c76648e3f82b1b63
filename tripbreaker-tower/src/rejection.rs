//! The answer given, without touching the network, to a call the breaker refuses.

use crate::classify::GRPC_STATUS;
use http::{HeaderName, HeaderValue, Response};
use tripbreaker::{KeyedRejected, Rejected};

/// The metadata key marking a status as the breaker's own rejection; its
/// value is `open`, `too-many-requests` or (from a keyed layer with no room
/// for the call's key) `no-room`. The layer removes it from every response
/// and trailers it did not make, so a server cannot forge it.
pub const REJECTION_HEADER: &str = "x-circuit-breaker-rejected";

/// [`REJECTION_HEADER`] as a header name, made once for the lookups every
/// call makes.
pub(crate) const REJECTION_HEADER_NAME: HeaderName = HeaderName::from_static(REJECTION_HEADER);

/// A trailers-only gRPC response: `Unavailable` with the rejection's text
/// (its `Display`: `circuit breaker is open` / `too many requests` / `no
/// room for another circuit breaker`) as its message, so the generated
/// client returns it like any other error status.
pub(crate) fn rejection_response<B>(rejected: KeyedRejected, empty_body: B) -> Response<B> {
    let mut response = Response::new(empty_body);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    headers.insert(
        GRPC_STATUS,
        HeaderValue::from(tonic::Code::Unavailable as i32),
    );
    let message = HeaderValue::try_from(rejected.to_string())
        .expect("a rejection's text is a valid header value");
    headers.insert("grpc-message", message);
    let marker = match rejected {
        KeyedRejected::Rejected(Rejected::Open) => "open",
        KeyedRejected::Rejected(Rejected::TooManyRequests) => "too-many-requests",
        KeyedRejected::Full => "no-room",
    };
    headers.insert(REJECTION_HEADER_NAME, HeaderValue::from_static(marker));
    response
}

/// Whether `status` is the breaker's refusal rather than the server's
/// answer, and which one. A keyed layer's refusal for want of room is not a
/// breaker's: [`keyed_rejection`] tells it.
///
/// ```
/// use tripbreaker::Rejected;
/// use tripbreaker_tower::rejection;
///
/// assert_eq!(rejection(&tonic::Status::unavailable("server restarting")), None);
/// ```
pub fn rejection(status: &tonic::Status) -> Option<Rejected> {
    match keyed_rejection(status)? {
        KeyedRejected::Rejected(rejected) => Some(rejected),
        KeyedRejected::Full => None,
    }
}

/// Whether `status` is a refusal of this crate's layers rather than the
/// server's answer: a breaker's, or a keyed layer's with no room for the
/// call's key ([`KeyedRejected::Full`]). The call was not sent.
///
/// ```
/// use tripbreaker_tower::keyed_rejection;
///
/// assert_eq!(keyed_rejection(&tonic::Status::unavailable("server restarting")), None);
/// ```
pub fn keyed_rejection(status: &tonic::Status) -> Option<KeyedRejected> {
    match status.metadata().get(REJECTION_HEADER)?.to_str().ok()? {
        "open" => Some(Rejected::Open.into()),
        "too-many-requests" => Some(Rejected::TooManyRequests.into()),
        "no-room" => Some(KeyedRejected::Full),
        _ => None,
    }
}
