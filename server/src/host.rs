//! Which `Host` names the server answers to: the guard against DNS rebinding.
//!
//! A page on `http://attacker.example` whose name is made to resolve to
//! 127.0.0.1 talks to this server as a same-origin page would, and CORS
//! never sees it. Its requests still carry `Host: attacker.example`, which
//! no allow-list of ours names.

use std::net::SocketAddr;

use http::Request;
use http::uri::Authority;

use crate::cors::{LOOPBACK_HOSTS, OriginPolicy};

/// The host names (any port) the server answers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPolicy {
    names: Vec<String>,
}

impl HostPolicy {
    /// Loopback names, the hosts of `origins` beyond loopback, the `extra` names (a host,
    /// or `host:port` whose port is ignored), and the IP of `local` unless
    /// it is a wildcard address.
    ///
    /// ```
    /// use server::cors::OriginPolicy;
    /// use server::host::HostPolicy;
    ///
    /// let origins = OriginPolicy::new(&["https://demo.example".into()]).unwrap();
    /// let policy = HostPolicy::new(&origins, &["lan.example:8080".into()], "0.0.0.0:50051".parse().unwrap());
    /// assert!(policy.allows("localhost:50051"));
    /// assert!(policy.allows("demo.example"));
    /// assert!(policy.allows("LAN.example:50051"));
    /// assert!(!policy.allows("rebind.attacker.example:50051"));
    /// assert!(!policy.allows("0.0.0.0:50051"));
    /// ```
    pub fn new(origins: &OriginPolicy, extra: &[String], local: SocketAddr) -> Self {
        let mut names: Vec<String> = LOOPBACK_HOSTS.iter().map(|&h| h.to_owned()).collect();
        // As `allows` compares them: a trailing dot trimmed.
        names.extend(origins.hosts().filter_map(host_name));
        names.extend(extra.iter().filter_map(|h| host_name(h.trim())));
        if !local.ip().is_unspecified() {
            names.extend(host_name(&local.to_string()));
        }
        names.sort();
        names.dedup();
        Self { names }
    }

    /// Whether a request naming `host` (a `Host` header value or an
    /// HTTP/2 `:authority`) is answered.
    pub fn allows(&self, host: &str) -> bool {
        host_name(host).is_some_and(|name| self.names.contains(&name))
    }

    /// Whether `request` names an allowed host: its `:authority` (HTTP/2,
    /// or an absolute URI), else its `Host` header. A request naming none is refused.
    pub fn allows_request<B>(&self, request: &Request<B>) -> bool {
        requested_host(request).is_some_and(|host| self.allows(host))
    }

    /// The names answered, for the start-up log.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// The host `request` names: its `:authority` (HTTP/2, or an absolute
/// URI), else its `Host` header.
pub fn requested_host<B>(request: &Request<B>) -> Option<&str> {
    match request.uri().authority() {
        Some(authority) => Some(authority.as_str()),
        None => request
            .headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok()),
    }
}

/// The host of `authority` (`name`, `name:port`, `[v6]:port`), lower case,
/// without a trailing dot; `None` if it is no authority or has a user part.
fn host_name(authority: &str) -> Option<String> {
    let parsed: Authority = authority.parse().ok()?;
    if parsed.as_str().contains('@') {
        return None;
    }
    let host = parsed.host().trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback_only() -> HostPolicy {
        HostPolicy::new(
            &OriginPolicy::default(),
            &[],
            "127.0.0.1:50051".parse().unwrap(),
        )
    }

    #[test]
    fn loopback_names_any_port() {
        let policy = loopback_only();
        for ok in [
            "localhost",
            "localhost:8080",
            "LOCALHOST.:1",
            "127.0.0.1:50051",
            "[::1]:3000",
        ] {
            assert!(policy.allows(ok), "{ok}");
        }
        for bad in [
            "rebind.attacker.example:50051",
            "localhost.attacker.example",
            "127.0.0.2",
            "user@localhost",
            "",
            "local host",
            "127.0.0.1:50051/x",
        ] {
            assert!(!policy.allows(bad), "{bad}");
        }
    }

    #[test]
    fn an_origin_host_with_a_trailing_dot_is_answered() {
        let origins = OriginPolicy::new(&["https://Demo.Example.".into()]).unwrap();
        let policy = HostPolicy::new(&origins, &[], "127.0.0.1:1".parse().unwrap());
        assert!(policy.allows("demo.example.:443"));
        assert!(policy.allows("DEMO.example"));
    }

    #[test]
    fn requests_name_their_host_by_authority_or_header() {
        let policy = loopback_only();
        let h2 = Request::get("http://127.0.0.1:1/").body(()).unwrap();
        assert!(policy.allows_request(&h2));
        let h1 = Request::get("/")
            .header("host", "localhost:1")
            .body(())
            .unwrap();
        assert!(policy.allows_request(&h1));
        let foreign = Request::get("/")
            .header("host", "evil.example")
            .body(())
            .unwrap();
        assert!(!policy.allows_request(&foreign));
        let none = Request::get("/").body(()).unwrap();
        assert!(!policy.allows_request(&none));
    }
}
