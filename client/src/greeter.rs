//! SayHello through the breaker, with a deadline and retries.

use crate::Config;
use breaker::{CircuitBreaker, MonotonicClock, SharedBreaker, State, Transition};
use breaker_tower::{CircuitBreakerLayer, CircuitBreakerService, go_style, rejection};
use proto::greeter::HelloRequest;
use proto::greeter::greeter_client::GreeterClient;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};

/// Told of every state change, in order.
pub type TransitionSink = Box<dyn FnMut(&str, Transition) + Send>;

/// The breaker the client calls through.
pub type Breaker = SharedBreaker<MonotonicClock, TransitionSink>;

/// How one SayHello ended: the greeting, the breaker's refusal, or the failure.
pub type Reply = breaker_tower::Reply<String>;

/// The Go demo's line for a reply: `Greeting: Hello World`,
/// `Error calling SayHello: circuit breaker is open`, or
/// `Error calling SayHello: rpc error: code = … desc = …`.
///
/// ```
/// use client::greeter::{Reply, line};
/// assert_eq!(line(&Reply::Answered("Hello World".into())), "Greeting: Hello World");
/// assert_eq!(
///     line(&Reply::Rejected(breaker::Rejected::Open)),
///     "Error calling SayHello: circuit breaker is open"
/// );
/// ```
pub fn line(reply: &Reply) -> String {
    match (reply, reply.error_text()) {
        (Reply::Answered(message), _) => format!("Greeting: {message}"),
        (_, error) => format!("Error calling SayHello: {}", error.unwrap_or_default()),
    }
}

/// A greeter client whose calls go through a circuit breaker.
pub struct GuardedGreeter {
    client: GreeterClient<CircuitBreakerService<Channel, Breaker>>,
    breaker: Breaker,
    config: Config,
    attempts: u64,
}

impl GuardedGreeter {
    /// A client of `config.server` (connected on first use, so a server that
    /// is down is a failed call, not a startup error), reporting the
    /// breaker's state changes to `on_transition`.
    pub fn new(config: &Config, on_transition: TransitionSink) -> anyhow::Result<Self> {
        let breaker = SharedBreaker::from_breaker(
            CircuitBreaker::new(config.breaker_settings(), MonotonicClock::new())?
                .with_observer(on_transition),
        );
        let endpoint = Endpoint::from_shared(config.server.clone())
            .map_err(|e| anyhow::anyhow!("invalid --server {:?}: {e}", config.server))?
            .connect_timeout(config.deadline)
            .timeout(config.deadline);
        let guarded = tower::ServiceBuilder::new()
            .layer(CircuitBreakerLayer::new(breaker.clone()).with_classifier(config.classifier()))
            .service(endpoint.connect_lazy());
        Ok(GuardedGreeter {
            client: GreeterClient::new(guarded),
            breaker,
            config: config.clone(),
            attempts: 0,
        })
    }

    /// The breaker guarding the calls.
    pub fn breaker(&self) -> &Breaker {
        &self.breaker
    }

    /// Calls that went out to the network so far (retries included).
    pub fn attempts(&self) -> u64 {
        self.attempts
    }

    /// SayHello(`name`), retried with exponential backoff while it fails with
    /// a transient code, up to `--retries` times, but never into an open breaker.
    pub async fn say_hello(&mut self, name: &str) -> Reply {
        let mut backoff = self.config.retry_backoff;
        let mut retries_left = self.config.retries;
        loop {
            let mut request = tonic::Request::new(HelloRequest {
                name: name.to_owned(),
            });
            request.set_timeout(self.config.deadline);
            let status = match self.client.say_hello(request).await {
                Ok(reply) => {
                    self.attempts += 1;
                    return Reply::Answered(reply.into_inner().message);
                }
                Err(status) => match rejection(&status) {
                    Some(rejected) => return Reply::Rejected(rejected),
                    None => {
                        self.attempts += 1;
                        status
                    }
                },
            };
            let transient = matches!(status.code(), Code::Unavailable | Code::DeadlineExceeded)
                || is_client_timeout(&status);
            if !transient || retries_left == 0 || self.breaker.state() == State::Open {
                return Reply::Failed(status);
            }
            tracing::warn!(
                code = go_style::code_name(status.code()),
                message = status.message(),
                "SayHello failed; retrying in {}",
                humantime::format_duration(backoff)
            );
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
            retries_left -= 1;
        }
    }
}

/// tonic reports its own client-side deadline as `Cancelled: Timeout expired`.
fn is_client_timeout(status: &Status) -> bool {
    status.code() == Code::Cancelled && status.message() == "Timeout expired"
}
