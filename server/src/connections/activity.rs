//! What one open connection is doing, as the connection table sees it: when
//! it last did something useful, how many responses it has in flight, and
//! how many files it holds open.
//!
//! "Useful" is counted at the application's level (a request begun, a
//! frame of a response produced), not in bytes on the socket: a peer that
//! trickles a request head, or keeps a connection busy with pings while
//! its flow-control window stays shut, does nothing useful.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http::{Request, Response};
use http_body::{Body as HttpBody, Frame, SizeHint};
use pin_project_lite::pin_project;
use tokio::sync::Notify;
use tokio::time::Instant;
use tower_http::metrics::in_flight_requests::InFlightRequestsCounter;

use crate::file_budget::OpenFiles;

/// One connection's activity, shared by its task, its requests and the table.
#[derive(Debug)]
pub(crate) struct Activity {
    /// The instant `*_ms` fields count from.
    epoch: Instant,
    /// When the connection last did something useful (ms since `epoch`).
    last_useful_ms: AtomicU64,
    /// Whether a request has begun on it.
    requested: AtomicBool,
    /// Requests whose response is not yet over (tower-http's counter).
    in_flight: InFlightRequestsCounter,
    /// Files its page requests may hold open at once.
    files: OpenFiles,
    /// Set by the table when the connection must give way to a new one.
    give_way: Notify,
}

impl Activity {
    /// A connection opened now, which may hold `max_open_files` files open.
    pub(crate) fn new(epoch: Instant, max_open_files: usize) -> Arc<Self> {
        let activity = Arc::new(Self {
            epoch,
            last_useful_ms: AtomicU64::new(0),
            requested: AtomicBool::new(false),
            in_flight: InFlightRequestsCounter::new(),
            files: OpenFiles::new(max_open_files),
            give_way: Notify::new(),
        });
        activity.note_useful();
        activity
    }

    /// Notes that the connection did something useful just now.
    pub(crate) fn note_useful(&self) {
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_useful_ms.store(ms, Ordering::Relaxed);
    }

    /// When the connection last did something useful.
    pub(crate) fn last_useful(&self) -> Instant {
        self.epoch + Duration::from_millis(self.last_useful_ms.load(Ordering::Relaxed))
    }

    /// Notes a request begun: useful, and the end of the first-request deadline.
    fn note_request(&self) {
        self.requested.store(true, Ordering::Relaxed);
        self.note_useful();
    }

    /// Whether a request has begun on the connection.
    pub(crate) fn has_requested(&self) -> bool {
        self.requested.load(Ordering::Relaxed)
    }

    /// Whether a response is in flight (begun and not yet sent whole or dropped).
    pub(crate) fn is_busy(&self) -> bool {
        self.in_flight.get() > 0
    }

    /// How many files the connection's responses hold open.
    pub(crate) fn open_files(&self) -> usize {
        self.files.open()
    }

    /// The counter of responses in flight, for tower-http's `InFlightRequestsLayer`.
    pub(crate) fn in_flight_counter(&self) -> InFlightRequestsCounter {
        self.in_flight.clone()
    }

    /// Asks the connection to close, to make room for a new one.
    pub(crate) fn ask_to_give_way(&self) {
        self.give_way.notify_one();
    }

    /// Completes once the table has asked the connection to close.
    pub(crate) async fn asked_to_give_way(&self) {
        self.give_way.notified().await;
    }

    /// Notes `request` as begun and hands it the connection's file budget.
    pub(crate) fn begin<B>(&self, mut request: Request<B>) -> Request<B> {
        self.note_request();
        request.extensions_mut().insert(self.files.clone());
        request
    }

    /// `response`, with each frame of its body noted as useful.
    pub(crate) fn watch<B>(self: &Arc<Self>, response: Response<B>) -> Response<WatchedBody<B>> {
        response.map(|inner| WatchedBody {
            inner,
            activity: Arc::clone(self),
        })
    }
}

pin_project! {
    /// A response body whose frames are noted as useful ([`Activity::watch`]).
    pub(crate) struct WatchedBody<B> {
        #[pin]
        inner: B,
        activity: Arc<Activity>,
    }
}

impl<B: HttpBody> HttpBody for WatchedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let this = self.project();
        let frame = ready!(this.inner.poll_frame(cx));
        if let Some(Ok(_)) = &frame {
            this.activity.note_useful();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn frames_of_a_response_count_as_useful() {
        let activity = Activity::new(Instant::now(), 2);
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!(activity.last_useful().elapsed(), Duration::from_secs(5));
        let response = activity.watch(Response::new(http_body_util::Full::new(
            bytes::Bytes::from_static(b"hi"),
        )));
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap();
        assert_eq!(body.to_bytes(), "hi");
        assert_eq!(activity.last_useful().elapsed(), Duration::ZERO);
    }

    #[test]
    fn a_request_ends_the_wait_for_the_first_one() {
        let activity = Activity::new(Instant::now(), 1);
        assert!(!activity.has_requested());
        let request = activity.begin(Request::new(()));
        assert!(activity.has_requested());
        assert!(request.extensions().get::<OpenFiles>().is_some());
    }
}
