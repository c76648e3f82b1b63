//! The Go demo's story ([`greeter_client::go_demo`]), played in the
//! terminal: its lines to the printer, its progress to the log.

use crate::Config;
use crate::metrics::BreakerMetrics;
use greeter_client::go_demo::{self, Player, STEPS, Step};
use greeter_client::go_style;
use greeter_client::{Call, ClientErrors, Reply, reply_line};
use std::sync::{Arc, Mutex};
use tripbreaker::{State, Transition};

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

/// Replays the Go demo ([`go_demo::play`]) against `config`'s one server,
/// printing its lines to `print` as they happen.
///
/// The progress log on stderr ends with what happened: recovered, or the
/// state the breaker was left in and the last failure.
pub async fn run(config: &Config, print: Printer) -> anyhow::Result<Report> {
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let transitions: Arc<Mutex<Vec<(State, State)>>> = Arc::default();
    let say: Say = {
        let lines = Arc::clone(&lines);
        Arc::new(move |line: String| {
            print(&line);
            lines.lock().unwrap().push(line);
        })
    };
    let server = config.server()?;
    let metrics = BreakerMetrics::of(config, server);
    let on_transition = {
        let (say, transitions) = (Arc::clone(&say), Arc::clone(&transitions));
        Box::new(move |name: &str, t: Transition| {
            metrics.transition(name, t);
            transitions.lock().unwrap().push((t.from, t.to));
            say(go_style::transition(name, t));
        })
    };
    let greeter = config.greeter(server, on_transition).await?;
    let mut terminal = Terminal {
        config,
        server,
        say,
        attempts: 0,
    };
    let ending = go_demo::play(&greeter, &config.name, &mut terminal).await;
    if ending.recovered() {
        tracing::info!("{ending}");
    } else {
        tracing::warn!("{ending}");
    }
    let lines = std::mem::take(&mut *lines.lock().unwrap());
    let transitions = std::mem::take(&mut *transitions.lock().unwrap());
    Ok(Report {
        lines,
        transitions,
        attempts: ending.attempts,
        rejected: ending.rejected,
        state: ending.state,
    })
}

/// Prints a line and keeps it for the report.
type Say = Arc<dyn Fn(String) + Send + Sync>;

/// The story told in the terminal.
struct Terminal<'a> {
    config: &'a Config,
    server: &'a str,
    say: Say,
    /// Calls sent so far: a server that does not answer the first is hinted at.
    attempts: u64,
}

impl Player for Terminal<'_> {
    fn step(&mut self, step: Step) {
        tracing::info!("{}/{STEPS} {step}", step.number());
    }

    fn called(&mut self, call: Call) {
        self.attempts += u64::from(call.sent);
        if let Reply::Failed(status) = &call.reply
            && status.code() == tonic::Code::Unavailable
            && self.attempts <= 1
        {
            tracing::error!(
                "the server at {} does not answer: is it running? (`cargo run -p server`)",
                self.server
            );
        }
        (self.say)(reply_line(&call.reply));
    }

    fn not_tripped(&mut self) {
        if self.config.settings.client_errors == ClientErrors::Exclude {
            tracing::warn!(
                "client errors are excluded (--client-errors exclude): empty names do not trip the breaker"
            );
        }
        tracing::warn!("{}", go_demo::NOT_TRIPPED);
    }
}
