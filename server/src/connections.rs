//! Serving HTTP/1.1 and HTTP/2 on accepted connections with hyper-util,
//! under the configured protocol limits, until a bounded graceful shutdown.
//!
//! tonic's own `Server` is not used: it gives hyper no timer (so HTTP/1.1
//! has no header-read timeout) and turns hyper's HTTP/2 stream limit off.

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

use crate::accept::Acceptor;
use crate::config::Config;

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
    let service = ServiceBuilder::new()
        .map_request(|request: Request<Incoming>| request.map(Body::new))
        .service(service);
    let builder = builder(config);
    let mut acceptor = Acceptor::new(listener, config.max_connections);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = acceptor.accept() => {
                let connection = builder
                    .serve_connection(
                        TokioIo::new(accepted.stream),
                        TowerToHyperService::new(service.clone()),
                    )
                    .into_owned();
                let connection = graceful.watch(connection);
                let (peer, slot) = (accepted.peer, accepted.slot);
                connections.spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%peer, "connection ended: {error}");
                    }
                    drop(slot);
                });
            }
            // Reaps finished connections so the set stays small.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
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
