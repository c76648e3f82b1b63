//! Fuzzes the two allow-lists that read what a browser (or anyone) sends:
//! the `Host` policy (`HostPolicy::allows`, `requested_host`) and the
//! `Origin` policy (`Origin::parse`, `OriginPolicy::allows`), with arbitrary
//! text and with host and origin look-alikes (case, ports, brackets, user
//! parts, trailing dots, paths, spaces and control characters).
//!
//! Properties:
//! - nothing panics;
//! - an allowed host is, lower-cased, its port stripped and its trailing
//!   dots trimmed, one of `names()`, and names no user; every name of
//!   `names()` is allowed;
//! - the loopback policy (no extra origins or names, a loopback or wildcard
//!   local address) allows only loopback names;
//! - an `Origin` that parses displays as text that parses to the same
//!   origin; the port it compares is the one written (the scheme's default
//!   when none is written);
//! - the default origin policy allows only `http://` origins on a loopback
//!   name; a configured origin allows itself and only what is the same
//!   origin (or loopback);
//! - `requested_host` is the request URI's authority, else its `Host`.
//!
//! Bounded by its case count; `PROPTEST_CASES` overrides it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use http::{HeaderValue, Request, header::HOST};
use proptest::prelude::*;
use server::cors::{LOOPBACK_HOSTS, Origin, OriginPolicy};
use server::host::{HostPolicy, requested_host};

/// Cases per property: well under a minute in a debug build on 2 cores.
const CASES: u32 = 1024;

/// A host name as a `Host` header or an origin might carry it.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "localhost",
            "LocalHost",
            "localhost.",
            "localhost..",
            "127.0.0.1",
            "127.0.0.2",
            "127.1",
            "[::1]",
            "[0:0::1]",
            "[::ffff:127.0.0.1]",
            "[::]",
            "0.0.0.0",
            "demo.example",
            "Demo.Example.",
            "lan.example",
            "localhost.evil.example",
            "evil.example",
            "[::1",
            "::1",
            "",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z0-9.%_~-]{0,12}",
        "\\[[0-9a-fA-F:.%]{0,12}\\]",
    ]
}

/// A port part: none, empty, a number in or out of range, or no number.
fn port() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(":".to_owned()),
        (0u32..70_000).prop_map(|p| format!(":{p}")),
        "0{1,3}[0-9]{1,5}".prop_map(|p| format!(":{p}")),
        ":[a-z0-9:+-]{1,6}",
    ]
}

/// Something before the host (a user part) or after it (a path, a query,
/// spaces, control characters), or nothing.
fn affix() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        1 => prop::sample::select(vec![
            "/", "/x", "?", "?a=1", "#", "#f", " ", "\t", "\0", "\r\n", "@", ".", "\\", "%2f",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

/// Text that may be a `Host` header value (`host[:port]`).
fn host_text() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => any::<String>(),
        4 => (prop_oneof![3 => Just(String::new()), 1 => "[a-z]{0,4}(:[a-z]{0,3})?@"], name(), port(), affix())
            .prop_map(|(user, name, port, after)| format!("{user}{name}{port}{after}")),
    ]
}

/// Text that may be an `Origin` header value (`scheme://host[:port]`).
fn origin_text() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "http://", "https://", "HTTP://", "HttpS://", "ftp://", "http:/", "http:", "//", "",
        "file://", "ws://",
    ]);
    prop_oneof![
        1 => any::<String>(),
        1 => Just("null".to_owned()),
        4 => (scheme, host_text()).prop_map(|(scheme, host)| format!("{scheme}{host}")),
    ]
}

/// A loopback or wildcard address the server may listen on.
fn loopback_local() -> impl Strategy<Value = SocketAddr> {
    let ip = prop_oneof![
        any::<[u8; 3]>().prop_map(|[a, b, c]| IpAddr::V4(Ipv4Addr::new(127, a, b, c))),
        Just(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        Just(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        Just(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
    ];
    (ip, any::<u16>()).prop_map(|(ip, port)| SocketAddr::new(ip, port))
}

/// Any address the server may listen on.
fn any_local() -> impl Strategy<Value = SocketAddr> {
    prop_oneof![loopback_local(), any::<SocketAddr>()]
}

/// The host an authority names, as the allow-lists compare it: no user
/// part, lower case, its port stripped (a bracketed IPv6 address kept
/// whole) and its trailing dots trimmed.
fn host_of(authority: &str) -> Option<String> {
    if authority.contains('@') {
        return None;
    }
    let host = if authority.starts_with('[') {
        &authority[..=authority.find(']')?]
    } else {
        authority.split(':').next()?
    };
    Some(host.trim_end_matches('.').to_ascii_lowercase())
}

/// Whether `name` (as [`host_of`] gives it) is a loopback name.
fn is_loopback_name(name: &str) -> bool {
    let unbracketed = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    name == "localhost"
        || unbracketed
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether `text` has a character no host or origin has.
fn has_stray_character(text: &str) -> bool {
    text.contains(|c: char| {
        matches!(c, '/' | '?' | '#' | '\\') || c.is_whitespace() || c.is_control()
    })
}

/// `origin` with its port always written: two origins are the same origin
/// when these are equal.
fn with_port(origin: &Origin) -> String {
    let text = origin.to_string();
    let authority = &text[text.find("://").expect("an origin has ://") + 3..];
    let host_end = if authority.starts_with('[') {
        authority.find(']').expect("brackets close") + 1
    } else {
        authority.find(':').unwrap_or(authority.len())
    };
    if host_end < authority.len() {
        text
    } else if text.starts_with("https://") {
        format!("{text}:443")
    } else {
        format!("{text}:80")
    }
}

/// The extra origins a server could be configured with, from `texts`:
/// those that parse, each trimmed.
fn configured(texts: Vec<String>) -> Vec<String> {
    texts
        .into_iter()
        .filter(|o| Origin::parse(o.trim()).is_ok())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn an_allowed_host_is_one_of_the_names(
        origins in prop::collection::vec(origin_text(), 0..3),
        extra in prop::collection::vec(host_text(), 0..3),
        local in any_local(),
        host in host_text(),
    ) {
        let origins = OriginPolicy::new(&configured(origins));
        prop_assert!(origins.is_ok(), "{:?}", origins);
        let policy = HostPolicy::new(&origins.unwrap(), &extra, local);
        if policy.allows(&host) {
            prop_assert!(!has_stray_character(&host), "allowed {:?}", host);
            let name = host_of(&host);
            prop_assert!(name.is_some(), "allowed {:?}, which names a user", host);
            prop_assert!(
                policy.names().contains(name.as_ref().unwrap()),
                "allowed {:?} as {:?}, not in {:?}", host, name, policy.names()
            );
        }
        for name in policy.names() {
            prop_assert!(policy.allows(name), "{:?} of {:?} is refused", name, policy.names());
        }
    }

    #[test]
    fn the_loopback_policy_allows_only_loopback_names(
        local in loopback_local(),
        host in host_text(),
    ) {
        let policy = HostPolicy::new(&OriginPolicy::default(), &[], local);
        if policy.allows(&host) {
            let name = host_of(&host);
            prop_assert!(
                name.as_deref().is_some_and(is_loopback_name),
                "allowed {:?} ({:?})", host, name
            );
        }
    }

    #[test]
    fn an_origin_displays_as_itself_with_its_written_port(text in origin_text()) {
        let Ok(origin) = Origin::parse(&text) else {
            return Ok(());
        };
        let shown = origin.to_string();
        prop_assert_eq!(Origin::parse(&shown), Ok(origin), "{:?} shows as {:?}", text, shown);
        prop_assert_eq!(shown.to_ascii_lowercase(), shown.clone());
        prop_assert!(!has_stray_character(&shown[shown.find("://").unwrap() + 3..]), "{:?}", shown);
        // The port written, if any, is the port compared.
        let authority = &text[text.find("://").unwrap() + 3..];
        let host_end = if authority.starts_with('[') {
            authority.find(']').unwrap() + 1
        } else {
            authority.find(':').unwrap_or(authority.len())
        };
        let written = authority[host_end..].strip_prefix(':').unwrap_or("");
        if !written.is_empty() {
            let port = written.parse::<u16>();
            prop_assert!(port.is_ok(), "{:?}: port {:?} read as {:?}", text, written, shown);
            let port = port.unwrap();
            prop_assert!(shown.ends_with(&format!(":{port}")), "{:?} shows as {:?}", text, shown);
        }
    }

    #[test]
    fn the_default_origin_policy_allows_only_loopback_http(text in origin_text()) {
        if OriginPolicy::default().allows(&text) {
            let lower = text.to_ascii_lowercase();
            let authority = lower.strip_prefix("http://");
            prop_assert!(authority.is_some(), "allowed {:?}", text);
            let authority = authority.unwrap();
            prop_assert!(!has_stray_character(authority), "allowed {:?}", text);
            let name = host_of(authority);
            prop_assert!(
                name.as_deref().is_some_and(|n| LOOPBACK_HOSTS.contains(&n)),
                "allowed {:?} ({:?})", text, name
            );
        }
    }

    #[test]
    fn a_configured_origin_allows_only_the_same_origin(
        configured_text in origin_text(),
        text in origin_text(),
    ) {
        let Ok(policy) = OriginPolicy::new(std::slice::from_ref(&configured_text)) else {
            return Ok(());
        };
        let Some(origin) = policy.extra().first() else {
            prop_assert!(configured_text.trim().is_empty());
            return Ok(());
        };
        prop_assert!(policy.allows(configured_text.trim()));
        prop_assert!(policy.allows(&origin.to_string()));
        if policy.allows(&text) {
            let asked = Origin::parse(&text);
            prop_assert!(asked.is_ok(), "allowed {:?}, which is no origin", text);
            let asked = asked.unwrap();
            prop_assert!(
                asked.is_loopback() || with_port(&asked) == with_port(origin),
                "{:?} allowed by {:?}", text, configured_text
            );
        }
    }

    #[test]
    fn the_requested_host_is_the_authority_else_the_host_header(
        scheme in prop::sample::select(vec!["", "http://", "https://"]),
        authority in host_text(),
        path in prop_oneof![Just(String::new()), "/[a-z%/.?=&#]{0,10}", any::<String>()],
        header in prop::option::of(prop_oneof![
            host_text().prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..20),
        ]),
    ) {
        let uri = if scheme.is_empty() { format!("/{path}") } else { format!("{scheme}{authority}{path}") };
        let mut request = Request::builder().uri(uri.as_str());
        if let Some(value) = &header {
            match HeaderValue::from_bytes(value) {
                Ok(value) => request = request.header(HOST, value),
                // http itself refuses it: nothing to ask the server.
                Err(_) => return Ok(()),
            }
        }
        let Ok(request) = request.body(()) else {
            return Ok(());
        };
        let expected = match request.uri().authority() {
            Some(authority) => Some(authority.as_str()),
            None => request.headers().get(HOST).and_then(|h| h.to_str().ok()),
        };
        prop_assert_eq!(requested_host(&request), expected);
        let policy = HostPolicy::new(&OriginPolicy::default(), &[], "127.0.0.1:1".parse().unwrap());
        prop_assert_eq!(
            policy.allows_request(&request),
            expected.is_some_and(|host| policy.allows(host))
        );
    }
}
