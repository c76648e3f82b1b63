//! Fuzzes the static-path rules (`Site::service()`, `static_files.rs`) with
//! request paths built from what path attacks are made of: `..` and `.`
//! (plain and percent-encoded, overlong UTF-8 included), `//`, `\`, `%00`,
//! invalid percent escapes, arbitrary percent-encoded bytes, dotfile and
//! symlink names, and very long paths; `GET` or `HEAD`, as a page
//! navigation or not, with or without a range.
//!
//! The served directory holds `index.html`, a hashed asset, a dotfile, and
//! symlinks to a file and to a directory outside it; the file outside sits
//! beside it.
//!
//! Properties:
//! - no answer is a `5xx`;
//! - no answer carries the dotfile's or the outside file's contents;
//! - every answer has a `Cache-Control`;
//! - a path that decodes to a served file's name answers `200` with exactly
//!   that file.
//!
//! Requests are built with `http::Request::builder()`; a URI that `http`
//! itself refuses is skipped. Bounded by its case count; `PROPTEST_CASES`
//! overrides it.
#![cfg(unix)]

use std::path::PathBuf;

use http::header::{ACCEPT, CACHE_CONTROL, RANGE};
use http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use proptest::prelude::*;
use server::routing::HttpService;
use server::static_files::Site;
use tonic::body::Body;
use tower::ServiceExt;

/// Cases: well under a minute in a debug build on 2 cores.
const CASES: u32 = 4096;

const INDEX: &str = "<!doctype html><title>fuzz</title>";
const ASSET: &str = "web-5f3c1a9b2e4d6f70_bg.wasm";
const ASSET_BODY: &str = "\0asm hashed asset";
const DOTFILE_SECRET: &str = "DOTFILE-SECRET-7c1e";
const OUTSIDE_SECRET: &str = "OUTSIDE-SECRET-93ab";

/// A served directory and the file beside it, removed on drop.
struct TestSite {
    base: PathBuf,
    dir: PathBuf,
}

impl TestSite {
    fn new() -> Self {
        let base = std::env::temp_dir().join(format!("server-fuzz-static-{}", std::process::id()));
        let dir = base.join("site");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), INDEX).unwrap();
        std::fs::write(dir.join(ASSET), ASSET_BODY).unwrap();
        std::fs::write(dir.join(".env"), DOTFILE_SECRET).unwrap();
        std::fs::write(base.join("outside.txt"), OUTSIDE_SECRET).unwrap();
        std::os::unix::fs::symlink(base.join("outside.txt"), dir.join("link")).unwrap();
        std::os::unix::fs::symlink("../outside.txt", dir.join("relative-link")).unwrap();
        std::os::unix::fs::symlink(&base, dir.join("up")).unwrap();
        Self { base, dir }
    }
}

impl Drop for TestSite {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// One segment of a request path.
fn segment() -> impl Strategy<Value = String> {
    let known = prop::sample::select(vec![
        "",
        ".",
        "..",
        "...",
        "index.html",
        ASSET,
        ".env",
        "link",
        "relative-link",
        "up",
        "outside.txt",
        "site",
        "%2e%2e",
        "%2E%2E",
        "%2e",
        ".%2e",
        "%2eenv",
        "%2Eenv",
        "%2f",
        "%2F..%2F",
        "..%2f..%2foutside.txt",
        "%5c..%5c",
        "..\\..\\outside.txt",
        "%c0%ae%c0%ae",
        "%e0%80%ae",
        "%00",
        "index.html%00",
        "%",
        "%zz",
        "%2",
        "%ff",
        "index.html%2f",
        "%69ndex.html",
    ]);
    prop_oneof![
        6 => known.prop_map(str::to_owned),
        2 => prop::collection::vec(any::<u8>(), 1..8)
            .prop_map(|bytes| bytes.iter().map(|b| format!("%{b:02X}")).collect()),
        2 => "[!-~]{1,12}",
        1 => (1usize..6000).prop_map(|n| "a".repeat(n)),
    ]
}

/// Segments under `/`, with an optional `//` in front and a trailing `/`.
fn segments() -> impl Strategy<Value = String> {
    let segments = prop::collection::vec(segment(), 0..8);
    (any::<bool>(), segments, any::<bool>()).prop_map(|(double, segments, trailing)| {
        let mut path = if double {
            "//".to_owned()
        } else {
            "/".to_owned()
        };
        path.push_str(&segments.join("/"));
        if trailing {
            path.push('/');
        }
        path
    })
}

/// A request path: a served file's, segments, with a query at times, a
/// very long run of segments in front at times, or arbitrary text.
fn request_path() -> impl Strategy<Value = String> {
    let served = prop::sample::select(vec![
        "/".to_owned(),
        "/index.html".to_owned(),
        format!("/{ASSET}"),
        format!("/%77{}", &ASSET[1..]),
        format!("/{}", ASSET.replace('.', "%2E")),
    ]);
    prop_oneof![
        1 => served,
        8 => segments(),
        1 => (segments(), "[a-z=&%.]{0,10}").prop_map(|(path, query)| format!("{path}?{query}")),
        1 => (1usize..3000, segments()).prop_map(|(n, path)| format!("{}{path}", "/a".repeat(n))),
        1 => any::<String>(),
    ]
}

/// How a request asks for a path.
#[derive(Debug, Clone)]
struct Asking {
    head: bool,
    navigation: bool,
    range: Option<&'static str>,
}

fn asking() -> impl Strategy<Value = Asking> {
    let range = prop::option::weighted(
        0.2,
        prop::sample::select(vec!["bytes=0-3", "bytes=0-1,3-4", "bytes=-2"]),
    );
    (any::<bool>(), any::<bool>(), range).prop_map(|(head, navigation, range)| Asking {
        head,
        navigation,
        range,
    })
}

/// The file a served path names when it is one of the served files
/// verbatim (after percent-decoding), with its contents.
fn named_file(path: &str) -> Option<&'static str> {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?;
    match decoded.as_ref() {
        "/" | "/index.html" => Some(INDEX),
        p if p == format!("/{ASSET}") => Some(ASSET_BODY),
        _ => None,
    }
}

fn check(
    service: &HttpService,
    runtime: &tokio::runtime::Runtime,
    path: &str,
    asking: &Asking,
) -> Result<(), TestCaseError> {
    let mut request = Request::builder()
        .method(if asking.head {
            Method::HEAD
        } else {
            Method::GET
        })
        .uri(path);
    if asking.navigation {
        request = request.header(ACCEPT, "text/html,application/xhtml+xml,*/*;q=0.8");
    }
    if let Some(range) = asking.range {
        request = request.header(RANGE, range);
    }
    // http itself refuses this URI: no server ever sees it.
    let Ok(request) = request.body(Body::empty()) else {
        return Ok(());
    };
    let path = request.uri().path().to_owned();
    let (status, cache_control, body) = runtime.block_on(async {
        let response = service.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let cache_control = response.headers().contains_key(CACHE_CONTROL);
        let body = response
            .into_body()
            .collect()
            .await
            .expect("a readable body")
            .to_bytes();
        (status, cache_control, body)
    });
    let text = String::from_utf8_lossy(&body);
    prop_assert!(!status.is_server_error(), "{:?}: {}", path, status);
    prop_assert!(
        !text.contains(DOTFILE_SECRET),
        "{:?} served the dotfile ({})",
        path,
        status
    );
    prop_assert!(
        !text.contains(OUTSIDE_SECRET),
        "{:?} served the outside file ({})",
        path,
        status
    );
    prop_assert!(cache_control, "{:?}: no Cache-Control", path);
    if let (Some(contents), false, None) = (named_file(&path), asking.head, asking.range) {
        prop_assert_eq!(status, StatusCode::OK, "{:?}", path);
        prop_assert_eq!(text.as_ref(), contents, "{:?}", path);
    }
    Ok(())
}

#[test]
fn request_paths_never_reach_what_is_not_served() {
    let site = TestSite::new();
    let served = Site::find(Some(&site.dir));
    assert_eq!(served, Site::Served(site.dir.clone()));
    let service = served.service();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    proptest!(ProptestConfig::with_cases(CASES), |(path in request_path(), asking in asking())| {
        check(&service, &runtime, &path, &asking)?;
    });
}
