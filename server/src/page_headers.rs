//! The values of the page's security and cache headers: a
//! Content-Security-Policy that lets the page run its wasm and talk
//! gRPC-Web but forbids framing (the fault buttons cannot be clickjacked)
//! and everything the page does not use, and caching by file name.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderValue;
use sha2::{Digest, Sha256};

/// `Cache-Control` of files whose name carries a content hash (trunk's
/// `web-<16 hex digits>.js`): a new build has new names.
pub const CACHE_HASHED: &str = "public, max-age=31536000, immutable";

/// `Cache-Control` of everything else (`index.html` first): revalidate
/// each time (`Last-Modified` makes that a `304`).
pub const CACHE_REVALIDATE: &str = "no-cache";

/// The `Cache-Control` of the answer for request path `path`.
///
/// ```
/// use server::page_headers::{cache_control, CACHE_HASHED, CACHE_REVALIDATE};
///
/// assert_eq!(cache_control("/web-5f3c1a9b2e4d6f70_bg.wasm"), CACHE_HASHED);
/// assert_eq!(cache_control("/index.html"), CACHE_REVALIDATE);
/// ```
pub fn cache_control(path: &str) -> HeaderValue {
    HeaderValue::from_static(if is_hashed_asset(path) {
        CACHE_HASHED
    } else {
        CACHE_REVALIDATE
    })
}

/// [`content_security_policy`] as a header value.
pub fn csp_header(html: &str, connect_to: &[String]) -> HeaderValue {
    HeaderValue::from_str(&content_security_policy(html, connect_to)).unwrap_or_else(|_| {
        // Configured origins are checked URLs; this is only a safety net.
        HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'")
    })
}

/// The policy for a page with this HTML.
///
/// ```
/// let csp = server::page_headers::content_security_policy("<script type=\"module\">init()</script>", &[]);
/// assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"));
/// assert!(csp.contains("frame-ancestors 'none'"));
/// ```
pub fn content_security_policy(html: &str, connect_to: &[String]) -> String {
    let mut script = String::from("'self' 'wasm-unsafe-eval'");
    for inline in inline_scripts(html) {
        script.push_str(&format!(
            " 'sha256-{}'",
            STANDARD.encode(Sha256::digest(inline.as_bytes()))
        ));
    }
    let mut connect = String::from("'self' http://127.0.0.1:* http://localhost:*");
    for origin in connect_to {
        connect.push(' ');
        connect.push_str(origin);
    }
    format!(
        "default-src 'none'; script-src {script}; style-src 'self'; img-src 'self' data:; \
         connect-src {connect}; manifest-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
}

/// The contents of the `<script>` elements of `html` that have no `src`.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + open_end];
        let body_start = start + open_end + 1;
        let Some(close) = rest[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            scripts.push(&rest[body_start..body_start + close]);
        }
        rest = &rest[body_start + close..];
    }
    scripts
}

/// Whether the last segment of `path` is a hashed build output: its stem
/// (before the first `.`, without wasm-bindgen's `_bg`) ends in `-` and
/// 16 hex digits.
///
/// ```
/// use server::page_headers::is_hashed_asset;
///
/// assert!(is_hashed_asset("/web-5f3c1a9b2e4d6f70_bg.wasm"));
/// assert!(is_hashed_asset("/style-0123456789abcdef.css"));
/// assert!(!is_hashed_asset("/index.html"));
/// assert!(!is_hashed_asset("/"));
/// ```
pub fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_only() {
        let html = r#"<script src="/a.js"></script><script type="module">one</script>
            <script>two</script>"#;
        assert_eq!(inline_scripts(html), ["one", "two"]);
    }

    #[test]
    fn connect_to_extra_origins() {
        let csp = content_security_policy("", &["https://api.example".into()]);
        assert!(csp.contains(
            "connect-src 'self' http://127.0.0.1:* http://localhost:* https://api.example;"
        ));
    }
}
