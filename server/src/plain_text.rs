//! The server's own short answers (refusals, not found, busy), as plain text.

use http::header::CONTENT_TYPE;
use http::{HeaderValue, Response, StatusCode};
use tonic::body::Body;

/// A `status` answer whose body is `text` (UTF-8 plain text).
pub(crate) fn plain_text(status: StatusCode, text: impl Into<String>) -> Response<Body> {
    let mut response = Response::new(Body::new(text.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
