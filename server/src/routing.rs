//! Splits requests between gRPC (by content type) and the front end.
//!
//! Any request whose `content-type` starts with `application/grpc` (gRPC,
//! gRPC-Web, gRPC-Web text) goes to the gRPC stack, whatever its path:
//! unknown methods get `Unimplemented` there. Everything else goes to the
//! static files. Routing by content type rather than path keeps a page path
//! from ever shadowing a gRPC method, and keeps tonic-web's answer to
//! non-gRPC HTTP/1 requests (400) away from the page.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{HeaderMap, Request, Response, header::CONTENT_TYPE};
use tonic::body::Body;
use tower::Service;
use tower::util::BoxCloneService;

use crate::escape::Escaped;

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

/// Sends gRPC requests (tagged with their [`Protocol`]) to one service and
/// the rest to another.
#[derive(Clone)]
pub struct Dispatch {
    grpc: HttpService,
    other: HttpService,
}

impl Dispatch {
    /// A dispatcher between the gRPC stack and everything else.
    pub fn new(grpc: HttpService, other: HttpService) -> Self {
        Self { grpc, other }
    }
}

impl std::fmt::Debug for Dispatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatch").finish_non_exhaustive()
    }
}

impl Service<Request<Body>> for Dispatch {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Both branches are always ready in practice (tonic's routes, files);
        // polling both keeps the tower contract for whichever `call` picks.
        let grpc = self.grpc.poll_ready(cx)?;
        let other = self.other.poll_ready(cx)?;
        if grpc.is_ready() && other.is_ready() {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        match Protocol::of(request.headers()) {
            Some(protocol) => {
                request.extensions_mut().insert(protocol);
                Box::pin(self.grpc.call(request))
            }
            None => {
                let method = request.method().clone();
                let path = request.uri().path().to_owned();
                let start = std::time::Instant::now();
                let response = self.other.call(request);
                Box::pin(async move {
                    let response = response.await?;
                    tracing::debug!(
                        %method,
                        path = %Escaped(&path),
                        status = response.status().as_u16(),
                        latency = ?start.elapsed(),
                        "http"
                    );
                    Ok(response)
                })
            }
        }
    }
}
