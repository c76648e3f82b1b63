//! The Go demo's story, told through the breaker.

use crate::Config;
use breaker::{State, Transition};
use breaker_tower::go_style;
use greeter_client::{ChosenBreaker, ClientErrors, Greeter, Reply, reply_line};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the demo's lines go (stdout in the CLI).
pub type Printer = Arc<dyn Fn(&str) + Send + Sync>;

/// What a demo run did.
#[derive(Debug)]
pub struct Report {
    /// Every line printed, in order.
    pub lines: Vec<String>,
    /// Every state change, in order.
    pub transitions: Vec<(State, State)>,
    /// Calls that went out to the network (retries included).
    pub attempts: u64,
    /// Calls the breaker refused.
    pub rejected: u64,
    /// The breaker's state at the end: closed when the service recovered.
    pub state: State,
}

/// Replays the Go demo against `config.server`, printing its lines to
/// `print` as they happen:
/// 1. valid and empty names alternate (`Greeting: Hello World`, then the
///    InvalidArgument error);
/// 2. empty names until the breaker trips (`… changed from closed to open`);
/// 3. valid names are refused at once while it is open;
/// 4. the wait until the open timeout has passed (`… open to half-open`);
/// 5. `max_requests` trial calls close it again (`… half-open to closed`);
/// 6. one more greeting, as before.
///
/// The progress log on stderr ends with what happened: recovered, or the
/// state the breaker was left in and the last failure.
pub async fn run(config: &Config, print: Printer) -> anyhow::Result<Report> {
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let transitions: Arc<Mutex<Vec<(State, State)>>> = Arc::default();
    let say = {
        let lines = Arc::clone(&lines);
        move |line: String| {
            print(&line);
            lines.lock().unwrap().push(line);
        }
    };
    let on_transition = {
        let (say, transitions) = (say.clone(), Arc::clone(&transitions));
        Box::new(move |name: &str, t: Transition| {
            transitions.lock().unwrap().push((t.from, t.to));
            say(go_style::transition(name, t));
        })
    };
    let greeter = config.greeter(on_transition)?;
    let mut story = Story {
        greeter,
        config,
        say,
        attempts: 0,
        rejected: 0,
        last_failure: None,
    };
    let name = config.name.as_str();
    let settings = &config.settings;

    tracing::info!("1/6 valid and empty names alternate");
    for _ in 0..2 {
        story.call(name).await;
        story.call("").await;
    }

    tracing::info!("2/6 empty names until the breaker trips");
    for _ in 0..settings.trip {
        if story.state().await == State::Open {
            break;
        }
        story.call("").await;
    }
    if story.state().await != State::Open {
        if settings.client_errors == ClientErrors::Exclude {
            tracing::warn!(
                "client errors are excluded (--client-errors exclude): empty names do not trip the breaker"
            );
        }
        tracing::warn!("the breaker did not trip; the rest of the story needs it open");
    }

    tracing::info!("3/6 while open, calls are refused without reaching the server");
    for _ in 0..3 {
        story.call(name).await;
    }

    if let Some(until_half_open) = story.greeter.time_to_next_transition().await {
        let wait = until_half_open + Duration::from_millis(1);
        let shown = Duration::from_millis(wait.as_millis() as u64);
        tracing::info!(
            "4/6 waiting {} for the open timeout",
            humantime::format_duration(shown)
        );
        greeter_client::sleep(wait).await;
    }

    // Reading the state applies open -> half-open now that it is due.
    let state = story.state().await;
    tracing::info!("5/6 trial calls (the breaker is {state})");
    for _ in 0..settings.max_requests {
        story.call(name).await;
    }

    let state = story.state().await;
    tracing::info!("6/6 one more call (the breaker is {state})");
    story.call(name).await;

    let state = story.state().await;
    match (state, &story.last_failure) {
        (State::Closed, _) => tracing::info!("recovered: the breaker is closed again"),
        (state, Some(failure)) => {
            tracing::warn!("not recovered: the breaker is {state}; the last failure: {failure}")
        }
        (state, None) => tracing::warn!("not recovered: the breaker is {state}"),
    }
    let Story {
        attempts, rejected, ..
    } = story;
    let lines = std::mem::take(&mut *lines.lock().unwrap());
    let transitions = std::mem::take(&mut *transitions.lock().unwrap());
    Ok(Report {
        lines,
        transitions,
        attempts,
        rejected,
        state,
    })
}

/// The demo under way: its client, and what its calls did so far.
struct Story<'a, Say> {
    greeter: Greeter<ChosenBreaker>,
    config: &'a Config,
    say: Say,
    attempts: u64,
    rejected: u64,
    /// The last error the server (or the network) gave, as grpc-go prints it.
    last_failure: Option<String>,
}

impl<Say: Fn(String)> Story<'_, Say> {
    /// The breaker's state (applying a transition that is due, which
    /// prints its line).
    async fn state(&self) -> State {
        self.greeter.state().await
    }

    /// SayHello(`name`), and its line.
    async fn call(&mut self, name: &str) {
        let call = self.greeter.say_hello(name).await;
        self.attempts += u64::from(call.sent);
        match &call.reply {
            Reply::Answered(_) => {}
            Reply::Rejected(_) => self.rejected += 1,
            Reply::Failed(status) => {
                if status.code() == tonic::Code::Unavailable && self.attempts <= 1 {
                    tracing::error!(
                        "the server at {} does not answer: is it running? (`cargo run -p server`)",
                        self.config.server
                    );
                }
                self.last_failure = call.reply.error_text();
            }
        }
        (self.say)(reply_line(&call.reply));
    }
}
