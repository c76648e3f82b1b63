//! The built front end (trunk's `dist/`), served at `/` when it exists.
//!
//! tower-http's `ServeDir` reads the files (conditional requests, ranges,
//! the `.br` / `.gz` variants made by [`crate::precompress`]); in front of
//! it, the rules a public file server needs: no dotfiles, nothing outside
//! the directory (symlinks included), `404` for a missing asset (the index
//! only for page navigations), multi-range requests served whole, and
//! headers for caching and against sniffing and framing ([`crate::page_headers`]).

use std::convert::Infallible;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_TYPE, RANGE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use tonic::body::Body;
use tower::util::BoxCloneService;
use tower::{Service, ServiceExt};
use tower_http::services::{ServeDir, ServeFile};

use crate::page_headers::PageHeaders;
use crate::routing::HttpService;

/// The command that builds the front end into `dist/`.
pub const BUILD_HINT: &str = "trunk build --release";

/// The longest request path looked up, in bytes; longer ones are `404`.
const MAX_PATH_BYTES: usize = 1024;

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

    /// The service answering every non-gRPC request, with `connect_to`
    /// (origins besides the page's own and loopback) allowed in its
    /// Content-Security-Policy.
    ///
    /// Served: the directory's files by the rules of the [module docs](self).
    /// Otherwise: `404 Not Found` with a hint on how to build the page.
    pub fn service(&self, connect_to: &[String]) -> HttpService {
        let Self::Served(dir) = self else {
            return BoxCloneService::new(tower::service_fn(|_request| async {
                Ok::<_, Infallible>(not_found(format!(
                    "No page is served here. Build the front end with `{BUILD_HINT}`.\n"
                )))
            }));
        };
        // Resolved once: requests are checked against the real directory.
        let root = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        let headers = PageHeaders::for_index(&root.join("index.html"), connect_to);
        BoxCloneService::new(Files {
            files: ServeDir::new(&root)
                .precompressed_br()
                .precompressed_gzip()
                .append_index_html_on_directories(true),
            index: ServeFile::new(root.join("index.html")),
            root: Arc::new(root),
            headers: Arc::new(headers),
        })
    }
}

/// The page's files; see the [module docs](self).
#[derive(Clone)]
struct Files {
    files: ServeDir,
    index: ServeFile,
    root: Arc<PathBuf>,
    headers: Arc<PageHeaders>,
}

impl Service<Request<Body>> for Files {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Response<Body>, Infallible>> + Send>,
    >;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let path = request.uri().path().to_owned();
            let navigation = is_navigation(&request);
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
            let mut response = match lookup(&this.root, &path).await {
                Lookup::Found(file) => {
                    if crate::precompress::has_stale_copy(&file).await {
                        // Sent as it is rather than from an older compressed copy.
                        request.headers_mut().remove(ACCEPT_ENCODING);
                    }
                    respond(this.files.clone(), request).await
                }
                Lookup::Missing if navigation => respond(this.index.clone(), request).await,
                Lookup::Missing | Lookup::Refused => not_found("Not found.\n".to_owned()),
            };
            this.headers.apply(&path, &mut response);
            Ok(response)
        })
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
    /// A file or directory inside it, at this real path.
    Found(PathBuf),
    /// Nothing (or nothing readable): the index for navigations, else `404`.
    Missing,
    /// A name never served: a dotfile, a path leaving the directory.
    Refused,
}

/// Looks up a request path under `root` (canonical) as `ServeDir` would,
/// following symlinks only as far as they stay inside `root`.
async fn lookup(root: &Path, path: &str) -> Lookup {
    if path.len() > MAX_PATH_BYTES {
        return Lookup::Missing;
    }
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Lookup::Refused;
    };
    let mut relative = PathBuf::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains(['\\', '\0']) {
            return Lookup::Refused;
        }
        // A segment such as `C:` on Windows would not be a plain name.
        if !matches!(
            Path::new(segment).components().next(),
            Some(Component::Normal(_))
        ) {
            return Lookup::Refused;
        }
        relative.push(segment);
    }
    match tokio::fs::canonicalize(root.join(&relative)).await {
        Ok(real) if real.starts_with(root) => Lookup::Found(real),
        Ok(_) => Lookup::Refused,
        // Not found, a name too long, not a directory…: nothing to serve.
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

fn not_found(text: String) -> Response<Body> {
    let mut response = Response::new(Body::new(text));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
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

        let app = Lookup::Found(root.join("sub/app.js"));
        assert_eq!(lookup(&root, "/").await, Lookup::Found(root.clone()));
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
        assert_eq!(
            lookup(&root, &format!("/{}", "a".repeat(300))).await,
            Lookup::Missing
        );
        #[cfg(unix)]
        assert_eq!(lookup(&root, "/link").await, Lookup::Refused);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
