//! Serving HTTP/1.1 and HTTP/2 on accepted connections with hyper-util,
//! under the configured protocol limits, until a bounded graceful shutdown.
//!
//! tonic's own `Server` is not used: it gives hyper no timer (so HTTP/1.1
//! has no header-read timeout) and turns hyper's HTTP/2 stream limit off.
//!
//! No client can hold the server for everyone else: past
//! `--max-connections` the connection that does least gives way to a new
//! one (the `table` module), a connection must send a whole request head soon after
//! it opens, and a response that holds a file and stops moving is closed
//! (the `watchdog` module); each connection keeps at most so many files open
//! ([`crate::file_budget`]).

mod accept;
mod activity;
mod table;
mod watchdog;

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tonic::body::Body;
use tower::{Service, ServiceBuilder};

use tower_http::metrics::InFlightRequestsLayer;

use crate::config::Config;
use crate::telemetry::{self, Limit};
use accept::Acceptor;
pub use table::STALLED_AFTER;
use table::Table;
use watchdog::Deadlines;

/// How many streams one HTTP/2 connection may reset on its own before the
/// server accepted them (the "rapid reset" attack) before it is closed.
pub const HTTP2_MAX_PENDING_ACCEPT_RESET_STREAMS: usize = 20;

/// How many streams the server may reset on one HTTP/2 connection because
/// the peer misbehaved (e.g. opened streams past the limit) before it
/// closes the connection with `ENHANCE_YOUR_CALM`.
pub const HTTP2_MAX_LOCAL_ERROR_RESET_STREAMS: usize = 1024;

/// The protocol settings every connection is served with.
fn builder(config: &Config) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout)
        .max_buf_size(config.http1_max_head_bytes)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(config.http2_max_concurrent_streams)
        .max_pending_accept_reset_streams(HTTP2_MAX_PENDING_ACCEPT_RESET_STREAMS)
        .max_local_error_reset_streams(HTTP2_MAX_LOCAL_ERROR_RESET_STREAMS)
        .keep_alive_interval(config.http2_keepalive_interval)
        .keep_alive_timeout(config.http2_keepalive_timeout);
    builder
}

/// Serves `service` on the connections of `listener` until `shutdown`
/// completes; then stops accepting, lets calls in flight finish for at
/// most `config.shutdown_timeout`, and closes the connections left.
pub(crate) async fn serve<S>(
    config: &Config,
    service: S,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let builder = builder(config);
    let mut acceptor = Acceptor::new(listener);
    let table = Table::new(config.max_connections, config.max_open_files_per_connection);
    let deadlines = Deadlines {
        first_request: config.header_read_timeout,
        stalled_file: config.stall_timeout,
    };
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = acceptor.accept() => accepted,
        };
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = table.admit() => slot,
        };
        let activity = std::sync::Arc::clone(slot.activity());
        let watched = std::sync::Arc::clone(&activity);
        let service = ServiceBuilder::new()
            .map_request(move |request: Request<Incoming>| watched.begin(request.map(Body::new)))
            .map_response({
                let activity = std::sync::Arc::clone(&activity);
                move |response| activity.watch(response)
            })
            .layer(InFlightRequestsLayer::new(activity.in_flight_counter()))
            .service(service.clone());
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        let opened = tokio::time::Instant::now();
        connections.spawn(async move {
            tokio::select! {
                result = connection => if let Err(error) = result {
                    tracing::debug!(%peer, "connection ended: {error}");
                },
                () = activity.asked_to_give_way() => {
                    tracing::debug!(%peer, "connection closed to make room for a new one");
                    telemetry::refused(Limit::ConnectionGaveWay);
                }
                expired = watchdog::expired(&activity, deadlines, opened) => {
                    tracing::debug!(%peer, "connection closed: {expired}");
                    telemetry::refused(expired.limit());
                }
            }
            drop(slot);
        });
        // Reaps finished connections so the set stays small.
        while connections.try_join_next().is_some() {}
    }
    drop(acceptor);
    close(graceful, connections, config.shutdown_timeout).await;
}

/// Asks every connection to finish (HTTP/2 GOAWAY, HTTP/1.1 close after the
/// response in flight) and waits for at most `limit`; then aborts the rest.
async fn close(graceful: GracefulShutdown, mut connections: JoinSet<()>, limit: Duration) {
    let open = connections.len();
    if open > 0 {
        tracing::info!("waiting up to {limit:?} for {open} open connection(s) to finish");
    }
    if tokio::time::timeout(limit, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "{} connection(s) still busy after {limit:?}: closing them",
            connections.len()
        );
        connections.abort_all();
    }
    while connections.join_next().await.is_some() {}
}
