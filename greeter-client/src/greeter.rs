//! SayHello through the circuit breaker, with the deadline and the retry
//! policy: the one client the CLI and the page both call through.

use crate::platform::{self, Transport};
use crate::{Error, Guard, Reply, RetryPolicy, Settings};
use proto::greeter::HelloRequest;
use proto::greeter::greeter_client::GreeterClient;
use std::time::Duration;
use tripbreaker::{CircuitBreaker, Outcome, SharedBreaker, State, Transition};
use tripbreaker_tower::{CaptureOutcome, CircuitBreakerLayer, CircuitBreakerService};

/// Told of every state change, in order.
pub type TransitionSink = Box<dyn FnMut(&str, Transition) + Send>;

/// The breaker the calls go through, on this target's clock.
pub type Breaker = SharedBreaker<platform::Clock, TransitionSink>;

/// A greeter client whose every call goes through one circuit breaker:
/// by default a local [`Breaker`], or any other [`Guard`] (natively, one
/// shared by many processes, see `ChosenBreaker`).
/// Clones share the breaker and the connection.
#[derive(Clone)]
pub struct Greeter<G = Breaker> {
    client: GreeterClient<CircuitBreakerService<Transport, G>>,
    breaker: G,
    settings: Settings,
}

/// How one SayHello ended, after its retries.
#[derive(Debug)]
pub struct Call {
    /// The last try's reply.
    pub reply: Reply,
    /// How many times the call was tried again.
    pub retries: u32,
    /// Tries that went out to the network (the breaker refused the others).
    pub sent: u32,
    /// How the breaker counted the last try: a success, a failure, or
    /// excluded (a caller mistake under `client_errors=exclude`); `None`
    /// when the breaker refused it.
    pub outcome: Option<Outcome>,
}

impl Greeter {
    /// A client of the greeter at `server`, guarded by a new closed breaker
    /// with `settings` that reports its state changes to `on_transition`.
    /// Natively it connects on first use, so a server that is down is a
    /// failed call, not an error here.
    pub fn new(
        server: &str,
        settings: Settings,
        on_transition: TransitionSink,
    ) -> Result<Self, Error> {
        Greeter::over(server, settings, local_breaker(&settings, on_transition)?)
    }
}

/// A new closed breaker of this process with the breaker settings of
/// `settings`, on this target's clock, reporting its state changes to
/// `on_transition`: the one [`Greeter::new`] guards its calls with.
pub fn local_breaker(settings: &Settings, on_transition: TransitionSink) -> Result<Breaker, Error> {
    let breaker = CircuitBreaker::new(settings.breaker_settings(), platform::clock())?
        .with_observer(on_transition);
    Ok(SharedBreaker::from_breaker(breaker))
}

impl<G: Guard> Greeter<G> {
    /// A client of the greeter at `server` whose calls go through `tripbreaker`
    /// (made with `settings.breaker_settings()`), with the deadline, retry
    /// policy and classifier of `settings`.
    pub fn over(server: &str, settings: Settings, breaker: G) -> Result<Self, Error> {
        let transport = platform::transport(server, settings.deadline)?;
        let layer =
            CircuitBreakerLayer::new(breaker.clone()).with_classifier(settings.classifier());
        Ok(Greeter {
            client: GreeterClient::new(tower_layer::Layer::layer(&layer, transport)),
            breaker,
            settings,
        })
    }

    /// The breaker guarding the calls.
    pub fn breaker(&self) -> &G {
        &self.breaker
    }

    /// The breaker's state now, applying a transition that is due (which
    /// its observer is told of).
    pub async fn state(&self) -> State {
        self.breaker.state().await
    }

    /// How long until the breaker's state changes by itself (an open
    /// breaker turns half-open strictly after it); `None` if it will not.
    pub async fn time_to_next_transition(&self) -> Option<Duration> {
        self.breaker.time_to_next_transition().await
    }

    /// The settings this client was built with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// SayHello(`name`) with the deadline, tried again per the
    /// [`RetryPolicy`] while it fails with a transient status, but never
    /// into an open breaker: the breaker is looked at before the backoff
    /// and again after it.
    pub async fn say_hello(&self, name: &str) -> Call {
        let policy = RetryPolicy::of(&self.settings);
        let (mut retries, mut sent) = (0, 0);
        loop {
            let (reply, outcome) = self.try_once(name).await;
            if !matches!(reply, Reply::Rejected(_)) {
                sent += 1;
            }
            let call = Call {
                reply,
                retries,
                sent,
                outcome,
            };
            let Reply::Failed(status) = &call.reply else {
                return call;
            };
            let backoff = match policy.backoff(status, retries) {
                Some(backoff) if !self.is_open().await => backoff,
                _ => return call,
            };
            platform::retrying(status, backoff);
            platform::sleep(backoff).await;
            if self.is_open().await {
                return call;
            }
            retries += 1;
        }
    }

    /// One try of SayHello(`name`), and how the layer counted it (`None`
    /// if the breaker refused it).
    async fn try_once(&self, name: &str) -> (Reply, Option<Outcome>) {
        let mut request = tonic::Request::new(HelloRequest {
            name: name.to_owned(),
        });
        request.set_timeout(self.settings.deadline);
        let capture = CaptureOutcome::new();
        request.extensions_mut().insert(capture.clone());
        let result = self.client.clone().say_hello(request).await;
        let reply = Reply::from_result(result.map(|reply| reply.into_inner().message));
        (reply, capture.outcome())
    }

    async fn is_open(&self) -> bool {
        matches!(self.state().await, State::Open | State::ForcedOpen)
    }
}
