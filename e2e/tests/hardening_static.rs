//! The page's files as the real server binary serves them, tried as a
//! browser and as an attacker would: no dotfiles, no symlink out of the
//! directory, `404` for missing assets (the index only for navigations), no
//! `500` for odd names, security and cache headers, `Last-Modified`
//! revalidation, brotli and gzip for the wasm (the copies the page build
//! makes; sent as it is without them), and multi-range requests
//! answered whole.

#[path = "hardening_support.rs"]
mod support;

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use reqwest::StatusCode;
use support::ServerProcess;

const JS: &str = "/web-0123456789abcdef.js";
const WASM: &str = "/web-0123456789abcdef_bg.wasm";
const INLINE: &str = "import init from '/web-0123456789abcdef.js'; await init();";

/// A built page (index with an inline script, hashed js and wasm, a
/// dotfile, a symlink to /etc/passwd), removed on drop.
struct Page(PathBuf);

impl Page {
    fn new() -> Self {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "static-page-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            format!("<!doctype html><title>demo</title><script type=\"module\">{INLINE}</script>"),
        )
        .unwrap();
        std::fs::write(
            dir.join(&JS[1..]),
            "export default async function init() {}\n",
        )
        .unwrap();
        std::fs::write(dir.join(&WASM[1..]), wasm_like()).unwrap();
        std::fs::write(dir.join(".env"), "SECRET=1\n").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.join("link")).unwrap();
        Self(dir)
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// 400 KB that compresses about as well as a wasm module: repeated
/// patterns with varying numbers in them.
fn wasm_like() -> Vec<u8> {
    let mut rng = support::SplitMix64::new(12);
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    while out.len() < 400_000 {
        let op = rng.below(16) as u8;
        out.extend_from_slice(&[0x20, op, 0x41, rng.below(256) as u8, 0x6a, 0x21, op]);
        if rng.percent(10) {
            out.extend(rng.bytes(8));
        }
    }
    out
}

fn start(page: &Page) -> ServerProcess {
    ServerProcess::start_with(
        support::launch(&[("RUST_LOG", "info")])
            .arg("--static-dir")
            .arg(&page.0),
    )
}

async fn get(url: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = support::http1_client().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

const NAVIGATION: (&str, &str) = ("accept", "text/html,application/xhtml+xml,*/*;q=0.8");
const ASSET: (&str, &str) = ("accept", "*/*");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_page_files_are_served() {
    let page = Page::new();
    let server = start(&page);
    let url = server.url();
    let long = format!("/{}", "a".repeat(300));
    let cases: [(&str, (&str, &str), StatusCode); 12] = [
        ("/", NAVIGATION, StatusCode::OK),
        (JS, ASSET, StatusCode::OK),
        ("/.env", ASSET, StatusCode::NOT_FOUND),
        ("/.env", NAVIGATION, StatusCode::NOT_FOUND),
        ("/%2eenv", ASSET, StatusCode::NOT_FOUND),
        ("/link", ASSET, StatusCode::NOT_FOUND),
        ("/link", NAVIGATION, StatusCode::NOT_FOUND),
        ("/missing.js", ASSET, StatusCode::NOT_FOUND),
        (
            "/web-ffffffffffffffff_bg.wasm",
            ASSET,
            StatusCode::NOT_FOUND,
        ),
        ("/some/route", NAVIGATION, StatusCode::OK),
        (&long, ASSET, StatusCode::NOT_FOUND),
        (&long, NAVIGATION, StatusCode::OK),
    ];
    for (path, accept, expected) in cases {
        let response = get(&format!("{url}{path}"), &[accept]).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        println!("GET {:.40} ({}) -> {status}", path, accept.1);
        assert_eq!(status, expected, "{path} {accept:?}");
        assert!(!body.contains("root:"), "{path} leaked /etc/passwd");
        assert!(!body.contains("SECRET"), "{path} leaked the dotfile");
        if status == StatusCode::OK && accept == NAVIGATION {
            assert!(body.contains("<title>demo</title>"), "{path}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_carry_security_and_cache_headers_and_revalidate() {
    let page = Page::new();
    let server = start(&page);
    let url = server.url();

    let index = get(&format!("{url}/"), &[NAVIGATION]).await;
    assert_eq!(header(&index, "x-content-type-options"), "nosniff");
    assert_eq!(header(&index, "x-frame-options"), "DENY");
    assert_eq!(header(&index, "cache-control"), "no-cache");
    let csp = header(&index, "content-security-policy");
    println!("Content-Security-Policy: {csp}");
    for needed in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval' 'sha256-",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(needed), "{needed} in {csp}");
    }
    let last_modified = header(&index, "last-modified");
    assert!(!last_modified.is_empty());
    let again = get(
        &format!("{url}/"),
        &[NAVIGATION, ("if-modified-since", &last_modified)],
    )
    .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let wasm = get(&format!("{url}{WASM}"), &[ASSET]).await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(header(&wasm, "content-type"), "application/wasm");
    assert_eq!(
        header(&wasm, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&wasm, "x-content-type-options"), "nosniff");
    let missing = get(&format!("{url}/missing.js"), &[ASSET]).await;
    assert_eq!(header(&missing, "x-content-type-options"), "nosniff");
}

/// The wasm as sent to a browser accepting `encoding`.
async fn wasm_sent_with(url: &str, encoding: &str) -> reqwest::Response {
    get(
        &format!("{url}{WASM}"),
        &[ASSET, ("accept-encoding", encoding)],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wasm_goes_compressed_to_browsers_that_accept_it() {
    let page = Page::new();
    let server = start(&page);
    let url = server.url();
    let raw = wasm_like();

    // No compressed copies (a page not built by trunk): sent as it is.
    let plain = wasm_sent_with(&url, "br, gzip").await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(header(&plain, "content-encoding"), "");
    assert_eq!(header(&plain, "content-type"), "application/wasm");
    assert_eq!(plain.bytes().await.unwrap().len(), raw.len());

    // The copies the page build makes, sent from the next request on.
    precompress::compress_dir(&page.0).unwrap();
    let br = wasm_sent_with(&url, "br").await;
    assert_eq!(header(&br, "content-encoding"), "br");
    assert_eq!(header(&br, "content-type"), "application/wasm");
    assert_eq!(
        header(&br, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(
        header(&br, "vary")
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    let br_len = br.bytes().await.unwrap().len();

    let gzip = wasm_sent_with(&url, "gzip").await;
    assert_eq!(header(&gzip, "content-encoding"), "gzip");
    let gzipped = gzip.bytes().await.unwrap();
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gzipped[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, raw, "gzip decodes to the file");

    let plain = get(&format!("{url}{WASM}"), &[ASSET]).await;
    assert_eq!(header(&plain, "content-encoding"), "");
    let plain_len = plain.bytes().await.unwrap().len();
    println!(
        "wasm on the wire: {plain_len} B raw, {} B gzip, {br_len} B brotli",
        gzipped.len()
    );
    assert_eq!(plain_len, raw.len());
    assert!(br_len < gzipped.len() && gzipped.len() < plain_len);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_ranges_are_answered_whole_and_one_range_partially() {
    let page = Page::new();
    // The header is about 240 KB: past the default HTTP/1.1 head limit.
    let server = ServerProcess::start_with(
        support::launch(&[("RUST_LOG", "info")])
            .arg("--static-dir")
            .arg(&page.0)
            .args(["--http1-max-head-bytes", "1048576"]),
    );
    let url = server.url();
    let ranges: Vec<String> = (0..20_000)
        .map(|i| format!("{}-{}", 2 * i, 2 * i))
        .collect();
    let many = format!("bytes={}", ranges.join(","));

    let started = Instant::now();
    let response = get(&format!("{url}{WASM}"), &[ASSET, ("range", &many)]).await;
    let status = response.status();
    let len = response.bytes().await.unwrap().len();
    let many_took = started.elapsed();
    let started = Instant::now();
    let plain = get(&format!("{url}{WASM}"), &[ASSET]).await;
    let _ = plain.bytes().await.unwrap();
    let plain_took = started.elapsed();
    println!(
        "{} B Range header with 20,000 ranges: {status} in {many_took:?}; plain GET in {plain_took:?}",
        many.len()
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(len, wasm_like().len());

    let one = get(&format!("{url}{WASM}"), &[ASSET, ("range", "bytes=0-9")]).await;
    assert_eq!(one.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(one.bytes().await.unwrap().len(), 10);
}
