//! The Go demo's story, told through the breaker.

use crate::greeter::{GuardedGreeter, Reply, line};
use crate::{ClientErrors, Config};
use breaker::{State, Transition};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Where the demo's lines go (stdout in the CLI).
pub type Printer = Arc<dyn Fn(&str) + Send + Sync>;

/// What a demo run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Every line printed, in order.
    pub lines: Vec<String>,
    /// Every state change, in order.
    pub transitions: Vec<(State, State)>,
    /// Calls that went out to the network (retries included).
    pub attempts: u64,
    /// Calls the breaker refused.
    pub rejected: u64,
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
pub async fn run(config: &Config, print: Printer) -> anyhow::Result<Report> {
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let transitions: Arc<Mutex<Vec<(State, State)>>> = Arc::default();
    let say = {
        let (lines, print) = (Arc::clone(&lines), Arc::clone(&print));
        move |line: String| {
            print(&line);
            lines.lock().unwrap().push(line);
        }
    };
    let on_transition = {
        let (say, transitions) = (say.clone(), Arc::clone(&transitions));
        Box::new(move |name: &str, t: Transition| {
            transitions.lock().unwrap().push((t.from, t.to));
            say(format!(
                "Circuit Breaker '{name}' changed from {} to {}",
                t.from, t.to
            ));
        })
    };
    let mut greeter = GuardedGreeter::new(config, on_transition)?;
    let mut rejected = 0;
    let mut call = async |greeter: &mut GuardedGreeter, name: &str| {
        let reply = greeter.say_hello(name).await;
        if let Reply::Failed(status) = &reply
            && status.code() == tonic::Code::Unavailable
            && greeter.attempts() <= 1
        {
            tracing::error!(
                "the server at {} does not answer: is it running? (`cargo run -p server`)",
                config.server
            );
        }
        if matches!(reply, Reply::Rejected(_)) {
            rejected += 1;
        }
        say(line(&reply));
    };
    let name = config.name.as_str();

    tracing::info!("1/6 valid and empty names alternate");
    for _ in 0..2 {
        call(&mut greeter, name).await;
        call(&mut greeter, "").await;
    }

    tracing::info!("2/6 empty names until the breaker trips");
    for _ in 0..config.trip {
        if greeter.breaker().state() == State::Open {
            break;
        }
        call(&mut greeter, "").await;
    }
    if greeter.breaker().state() != State::Open {
        if config.client_errors == ClientErrors::Exclude {
            tracing::warn!(
                "client errors are excluded (--client-errors exclude): empty names do not trip the breaker"
            );
        }
        tracing::warn!("the breaker did not trip; the rest of the story needs it open");
    }

    tracing::info!("3/6 while open, calls are refused without reaching the server");
    for _ in 0..3 {
        call(&mut greeter, name).await;
    }

    if let Some(until_half_open) = greeter.breaker().time_to_next_transition() {
        let wait = until_half_open + Duration::from_millis(1);
        let shown = Duration::from_millis(wait.as_millis() as u64);
        tracing::info!(
            "4/6 waiting {} for the open timeout",
            humantime::format_duration(shown)
        );
        tokio::time::sleep(wait).await;
        greeter.breaker().state(); // applies (and prints) open -> half-open
    }

    tracing::info!("5/6 half-open: trial calls");
    for _ in 0..config.max_requests.max(1) {
        call(&mut greeter, name).await;
    }

    tracing::info!("6/6 recovered");
    call(&mut greeter, name).await;

    let attempts = greeter.attempts();
    drop(greeter);
    let lines = std::mem::take(&mut *lines.lock().unwrap());
    let transitions = std::mem::take(&mut *transitions.lock().unwrap());
    Ok(Report {
        lines,
        transitions,
        attempts,
        rejected,
    })
}
