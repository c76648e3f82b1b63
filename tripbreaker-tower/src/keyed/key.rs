//! What a call is keyed by: its gRPC method, the endpoint it goes to, or
//! any function of the request.

use http::Request;
use std::borrow::Cow;
use std::sync::Arc;

/// Picks the key of a request: which breaker guards it.
///
/// Implemented by [`GrpcMethod`], [`Endpoint`], and every
/// `Fn(&http::Request<B>) -> String` (which allocates its key on every
/// call; the other two borrow theirs).
pub trait KeyOf<Req> {
    /// The key of `request`.
    fn key_of<'a>(&'a self, request: &'a Req) -> Cow<'a, str>;
}

/// Keys a call by its gRPC method: the request path, as
/// `/greeter.Greeter/SayHello`. The default key of
/// [`KeyedCircuitBreakerLayer`](crate::KeyedCircuitBreakerLayer).
///
/// ```
/// use tripbreaker_tower::{GrpcMethod, KeyOf};
///
/// let request = http::Request::get("/greeter.Greeter/SayHello").body(()).unwrap();
/// assert_eq!(GrpcMethod.key_of(&request), "/greeter.Greeter/SayHello");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct GrpcMethod;

impl<B> KeyOf<Request<B>> for GrpcMethod {
    #[inline]
    fn key_of<'a>(&'a self, request: &'a Request<B>) -> Cow<'a, str> {
        Cow::Borrowed(request.uri().path())
    }
}

/// Keys every call through one service by the endpoint that service
/// reaches, named by its owner (its URL, say): each endpoint's transport
/// gets its own layer from
/// [`KeyedCircuitBreakerLayer::for_endpoint`](crate::KeyedCircuitBreakerLayer::for_endpoint),
/// and all of them share one set of breakers.
///
/// ```
/// use tripbreaker_tower::{Endpoint, KeyOf};
///
/// let endpoint = Endpoint::new("http://127.0.0.1:50051");
/// let request = http::Request::get("/greeter.Greeter/SayHello").body(()).unwrap();
/// assert_eq!(endpoint.key_of(&request), "http://127.0.0.1:50051");
/// ```
#[derive(Debug, Clone)]
pub struct Endpoint(Arc<str>);

impl Endpoint {
    /// The endpoint named `name`.
    pub fn new(name: impl Into<Arc<str>>) -> Self {
        Endpoint(name.into())
    }

    /// Its name: the key of every call through it.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl<Req> KeyOf<Req> for Endpoint {
    #[inline]
    fn key_of<'a>(&'a self, _request: &'a Req) -> Cow<'a, str> {
        Cow::Borrowed(&self.0)
    }
}

impl<F, B> KeyOf<Request<B>> for F
where
    F: Fn(&Request<B>) -> String,
{
    fn key_of<'a>(&'a self, request: &'a Request<B>) -> Cow<'a, str> {
        Cow::Owned(self(request))
    }
}
