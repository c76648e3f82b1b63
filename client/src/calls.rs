//! `--calls N`: SayHello again and again at a steady pace, each call's
//! line printed: how to watch one breaker shared by several clients, or
//! calls spread over several servers (each with its own breaker), where
//! the Go demo's story (which needs the breaker to itself) does not fit.

use crate::Config;
use crate::demo::Printer;
use crate::metrics::BreakerMetrics;
use greeter_client::go_style;
use greeter_client::{Reply, reply_line};
use tripbreaker::Transition;

/// How the calls of a run ended.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Calls the server answered.
    pub answered: u32,
    /// Calls made that failed (the server's error, or no answer).
    pub failed: u32,
    /// Calls the breaker refused without making them.
    pub refused: u32,
}

impl Tally {
    fn count(&mut self, reply: &Reply) {
        match reply {
            Reply::Answered(_) => self.answered += 1,
            Reply::Rejected(_) => self.refused += 1,
            Reply::Failed(_) => self.failed += 1,
        }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} answered, {} failed, {} refused by the breaker",
            self.answered, self.failed, self.refused
        )
    }
}

/// Calls SayHello(`config.name`) `calls` times, waiting `config.every`
/// between two calls, and prints the Go demo's line for each call and for
/// each state change of a breaker this client applied. With several
/// servers each line starts with the server's URL in brackets. The log on
/// stderr ends with the tally, and with several servers each one's.
pub async fn repeat(config: &Config, calls: u32, print: Printer) -> anyhow::Result<Tally> {
    let servers = config.servers()?;
    let label = |server: &str| match servers.len() {
        1 => String::new(),
        _ => format!("[{server}] "),
    };
    let metrics: Vec<BreakerMetrics> = servers
        .iter()
        .map(|server| BreakerMetrics::of(config, server))
        .collect();
    let greeter = config
        .balanced(|server| {
            let at = servers.iter().position(|s| s == server);
            let metrics = at.map(|at| metrics[at].clone()).unwrap_or_default();
            let (print, label) = (print.clone(), label(server));
            Box::new(move |name: &str, t: Transition| {
                metrics.transition(name, t);
                print(&format!("{label}{}", go_style::transition(name, t)));
            })
        })
        .await?;
    let name = config.settings.breaker_settings().name;
    let mut tally = Tally::default();
    let mut by_server = vec![Tally::default(); servers.len()];
    for call in 0..calls {
        if call > 0 {
            greeter_client::sleep(config.every).await;
        }
        let answer = greeter.say_hello(&config.name).await;
        metrics[answer.endpoint].call(name, &answer.call);
        tally.count(&answer.call.reply);
        by_server[answer.endpoint].count(&answer.call.reply);
        let server = &servers[answer.endpoint];
        print(&format!(
            "{}{}",
            label(server),
            reply_line(&answer.call.reply)
        ));
    }
    tracing::info!("{calls} calls: {tally}");
    if servers.len() > 1 {
        for (server, tally) in servers.iter().zip(&by_server) {
            tracing::info!("{server}: {tally}");
        }
    }
    // In fast mode, what this client counted since its last sync.
    for endpoint in greeter.endpoints() {
        if let greeter_client::ChosenBreaker::Shared(shared) = endpoint.breaker() {
            shared.sync().await;
        }
    }
    Ok(tally)
}
