//! Splits requests between gRPC (by content type) and the front end.
//!
//! Any request whose `content-type` starts with `application/grpc` (gRPC,
//! gRPC-Web, gRPC-Web text) goes to the gRPC stack, whatever its path:
//! unknown methods get `Unimplemented` there. Everything else goes to the
//! static files. Routing by content type rather than path keeps a page path
//! from ever shadowing a gRPC method, and keeps tonic-web's answer to
//! non-gRPC HTTP/1 requests (400) away from the page.

use std::convert::Infallible;

use http::{HeaderMap, Request, Response, header::CONTENT_TYPE};
use tonic::body::Body;
use tower::util::BoxCloneService;

/// An HTTP service in the shape every branch of the server is boxed to.
pub type HttpService = BoxCloneService<Request<Body>, Response<Body>, Infallible>;

/// The wire protocol of a gRPC call, found from its `content-type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `application/grpc`, `application/grpc+proto`, … (HTTP/2).
    Grpc,
    /// `application/grpc-web`, `application/grpc-web+proto`.
    GrpcWeb,
    /// `application/grpc-web-text`, `application/grpc-web-text+proto` (base64).
    GrpcWebText,
}

impl Protocol {
    /// The protocol of a request with these headers, or `None` if it is not gRPC.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header::CONTENT_TYPE};
    /// use server::routing::Protocol;
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc-web-text"));
    /// assert_eq!(Protocol::of(&headers), Some(Protocol::GrpcWebText));
    /// headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    /// assert_eq!(Protocol::of(&headers), None);
    /// ```
    pub fn of(headers: &HeaderMap) -> Option<Self> {
        let content_type = headers.get(CONTENT_TYPE)?.to_str().ok()?;
        let content_type = content_type.trim_start().to_ascii_lowercase();
        let rest = content_type.strip_prefix("application/grpc")?;
        if rest.starts_with("-web-text") {
            Some(Self::GrpcWebText)
        } else if rest.starts_with("-web") {
            Some(Self::GrpcWeb)
        } else if rest.is_empty() || rest.starts_with('+') || rest.starts_with(';') {
            Some(Self::Grpc)
        } else {
            None
        }
    }

    /// A short name for logs: `grpc`, `grpc-web` or `grpc-web-text`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Grpc => "grpc",
            Self::GrpcWeb => "grpc-web",
            Self::GrpcWebText => "grpc-web-text",
        }
    }
}

/// The branch a request goes to among `[grpc, page]`, for `tower::steer::Steer`.
pub fn branch<B, S>(request: &Request<B>, _branches: &[S]) -> usize {
    usize::from(Protocol::of(request.headers()).is_none())
}

/// Tags a gRPC request with its [`Protocol`] (for the call log), before
/// the gRPC-Web translation makes every call look like plain gRPC.
pub fn tag_protocol<B>(mut request: Request<B>) -> Request<B> {
    let protocol = Protocol::of(request.headers()).unwrap_or(Protocol::Grpc);
    request.extensions_mut().insert(protocol);
    request
}
