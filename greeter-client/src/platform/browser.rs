//! In the browser: gRPC-Web over `fetch`, `performance.now()`, a JS timer.

use crate::Error;
use std::time::Duration;
use tonic::Status;
use tonic_web_wasm_client::Client;
use tonic_web_wasm_client::options::FetchOptions;
use tower::util::MapErr;
use tripbreaker::BrowserClock;

/// The breaker's clock.
pub type Clock = BrowserClock;

/// The gRPC transport: gRPC-Web over `fetch`, with fetch failures turned
/// into gRPC statuses.
pub type Transport = MapErr<Client, fn(tonic_web_wasm_client::Error) -> Status>;

/// How long after the deadline the fetch itself is aborted. The server's
/// own `DeadlineExceeded` normally comes first; the abort ends calls to a
/// server that does not answer at all.
const ABORT_GRACE: Duration = Duration::from_millis(250);

/// A new clock for a new breaker.
pub fn clock() -> Clock {
    BrowserClock::new()
}

/// A transport to `server` whose fetches are aborted a little after `deadline`.
pub fn transport(server: &str, deadline: Duration) -> Result<Transport, Error> {
    let options = FetchOptions::new().timeout(deadline + ABORT_GRACE);
    let client = Client::new_with_options(server.to_owned(), options);
    Ok(MapErr::new(client, fetch_error as fn(_) -> _))
}

/// Waits `duration`.
pub async fn sleep(duration: Duration) {
    gloo_timers::future::sleep(duration).await;
}

/// Nothing: the page shows each call's retries next to its line.
pub fn retrying(_status: &Status, _backoff: Duration) {}

/// A failed fetch is what a gRPC client calls a connection failure,
/// `Unavailable` (a server that is down, or refused by CORS); an aborted one
/// past its deadline is already `DeadlineExceeded`.
fn fetch_error(error: tonic_web_wasm_client::Error) -> Status {
    match error {
        tonic_web_wasm_client::Error::TonicStatusError(status) => status,
        tonic_web_wasm_client::Error::JsError(message) => {
            Status::unavailable(format!("connection error: {message}"))
        }
        other => Status::internal(other.to_string()),
    }
}
