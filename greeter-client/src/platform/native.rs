//! Natively: tonic's `Channel` over HTTP/2, the monotonic clock, tokio's timer.

use crate::Error;
use std::time::Duration;
use tonic::transport::{Channel, Endpoint};
use tripbreaker::MonotonicClock;

/// The breaker's clock.
pub type Clock = MonotonicClock;

/// The gRPC transport: a tonic `Channel`.
pub type Transport = Channel;

/// A new clock for a new breaker.
pub fn clock() -> Clock {
    MonotonicClock::new()
}

/// A transport to `server` that connects on first use (a server that is
/// down is a failed call, not a startup error) and gives up on a
/// connection or a call after `deadline`. Needs a tokio runtime.
pub fn transport(server: &str, deadline: Duration) -> Result<Transport, Error> {
    let endpoint = Endpoint::from_shared(server.to_owned())
        .map_err(|error| Error::Server(format!("`{server}`: {error}")))?
        .connect_timeout(deadline)
        .timeout(deadline);
    Ok(endpoint.connect_lazy())
}

/// Waits `duration`.
pub async fn sleep(duration: Duration) {
    tokio::time::sleep(duration).await;
}

/// Says that a call failed with `status` and is retried after `backoff`.
pub fn retrying(status: &tonic::Status, backoff: Duration) {
    tracing::warn!(
        code = crate::go_style::code_name(status.code()),
        message = status.message(),
        "SayHello failed; retrying in {}",
        humantime::format_duration(backoff)
    );
}
