//! `--calls N`: SayHello again and again at a steady pace, each call's
//! line printed: how to watch one breaker shared by several clients, where
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

/// Calls SayHello(`config.name`) `calls` times, waiting `config.every`
/// between two calls, and prints the Go demo's line for each call and for
/// each state change of the breaker this client applied. The log on stderr
/// ends with the tally.
pub async fn repeat(config: &Config, calls: u32, print: Printer) -> anyhow::Result<Tally> {
    let metrics = BreakerMetrics::of(config);
    let on_transition = {
        let (print, metrics) = (print.clone(), metrics.clone());
        Box::new(move |name: &str, t: Transition| {
            metrics.transition(name, t);
            print(&go_style::transition(name, t));
        })
    };
    let greeter = config.greeter(on_transition).await?;
    let mut tally = Tally::default();
    for call in 0..calls {
        if call > 0 {
            greeter_client::sleep(config.every).await;
        }
        let call = greeter.say_hello(&config.name).await;
        metrics.call(config.settings.breaker_settings().name, &call);
        match &call.reply {
            Reply::Answered(_) => tally.answered += 1,
            Reply::Rejected(_) => tally.refused += 1,
            Reply::Failed(_) => tally.failed += 1,
        }
        print(&reply_line(&call.reply));
    }
    // In fast mode, what this client counted since its last sync.
    if let greeter_client::ChosenBreaker::Shared(shared) = greeter.breaker() {
        shared.sync().await;
    }
    tracing::info!(
        "{calls} calls: {} answered, {} failed, {} refused by the breaker",
        tally.answered,
        tally.failed,
        tally.refused
    );
    Ok(tally)
}
