//! `client force open|closed|release`: steers the breaker every client on
//! one Redis shares (`greeter`), for all of them at once.

use crate::{SharedStore, UsageError};
use clap::{Args, Subcommand};
use greeter_client::{Settings, redis_breaker, redis_url_for_logs, show_duration};
use std::time::Duration;
use tripbreaker_redis::{Force, ForceError, Forced};

/// What to do to the shared breaker.
#[derive(Debug, Clone, Subcommand)]
pub enum ForceCommand {
    /// Reject every call of every client for --for.
    Open(ForceFor),
    /// Admit every call of every client for --for (counted, never tripping).
    Closed(ForceFor),
    /// End the force in effect: the breaker goes on closed with fresh counts.
    Release(Target),
}

/// The shared breaker to steer: `--shared-state` is required here.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("shared_state", |arg| arg.required(true)))]
pub struct Target {
    /// Where the breaker is shared.
    #[command(flatten)]
    pub store: SharedStore,
}

/// A force's target, time to live and reason.
#[derive(Debug, Clone, Args)]
pub struct ForceFor {
    /// The shared breaker to force.
    #[command(flatten)]
    pub target: Target,

    /// How long the force lasts, e.g. `60s` (more than 0s, at most 1 day;
    /// force again to keep it longer). Then the breaker goes on closed with
    /// fresh counts.
    #[arg(long = "for", value_name = "DURATION", value_parser = force_ttl)]
    pub ttl: Duration,

    /// Why, for whoever reads the force (printable, at most 200 bytes).
    #[arg(long)]
    pub reason: String,
}

/// A force's time to live: a humantime duration within the library's bounds.
fn force_ttl(text: &str) -> Result<Duration, String> {
    let ttl = humantime::parse_duration(text).map_err(|error| error.to_string())?;
    tripbreaker_redis::check_force_ttl(ttl).map_err(|error| error.to_string())?;
    Ok(ttl)
}

/// Carries out `command` (one round trip to Redis) and returns the line
/// that says what was done. A reason the store may not keep is a
/// [`UsageError`]; Redis not answering is another error.
pub async fn run(command: &ForceCommand) -> anyhow::Result<String> {
    let (target, force) = match command {
        ForceCommand::Open(args) => (&args.target, Some((Force::Open, args))),
        ForceCommand::Closed(args) => (&args.target, Some((Force::Closed, args))),
        ForceCommand::Release(target) => (target, None),
    };
    let url = target
        .store
        .shared_state
        .as_deref()
        .ok_or_else(|| UsageError("client force needs --shared-state URL".to_owned()))?;
    let shown = redis_url_for_logs(url);
    // Steering needs no settings in common with the clients it steers:
    // the defaults name the breaker (`greeter`) they all share.
    let breaker = redis_breaker(
        url,
        &Settings::default(),
        target.store.store_timeout,
        tripbreaker_redis::SharedMode::Exact,
        Box::new(|_, _| {}),
    )
    .map_err(|error| anyhow::anyhow!("--shared-state {shown}: {error}"))?;
    let done = match force {
        Some((force, args)) => breaker.force(force, args.ttl, &args.reason).await.map(|_| {
            format!(
                "forced {force} for {}: {:?}",
                show_duration(args.ttl),
                args.reason
            )
        }),
        None => breaker.release().await.map(|released| match released {
            Some(forced) => format!("released the force {}", shown_force(&forced)),
            None => "no force to release".to_owned(),
        }),
    };
    done.map_err(|error| match error {
        ForceError::Reason(_) => UsageError(format!("--reason: {error}")).into(),
        other => anyhow::anyhow!("--shared-state {shown}: {other}"),
    })
}

/// `open (42s left: "reason")`.
fn shown_force(forced: &Forced) -> String {
    let left = Duration::from_secs(forced.remaining.as_secs());
    format!(
        "{} ({} left: {:?})",
        forced.force,
        show_duration(left),
        forced.reason
    )
}

#[cfg(test)]
mod tests {
    use crate::{Command, Config};
    use clap::Parser;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from([&["client"], args].concat())
    }

    #[test]
    fn a_force_names_its_store_time_and_reason() {
        let config = parse(&[
            "force",
            "open",
            "--shared-state",
            "redis://127.0.0.1:6379",
            "--for",
            "90s",
            "--reason",
            "deploy",
        ])
        .unwrap();
        let Some(Command::Force(super::ForceCommand::Open(args))) = config.command else {
            panic!("force open: {config:?}");
        };
        assert_eq!(args.ttl, std::time::Duration::from_secs(90));
        assert_eq!(args.reason, "deploy");
        let release = parse(&["force", "release", "--shared-state", "redis://10.0.0.1"]);
        assert!(release.is_ok(), "{release:?}");
    }

    #[test]
    fn a_force_without_what_it_needs_is_refused_naming_it() {
        // The checks of each value are the e2e test's (`shared_breaker_cli.rs`).
        for (args, says) in [
            (
                "force open --shared-state redis://127.0.0.1 --reason x",
                "--for",
            ),
            (
                "force closed --shared-state redis://127.0.0.1 --for 60s",
                "--reason",
            ),
            (
                "force open --shared-state localhost --for 1m --reason x",
                "is not a Redis URL",
            ),
            ("force shut", "shut"),
            (
                "--calls 3 force release --shared-state redis://127.0.0.1",
                "force",
            ),
        ] {
            let error = parse(&args.split_whitespace().collect::<Vec<_>>()).unwrap_err();
            assert_eq!(error.exit_code(), 2, "{args}");
            assert!(error.to_string().contains(says), "{args}: {error}");
        }
    }
}
