//! SayHello through the circuit breaker, over gRPC-Web, with a deadline and
//! retries.

use crate::{Reply, Settings};
use breaker::{BrowserClock, CircuitBreaker, SharedBreaker, State, Transition};
use breaker_tower::{CircuitBreakerLayer, CircuitBreakerService, rejection};
use proto::greeter::HelloRequest;
use proto::greeter::greeter_client::GreeterClient;
use std::time::Duration;
use tonic::{Code, Status};
use tonic_web_wasm_client::Client;
use tonic_web_wasm_client::options::FetchOptions;
use tower::util::MapErr;

/// Told of every state change, in order. It runs while the breaker is
/// being updated, so it must not call back into the breaker.
pub type TransitionSink = Box<dyn FnMut(&str, Transition) + Send>;

/// The page's breaker: time from `performance.now()`, changes to the page.
pub type Breaker = SharedBreaker<BrowserClock, TransitionSink>;

/// gRPC-Web over `fetch`, with fetch failures turned into gRPC statuses.
type Transport = MapErr<Client, fn(tonic_web_wasm_client::Error) -> Status>;

/// How long after the deadline the fetch itself is aborted. The server's
/// own `DeadlineExceeded` normally comes first; the abort ends calls to a
/// server that does not answer at all.
const ABORT_GRACE: Duration = Duration::from_millis(250);

/// The first retry's delay; each further retry waits twice as long.
pub const RETRY_BACKOFF: Duration = Duration::from_millis(100);

/// A greeter client whose every call goes through one circuit breaker.
/// Clones share the breaker.
#[derive(Clone)]
pub struct Greeter {
    client: GreeterClient<CircuitBreakerService<Transport, Breaker>>,
    breaker: Breaker,
    settings: Settings,
}

/// How a call ended, after its retries.
#[derive(Debug)]
pub struct CallReport {
    /// The last attempt's reply.
    pub reply: Reply,
    /// How many times the call was retried.
    pub retries: u32,
}

impl Greeter {
    /// A client of the greeter at `server`, guarded by a new closed breaker
    /// with `settings` that reports its state changes to `on_transition`.
    pub fn new(server: &str, settings: Settings, on_transition: TransitionSink) -> Self {
        let breaker = CircuitBreaker::new(settings.breaker_settings(), BrowserClock::new())
            .expect("a fixed window and a consecutive-failures rule are always valid")
            .with_observer(on_transition);
        let breaker = SharedBreaker::from_breaker(breaker);
        let fetch_options = FetchOptions::new().timeout(settings.deadline + ABORT_GRACE);
        let transport = Client::new_with_options(server.to_owned(), fetch_options);
        let transport = MapErr::new(transport, fetch_error as fn(_) -> _);
        let layer =
            CircuitBreakerLayer::new(breaker.clone()).with_classifier(settings.classifier());
        Greeter {
            client: GreeterClient::new(tower::Layer::layer(&layer, transport)),
            breaker,
            settings,
        }
    }

    /// The breaker guarding the calls.
    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    /// SayHello(`name`) with the deadline, retried with exponential backoff
    /// while it fails with `Unavailable` or `DeadlineExceeded`, up to the
    /// configured retries, but never into an open breaker.
    pub async fn say_hello(&self, name: &str) -> CallReport {
        let mut client = self.client.clone();
        let mut backoff = RETRY_BACKOFF;
        let mut retries = 0;
        loop {
            let mut request = tonic::Request::new(HelloRequest {
                name: name.to_owned(),
            });
            request.set_timeout(self.settings.deadline);
            let status = match client.say_hello(request).await {
                Ok(reply) => {
                    let reply = Reply::Answered(reply.into_inner().message);
                    return CallReport { reply, retries };
                }
                Err(status) => match rejection(&status) {
                    Some(rejected) => {
                        let reply = Reply::Rejected(rejected);
                        return CallReport { reply, retries };
                    }
                    None => status,
                },
            };
            let transient = matches!(status.code(), Code::Unavailable | Code::DeadlineExceeded);
            if !transient || retries == self.settings.retries || self.is_open() {
                return CallReport {
                    reply: Reply::Failed(status),
                    retries,
                };
            }
            gloo_timers::future::sleep(backoff).await;
            if self.is_open() {
                return CallReport {
                    reply: Reply::Failed(status),
                    retries,
                };
            }
            backoff = backoff.saturating_mul(2);
            retries += 1;
        }
    }

    fn is_open(&self) -> bool {
        self.breaker.state() == State::Open
    }
}

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
