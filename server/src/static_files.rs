//! The built front end (trunk's `dist/`), served at `/` when it exists.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use http::{Request, Response, StatusCode, header::CONTENT_TYPE};
use tonic::body::Body;
use tower::ServiceExt;
use tower::util::BoxCloneService;
use tower_http::services::{ServeDir, ServeFile};

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

    /// The service answering every non-gRPC request.
    ///
    /// Served: files of the directory, `index.html` for directories and for
    /// any path that is no file (so front-end routes load the app).
    /// Otherwise: `404 Not Found` with a hint on how to build the page.
    pub fn service(&self) -> HttpService {
        match self {
            Self::Served(dir) => {
                let index = ServeFile::new(dir.join("index.html"));
                let files = ServeDir::new(dir).fallback(index);
                BoxCloneService::new(ServiceExt::<Request<Body>>::map_response(files, |r| {
                    r.map(Body::new)
                }))
            }
            Self::Missing(_) | Self::Disabled => {
                BoxCloneService::new(tower::service_fn(|_request| async {
                    Ok::<_, Infallible>(not_found())
                }))
            }
        }
    }
}

fn not_found() -> Response<Body> {
    let text = format!("No page is served here. Build the front end with `{BUILD_HINT}`.\n");
    let mut response = Response::new(Body::new(text));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(
        CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
