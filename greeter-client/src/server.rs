//! The server's address, as a CLI flag and a URL query both give it.

use http::uri::Authority;

/// A server base URL: `http://` or `https://`, a host, an optional port, no
/// path, query or fragment; returned without a trailing slash.
///
/// ```
/// use greeter_client::parse_server;
/// assert_eq!(parse_server("http://127.0.0.1:50051/").unwrap(), "http://127.0.0.1:50051");
/// assert_eq!(
///     parse_server("127.0.0.1:50051").unwrap_err(),
///     "`127.0.0.1:50051` is not a server URL like http://127.0.0.1:50051"
/// );
/// ```
pub fn parse_server(value: &str) -> Result<String, String> {
    let url = value.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(authority) if is_host_and_port(authority) => Ok(url.to_owned()),
        _ => Err(format!(
            "`{value}` is not a server URL like http://127.0.0.1:50051"
        )),
    }
}

/// Whether `text` is a host and an optional port as `http` (and so the
/// transport) reads a URI's authority: no user part, a port that is a
/// number up to 65535 when one is written.
fn is_host_and_port(text: &str) -> bool {
    let Ok(authority) = text.parse::<Authority>() else {
        return false;
    };
    if text.contains('@') || authority.host().is_empty() {
        return false;
    }
    // `Authority` takes any text after the colon, and reports no port for
    // one that is no number: the transport would then use the default.
    match &text[authority.host().len()..] {
        "" | ":" => true,
        port => port[1..].bytes().all(|b| b.is_ascii_digit()) && authority.port_u16().is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_need_a_scheme_and_a_host_only() {
        assert_eq!(
            parse_server("https://demo.example:8443").unwrap(),
            "https://demo.example:8443"
        );
        for bad in [
            "127.0.0.1:50051",
            "http://",
            "http://host/path",
            "http://host?x=1",
            "javascript:alert(1)",
            "ftp://x",
            "http://\"",
            "http://host\tname",
            "http://user@host",
            "http://host:port",
            "http://host:99999",
            "http://host:+80",
            "http://:80",
        ] {
            assert!(parse_server(bad).is_err(), "{bad}");
        }
    }
}
