//! The built front end (trunk's `dist/`), served at `/` when it exists.
//!
//! tower-http's `ServeDir` reads the files (conditional requests, ranges,
//! the `.br` / `.gz` copies made when the page was built, see the
//! `precompress` crate); in front of it, the project's own rules: no
//! dotfiles, nothing outside the directory through a symlink, the index
//! only for page navigations (a missing asset is `404`), multi-range
//! requests served whole, and `Cache-Control` by file name.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use http::header::{ACCEPT, CACHE_CONTROL, RANGE};
use http::{Method, Request, Response, StatusCode};
use tonic::body::Body;
use tower::util::BoxCloneService;
use tower::{Service, ServiceExt};
use tower_http::services::{ServeDir, ServeFile};

use crate::page_headers::cache_control;
use crate::plain_text::plain_text;
use crate::routing::HttpService;

/// The command that builds the front end into `dist/`.
pub const BUILD_HINT: &str = "trunk build --release";

/// Whether the page is served, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Site {
    /// Served from this directory (it has an `index.html`).
    Served(PathBuf),
    /// Configured, but this directory has no `index.html`: not served.
    Missing(PathBuf),
    /// No directory configured.
    Disabled,
}

impl Site {
    /// Looks at `dir` (if any) to see whether it holds a built front end.
    ///
    /// The server looks once, at startup: a page built later is served
    /// after a restart. Files *within* a served directory are read per request.
    pub fn find(dir: Option<&Path>) -> Self {
        match dir {
            None => Self::Disabled,
            Some(dir) if dir.join("index.html").is_file() => Self::Served(dir.to_owned()),
            Some(dir) => Self::Missing(dir.to_owned()),
        }
    }

    /// Logs whether the page is served; when it is missing, how to build it.
    pub fn log(&self, url: &str) {
        match self {
            Self::Served(dir) => {
                tracing::info!("serving the page from {} at {url}/", dir.display());
            }
            Self::Missing(dir) => tracing::warn!(
                "no front end in {} (no index.html): the page is not served; \
                 build it with `{BUILD_HINT}` (or point --static-dir at a built one)",
                dir.display()
            ),
            Self::Disabled => tracing::info!("no page served (no static directory configured)"),
        }
    }

    /// The page's `index.html` as built; empty when none is served.
    pub fn index_html(&self) -> String {
        match self {
            Self::Served(dir) => {
                std::fs::read_to_string(dir.join("index.html")).unwrap_or_default()
            }
            Self::Missing(_) | Self::Disabled => String::new(),
        }
    }

    /// The service answering every non-gRPC request.
    ///
    /// Served: the directory's files by the rules of the [module docs](self).
    /// Otherwise: `404 Not Found` with a hint on how to build the page.
    pub fn service(&self) -> HttpService {
        let Self::Served(dir) = self else {
            return BoxCloneService::new(tower::service_fn(|_request| async {
                Ok::<_, Infallible>(plain_text(
                    StatusCode::NOT_FOUND,
                    format!("No page is served here. Build the front end with `{BUILD_HINT}`.\n"),
                ))
            }));
        };
        // Resolved once: requests are checked against the real directory.
        let root = Arc::new(dir.canonicalize().unwrap_or_else(|_| dir.clone()));
        let index = ServeFile::new(root.join("index.html"));
        let files = ServeDir::new(&*root)
            .precompressed_br()
            .precompressed_gzip()
            .append_index_html_on_directories(true);
        BoxCloneService::new(tower::service_fn(move |mut request: Request<Body>| {
            let (root, index, files) = (Arc::clone(&root), index.clone(), files.clone());
            async move {
                let path = request.uri().path().to_owned();
                // tower-http parses every range of a header, at a cost that
                // grows with the square of their number: several ranges are
                // answered with the whole file instead (RFC 9110 allows it).
                if request
                    .headers()
                    .get(RANGE)
                    .is_some_and(|range| range.as_bytes().contains(&b','))
                {
                    request.headers_mut().remove(RANGE);
                }
                let mut response = match lookup(&root, &path).await {
                    Lookup::Found => respond(files, request).await,
                    Lookup::Missing if is_navigation(&request) => respond(index, request).await,
                    Lookup::Missing | Lookup::Refused => {
                        plain_text(StatusCode::NOT_FOUND, "Not found.\n")
                    }
                };
                response
                    .headers_mut()
                    .insert(CACHE_CONTROL, cache_control(&path));
                Ok::<_, Infallible>(response)
            }
        }))
    }
}

async fn respond<S, B>(service: S, request: Request<Body>) -> Response<Body>
where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible>,
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<tower::BoxError>,
{
    match service.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

/// What a request path names in the served directory.
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    /// A file or directory inside it, for `ServeDir`.
    Found,
    /// Nothing (or nothing readable): the index for navigations, else `404`.
    Missing,
    /// A name never served: a dotfile (`..` included), a symlink leaving the
    /// directory, a target that is no path.
    Refused,
}

/// Looks up a request path under `root` (canonical), following symlinks
/// only as far as they stay inside `root`. (`ServeDir` makes its own
/// checks on the path; these are the project's.)
async fn lookup(root: &Path, path: &str) -> Lookup {
    // Only an origin-form target (`/…`) names a file. An authority-form one
    // (`GET localhost HTTP/1.1`) has an empty path, which `ServeDir` takes
    // for the directory and answers `500` (it cannot build the redirect).
    if !path.starts_with('/') {
        return Lookup::Refused;
    }
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Lookup::Refused;
    };
    if decoded.split('/').any(|segment| segment.starts_with('.')) {
        return Lookup::Refused;
    }
    match tokio::fs::canonicalize(root.join(decoded.trim_start_matches('/'))).await {
        Ok(real) if real.starts_with(root) => Lookup::Found,
        Ok(_) => Lookup::Refused,
        // Not found, a name too long, not a directory…: nothing to serve
        // (and `ServeDir` would answer some of these `500`).
        Err(_) => Lookup::Missing,
    }
}

/// Whether the browser is loading a page (not an asset): a `GET` asking for HTML.
fn is_navigation<B>(request: &Request<B>) -> bool {
    matches!(*request.method(), Method::GET | Method::HEAD)
        && request
            .headers()
            .get_all(ACCEPT)
            .iter()
            .any(|accept| accept.to_str().is_ok_and(|a| a.contains("text/html")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lookups() {
        let root = std::env::temp_dir()
            .canonicalize()
            .unwrap()
            .join(format!("server-lookup-{}", std::process::id()));
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/app.js"), "x").unwrap();
        std::fs::write(root.join(".env"), "SECRET=1").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/hostname", root.join("link")).unwrap();

        let app = Lookup::Found;
        assert_eq!(lookup(&root, "/").await, Lookup::Found);
        assert_eq!(lookup(&root, "/sub/app.js").await, app);
        assert_eq!(lookup(&root, "/sub/%61pp.js").await, app);
        assert_eq!(lookup(&root, "/.env").await, Lookup::Refused);
        assert_eq!(lookup(&root, "/%2eenv").await, Lookup::Refused);
        assert_eq!(
            lookup(&root, "/sub/../../etc/passwd").await,
            Lookup::Refused
        );
        assert_eq!(lookup(&root, "/sub%2f..%2f..%2fetc").await, Lookup::Refused);
        assert_eq!(lookup(&root, "/missing.js").await, Lookup::Missing);
        assert_eq!(lookup(&root, "").await, Lookup::Refused);
        assert_eq!(lookup(&root, "*").await, Lookup::Refused);
        assert_eq!(
            lookup(&root, &format!("/{}", "a".repeat(300))).await,
            Lookup::Missing
        );
        assert_eq!(
            lookup(&root, &format!("/{}", "a".repeat(5000))).await,
            Lookup::Missing
        );
        #[cfg(unix)]
        assert_eq!(lookup(&root, "/link").await, Lookup::Refused);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
