//! Each connection may hold only so many of the page's files open: a page
//! request takes one of its connection's [`OpenFiles`] before it queues for
//! the page's pool, and gives it back when its response is sent whole or
//! dropped. A client that opens many streams and never reads them (an
//! HTTP/2 window left shut) keeps only its own connection's files, not
//! the server's file descriptors or the page's pool.

use std::sync::Arc;

use http::Request;
use http_body_util::BodyExt as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tonic::body::Body;
use tower::ServiceExt as _;
use tower::util::BoxCloneService;

use crate::routing::HttpService;

/// A connection's budget of open files, found in each of its requests'
/// extensions (put there by the connection, see [`crate::connections`]).
///
/// ```
/// # tokio_test_block_on(async {
/// let files = server::file_budget::OpenFiles::new(2);
/// let held = files.acquire().await;
/// assert_eq!(files.open(), 1);
/// drop(held);
/// assert_eq!(files.open(), 0);
/// # });
/// # fn tokio_test_block_on(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct OpenFiles {
    permits: Arc<Semaphore>,
    max: usize,
}

impl OpenFiles {
    /// A budget of `max` files (at least 1).
    pub fn new(max: usize) -> Self {
        let max = max.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            permits: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    /// Waits for a file of the budget; it is given back when the permit is dropped.
    pub async fn acquire(&self) -> OwnedSemaphorePermit {
        Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .expect("the open-file semaphore is never closed")
    }

    /// How many files of the budget are in use.
    pub fn open(&self) -> usize {
        self.max - self.permits.available_permits()
    }
}

/// `page`, with each request holding one of its connection's open files
/// (when it carries an [`OpenFiles`]) from before it is handled until its
/// response is over.
pub fn hold_a_file_per_request(page: HttpService) -> HttpService {
    BoxCloneService::new(tower::service_fn(move |request: Request<Body>| {
        let page = page.clone();
        async move {
            let file = match request.extensions().get::<OpenFiles>() {
                Some(files) => Some(files.acquire().await),
                None => None,
            };
            let response = page.oneshot(request).await?;
            Ok(response.map(|body| {
                Body::new(body.map_frame(move |frame| {
                    let _held_until_sent = &file;
                    frame
                }))
            }))
        }
    }))
}
