//! The server's address, as a CLI flag and a URL query both give it.

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
        Some(authority) if !authority.is_empty() && !authority.contains(['/', '?', '#', ' ']) => {
            Ok(url.to_owned())
        }
        _ => Err(format!(
            "`{value}` is not a server URL like http://127.0.0.1:50051"
        )),
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
        ] {
            assert!(parse_server(bad).is_err(), "{bad}");
        }
    }
}
