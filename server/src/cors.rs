//! CORS for browser gRPC-Web clients: loopback origins by default, more by configuration.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::future::Either;
use http::header::{HeaderName, ORIGIN};
use http::{HeaderValue, Method, Request, Response, Uri};
use tonic::body::Body;
use tower::util::BoxCloneService;
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, Cors, CorsLayer, ResponseFuture as CorsFuture};

use crate::Error;
use crate::routing::HttpService;

/// Request headers a gRPC-Web client may send (answered in preflights).
pub const ALLOWED_REQUEST_HEADERS: [&str; 11] = [
    "content-type",
    "x-grpc-web",
    "x-user-agent",
    "grpc-timeout",
    "authorization",
    "grpc-accept-encoding",
    "grpc-encoding",
    "x-accept-content-transfer-encoding",
    "x-accept-response-streaming",
    "cache-control",
    "keep-alive",
];

/// Response headers a browser lets gRPC-Web clients read.
pub const EXPOSED_HEADERS: [&str; 3] = ["grpc-status", "grpc-message", "grpc-status-details-bin"];

/// How long browsers may cache a preflight answer.
pub const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// The loopback host names: their `http://` origins (any port) are
/// always allowed, and requests naming them always answered.
pub const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// An origin split into what is compared: scheme, host and port (the
/// scheme's default port when none is written), all lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
    explicit_port: bool,
}

impl Origin {
    /// Parses an origin such as `http://localhost:8080` or `https://demo.example`.
    ///
    /// Only `http` and `https` origins with a host, no user, path, query
    /// or fragment, and a port (if written) up to 65535 are origins; `null`
    /// is not.
    ///
    /// ```
    /// use server::cors::Origin;
    ///
    /// assert!(Origin::parse("http://localhost:8080").unwrap().is_loopback());
    /// assert!(!Origin::parse("http://localhost.evil.com").unwrap().is_loopback());
    /// assert!(Origin::parse("http://localhost:8080/path").is_err());
    /// assert!(Origin::parse("null").is_err());
    /// ```
    pub fn parse(origin: &str) -> Result<Self, &'static str> {
        let uri: Uri = origin.parse().map_err(|_| "not a URL")?;
        let scheme = match uri.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("http") => "http",
            Some(s) if s.eq_ignore_ascii_case("https") => "https",
            _ => return Err("the scheme must be http or https"),
        };
        let authority = uri.authority().ok_or("no host")?;
        if authority.as_str().contains('@') {
            return Err("an origin has no user part");
        }
        // `Uri` reports "/" for an absent path; an origin must have none.
        if !matches!(origin.split_once("://"), Some((_, rest)) if rest == authority.as_str()) {
            return Err("an origin has no path, query or fragment");
        }
        let host = authority.host().to_ascii_lowercase();
        if host.is_empty() {
            return Err("no host");
        }
        // `Authority` takes any text after the colon, and reports no port
        // for one that is no number: that must not read as the default.
        const BAD_PORT: &str = "the port must be a number from 0 to 65535";
        let port = match authority.as_str()[host.len()..].strip_prefix(':') {
            None | Some("") => None,
            Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => {
                Some(digits.parse::<u16>().map_err(|_| BAD_PORT)?)
            }
            Some(_) => return Err(BAD_PORT),
        };
        let default_port = if scheme == "http" { 80 } else { 443 };
        Ok(Self {
            scheme: scheme.to_owned(),
            host,
            port: port.unwrap_or(default_port),
            explicit_port: port.is_some(),
        })
    }

    /// Whether this is an `http://` origin on a loopback host
    /// (`localhost`, `127.0.0.1` or `[::1]`), whatever the port.
    pub fn is_loopback(&self) -> bool {
        self.scheme == "http" && LOOPBACK_HOSTS.contains(&self.host.as_str())
    }

    /// Whether two origins are the same (scheme, host and effective port).
    fn same_as(&self, other: &Self) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        if self.explicit_port {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// Decides which `Origin` header values are allowed.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    extra: Vec<Origin>,
}

impl OriginPolicy {
    /// Loopback origins plus `extra` ones (each must parse as an
    /// [`Origin`]; blank ones are skipped).
    ///
    /// ```
    /// use server::cors::OriginPolicy;
    ///
    /// let policy = OriginPolicy::new(&["https://demo.example".to_owned()]).unwrap();
    /// assert!(policy.allows("https://demo.example"));
    /// assert!(policy.allows("https://demo.example:443"));
    /// assert!(policy.allows("http://127.0.0.1:1234"));
    /// assert!(!policy.allows("http://demo.example"));
    /// assert!(!policy.allows("http://localhost.evil.com"));
    /// ```
    pub fn new(extra: &[String]) -> Result<Self, Error> {
        let extra = extra
            .iter()
            .filter(|origin| !origin.trim().is_empty())
            .map(|origin| {
                Origin::parse(origin.trim()).map_err(|reason| Error::InvalidOrigin {
                    origin: origin.clone(),
                    reason,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { extra })
    }

    /// Whether a request with this `Origin` header value may read answers.
    pub fn allows(&self, origin: &str) -> bool {
        match Origin::parse(origin) {
            Ok(origin) => origin.is_loopback() || self.extra.iter().any(|o| o.same_as(&origin)),
            Err(_) => false,
        }
    }

    /// The hosts of the configured origins besides the loopback ones.
    pub fn hosts(&self) -> impl Iterator<Item = &str> {
        self.extra.iter().map(|origin| origin.host.as_str())
    }

    /// The configured origins besides the loopback ones, normalised.
    pub fn extra(&self) -> &[Origin] {
        &self.extra
    }
}

/// The CORS layer: allowed origins from `policy`, methods `POST` and
/// `OPTIONS`, [`ALLOWED_REQUEST_HEADERS`], [`EXPOSED_HEADERS`], no credentials.
///
/// A refused origin gets answers without `access-control-allow-origin`, so
/// the browser keeps them from the page.
pub fn cors_layer(policy: OriginPolicy) -> CorsLayer {
    let policy = Arc::new(policy);
    let allow_origin = AllowOrigin::predicate(move |origin: &HeaderValue, _| {
        origin.to_str().is_ok_and(|origin| policy.allows(origin))
    });
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::POST, Method::OPTIONS])
        .allow_headers(ALLOWED_REQUEST_HEADERS.map(HeaderName::from_static))
        .expose_headers(EXPOSED_HEADERS.map(HeaderName::from_static))
        .max_age(PREFLIGHT_MAX_AGE)
}

/// `inner` behind `cors` for the requests a browser may send cross-origin,
/// and as it is for a `POST` without an `Origin`: browsers send `Origin` on
/// every `POST`, and a `POST`'s answer is never cached, so CORS headers
/// there would be read by nobody (a gRPC client that is no browser). Making
/// them costs about a fiftieth of a call's instructions.
pub(crate) fn for_browsers(cors: CorsLayer, inner: HttpService) -> HttpService {
    BoxCloneService::new(ForBrowsers(cors.layer(inner)))
}

/// [`Cors`] that lets a request no browser sent pass straight to its inner
/// service. Written by hand: tower's `Steer` would need both branches
/// boxed, an allocation per call on the path it is there to make cheaper.
#[derive(Clone)]
struct ForBrowsers<S>(Cors<S>);

impl<S> Service<Request<Body>> for ForBrowsers<S>
where
    S: Service<Request<Body>, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Either<CorsFuture<S::Future>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        match may_be_cross_origin(&request) {
            true => Either::Left(self.0.call(request)),
            false => Either::Right(self.0.get_mut().call(request)),
        }
    }
}

/// Whether `request` may be a browser's cross-origin request, or be
/// answered from a cache to one.
fn may_be_cross_origin<B>(request: &Request<B>) -> bool {
    request.method() != Method::POST || request.headers().contains_key(ORIGIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_post_without_origin_skips_cors() {
        let request = |method: Method, origin: Option<&str>| {
            let mut request = Request::builder().method(method).uri("/");
            if let Some(origin) = origin {
                request = request.header(ORIGIN, origin);
            }
            request.body(()).unwrap()
        };
        assert!(!may_be_cross_origin(&request(Method::POST, None)));
        assert!(may_be_cross_origin(&request(
            Method::POST,
            Some("http://localhost:8080")
        )));
        assert!(may_be_cross_origin(&request(Method::OPTIONS, None)));
        assert!(may_be_cross_origin(&request(Method::GET, None)));
    }

    #[test]
    fn loopback_any_port_only_http() {
        let policy = OriginPolicy::default();
        for ok in [
            "http://localhost",
            "http://localhost:8080",
            "http://LOCALHOST:8080",
            "http://127.0.0.1:1234",
            "http://[::1]:3000",
        ] {
            assert!(policy.allows(ok), "{ok}");
        }
        for bad in [
            "http://localhost.evil.com",
            "http://evil.example",
            "https://localhost:8080",
            "http://127.0.0.2:80",
            "http://localhost:8080/",
            "http://user@localhost:8080",
            "http://evil.com@localhost",
            "http://localhost@evil.com",
            "null",
            "",
            "localhost:8080",
            "file://localhost",
            "http://localhost:-",
            "http://localhost:99999",
            "http://localhost:+80",
        ] {
            assert!(!policy.allows(bad), "{bad}");
        }
    }

    #[test]
    fn extra_origins_match_exactly() {
        let policy = OriginPolicy::new(&[
            "https://demo.example".into(),
            " http://lan.example:8080 ".into(),
        ])
        .unwrap();
        assert!(policy.allows("https://demo.example"));
        assert!(policy.allows("https://DEMO.example:443"));
        assert!(policy.allows("http://lan.example:8080"));
        assert!(!policy.allows("http://lan.example"));
        assert!(!policy.allows("https://demo.example:8443"));
        assert!(!policy.allows("https://sub.demo.example"));
    }

    #[test]
    fn bad_extra_origins_are_refused() {
        for bad in [
            "demo.example",
            "ftp://demo.example",
            "https://demo.example/app",
            "*",
        ] {
            assert!(
                matches!(
                    OriginPolicy::new(&[bad.into()]),
                    Err(Error::InvalidOrigin { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn origins_display_as_written_normalised() {
        assert_eq!(
            Origin::parse("HTTPS://Demo.Example:8443")
                .unwrap()
                .to_string(),
            "https://demo.example:8443"
        );
    }
}
