//! The demo's flags, each with an environment fallback.

use crate::force::ForceCommand;
use clap::{Args, Parser, Subcommand};
use greeter_client::{
    Balanced, ChosenBreaker, Greeter, Settings, TransitionSink, local_breaker, redis_breaker,
    redis_url_for_logs,
};
use std::time::Duration;

/// Replays the Go circuit-breaker demo against the greeter server: successes,
/// failures until the breaker trips, fast rejections while it is open, the
/// wait, half-open probes and recovery. The demo's lines go to stdout;
/// progress and retries are logged to stderr (`RUST_LOG`).
#[derive(Debug, Clone, Parser)]
#[command(name = "client", version, args_conflicts_with_subcommands = true)]
pub struct Config {
    /// Instead of calling: steer the shared breaker.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// The greeter server's URL. Repeat it (or give a comma-separated
    /// list) to spread --calls over several servers, each with its own
    /// breaker.
    #[arg(long = "server", env = "GREETER_SERVER", value_name = "URL",
          default_value = "http://127.0.0.1:50051", value_delimiter = ',',
          value_parser = greeter_client::parse_server)]
    pub servers: Vec<String>,

    /// With several --server: the most endpoints a call may pass over
    /// because their breakers refuse, as a share of all (gRFC A50's
    /// max_ejection_percent, and its rule: one can always be passed over).
    /// Past it a call fails at once with the breaker's error instead.
    #[arg(long, env = "CLIENT_MAX_EJECTION_PERCENT", value_name = "PERCENT",
          default_value_t = greeter_client::DEFAULT_MAX_EJECTION_PERCENT,
          value_parser = clap::value_parser!(u8).range(0..=100))]
    pub max_ejection_percent: u8,

    /// The name sent in valid calls.
    #[arg(long, default_value = "World")]
    pub name: String,

    /// Where the breaker is shared, if it is.
    #[command(flatten)]
    pub store: SharedStore,

    /// Instead of the Go demo, call SayHello(--name) this many times (at
    /// most 100000), one every --every, printing the demo's line for each.
    #[arg(long, env = "CLIENT_CALLS", value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub calls: Option<u32>,

    /// With --calls: the wait between two calls.
    #[arg(long, env = "CLIENT_EVERY", value_name = "DURATION", default_value = "500ms",
          value_parser = humantime::parse_duration)]
    pub every: Duration,

    /// Serve this client's breaker metrics in the Prometheus text format at
    /// http://ADDR/metrics (state, transitions, calls). Off by default;
    /// loopback only unless --metrics-public.
    #[arg(long, env = "CLIENT_METRICS_ADDR", value_name = "ADDR")]
    pub metrics_addr: Option<std::net::SocketAddr>,

    /// Allow a --metrics-addr that is not a loopback address.
    #[arg(long, env = "CLIENT_METRICS_PUBLIC")]
    pub metrics_public: bool,

    /// The breaker's and the calls' settings (`greeter_client::Settings`).
    #[command(flatten)]
    pub settings: Settings,
}

/// What the CLI can do besides calling.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Force the breaker shared on --shared-state open or closed for every
    /// client on it (for a time, with a reason), or release it.
    #[command(subcommand)]
    Force(ForceCommand),
}

/// The shared breaker's store: `--shared-state` and `--store-timeout`.
#[derive(Debug, Clone, Args)]
pub struct SharedStore {
    /// Share the breaker with every client given the same Redis, e.g.
    /// `redis://127.0.0.1:6379`, or the same Redis Cluster, e.g.
    /// `redis-cluster://10.0.0.1:7000,10.0.0.2:7000`: one state and one set
    /// of counts for all of them. Unset: this process's own breaker.
    #[arg(long, env = "GREETER_SHARED_STATE", value_name = "URL", value_parser = greeter_client::parse_redis_url)]
    pub shared_state: Option<String>,

    /// With --shared-state: the longest a call waits for Redis before this
    /// client decides with a local breaker (logged once) until Redis answers.
    #[arg(long, env = "GREETER_STORE_TIMEOUT", value_name = "DURATION",
          default_value = "50ms", value_parser = positive_duration)]
    pub store_timeout: Duration,

    /// With --shared-state: `exact`, Redis decides every call (two round
    /// trips); `fast`, while the shared breaker is closed this client
    /// admits and counts calls itself and sends them every --shared-sync
    /// (or at once when a failure could trip it).
    #[arg(long, env = "GREETER_SHARED_MODE", value_enum, default_value_t = ModeFlag::Exact)]
    pub shared_mode: ModeFlag,

    /// With --shared-mode fast: how often this client sends what it counted
    /// and learns the shared state.
    #[arg(long, env = "GREETER_SHARED_SYNC", value_name = "DURATION",
          default_value = "100ms", value_parser = positive_duration)]
    pub shared_sync: Duration,
}

/// `--shared-mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeFlag {
    /// Redis decides every call.
    Exact,
    /// Closed calls are admitted here and synced every --shared-sync.
    Fast,
}

impl SharedStore {
    /// The shared mode these flags ask for.
    pub fn mode(&self) -> tripbreaker_redis::SharedMode {
        match self.shared_mode {
            ModeFlag::Exact => tripbreaker_redis::SharedMode::Exact,
            ModeFlag::Fast => tripbreaker_redis::SharedMode::Fast {
                sync: self.shared_sync,
            },
        }
    }
}

/// Flags that cannot work together with what they point at (the command
/// line is wrong, not the run): the CLI exits 2 with it, as for flags clap
/// refuses.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A duration of more than zero, e.g. `50ms`.
fn positive_duration(text: &str) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        Ok(_) => Err("must be more than 0s".to_owned()),
        Err(error) => Err(error.to_string()),
    }
}

impl Config {
    /// The Go demo's settings against `server`.
    pub fn demo(server: impl Into<String>) -> Self {
        Config::parse_from(["client", "--server", &server.into()])
    }

    /// The servers to call, each once: a server given twice is a
    /// [`UsageError`] naming it.
    pub fn servers(&self) -> Result<&[String], UsageError> {
        for (at, server) in self.servers.iter().enumerate() {
            if self.servers[..at].contains(server) {
                return Err(UsageError(format!("--server {server} is given twice")));
            }
        }
        Ok(&self.servers)
    }

    /// The one server of the Go demo, whose story needs one breaker: more
    /// than one is a [`UsageError`].
    pub fn server(&self) -> Result<&str, UsageError> {
        match self.servers()? {
            [server] => Ok(server),
            _ => Err(UsageError(
                "the Go demo plays one breaker: with several --server, give --calls N".to_owned(),
            )),
        }
    }

    /// The client of `server` these flags describe: its breaker shared
    /// through Redis with `--shared-state`, its own otherwise. With
    /// `--shared-state`, a shared breaker that runs other settings is a
    /// [`UsageError`] (one round trip to Redis; if Redis does not answer,
    /// the client starts on its local breaker). Needs a tokio runtime.
    pub async fn greeter(
        &self,
        server: &str,
        on_transition: TransitionSink,
    ) -> anyhow::Result<Greeter<ChosenBreaker>> {
        let breaker = match &self.store.shared_state {
            Some(url) => {
                let shown = redis_url_for_logs(url);
                let shared = redis_breaker(
                    url,
                    &self.settings,
                    self.store.store_timeout,
                    self.store.mode(),
                    on_transition,
                )
                .map_err(|error| anyhow::anyhow!("--shared-state {shown}: {error}"))?;
                if let Err(conflict) = shared.check_settings().await {
                    return Err(UsageError(format!("--shared-state {shown}: {conflict}")).into());
                }
                tracing::info!(
                    key = shared.key(),
                    "the breaker is shared through Redis at {shown}"
                );
                ChosenBreaker::Shared(shared)
            }
            None => ChosenBreaker::Local(local_breaker(&self.settings, on_transition)?),
        };
        Greeter::over(server, self.settings, breaker)
            .map_err(|error| anyhow::anyhow!("--server {server}: {error}"))
    }

    /// The client of every `--server`, each with its own breaker, reporting
    /// its state changes to the sink `on_transition` makes for its URL.
    /// `--shared-state` shares one breaker, so it takes one server.
    pub async fn balanced(
        &self,
        mut on_transition: impl FnMut(&str) -> TransitionSink,
    ) -> anyhow::Result<Balanced<ChosenBreaker>> {
        let servers = self.servers()?;
        if servers.len() > 1 && self.store.shared_state.is_some() {
            return Err(UsageError(
                "--shared-state shares one breaker: give one --server with it".to_owned(),
            )
            .into());
        }
        let mut endpoints = Vec::with_capacity(servers.len());
        for server in servers {
            endpoints.push(self.greeter(server, on_transition(server)).await?);
        }
        Ok(Balanced::new(endpoints, self.max_ejection_percent)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        Config::try_parse_from([&["client"], args].concat())
    }

    #[test]
    fn the_breaker_is_local_unless_shared_state_names_a_redis() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.servers, ["http://127.0.0.1:50051"]);
        assert_eq!(config.store.shared_state, None);
        assert_eq!(config.store.store_timeout, Duration::from_millis(50));
        assert_eq!(config.calls, None, "the Go demo by default");
        assert_eq!(config.store.mode(), tripbreaker_redis::SharedMode::Exact);
        let config = parse(&["--shared-mode", "fast", "--shared-sync", "250ms"]).unwrap();
        assert_eq!(
            config.store.mode(),
            tripbreaker_redis::SharedMode::Fast {
                sync: Duration::from_millis(250)
            }
        );
        let config = parse(&["--shared-state", "redis://127.0.0.1:6379/2"]).unwrap();
        assert_eq!(
            config.store.shared_state.as_deref(),
            Some("redis://127.0.0.1:6379/2")
        );
        let cluster = "redis-cluster://10.0.0.1:7000,10.0.0.2:7000";
        let config = parse(&["--shared-state", cluster]).unwrap();
        assert_eq!(config.store.shared_state.as_deref(), Some(cluster));
    }

    #[test]
    fn bad_values_name_their_flag() {
        for (flag, value) in [
            ("--shared-state", "127.0.0.1:6379"),
            ("--shared-state", "https://127.0.0.1:6379"),
            ("--shared-state", "redis-cluster://10.0.0.1:7000,10.0.0.2"),
            ("--shared-state", "redis-cluster://10.0.0.1:7000/3"),
            ("--store-timeout", "0s"),
            ("--shared-mode", "quick"),
            ("--shared-sync", "0s"),
            ("--calls", "0"),
            ("--every", "soon"),
            ("--server", "127.0.0.1:50051"),
            ("--server", "http://127.0.0.1:50051,localhost:50052"),
            ("--max-ejection-percent", "101"),
        ] {
            let error = parse(&[flag, value]).unwrap_err().to_string();
            assert!(error.contains(flag), "{error}");
            if value.starts_with("redis-cluster://") {
                assert!(error.contains("is not a Redis Cluster URL"), "{error}");
            }
        }
    }

    #[test]
    fn servers_repeat_or_come_as_a_list_each_once() {
        let config = parse(&["--server", "http://a:1", "--server", "http://b:2/"]).unwrap();
        assert_eq!(config.servers().unwrap(), ["http://a:1", "http://b:2"]);
        assert_eq!(config.max_ejection_percent, 10);
        let config = parse(&["--server", "http://a:1,http://b:2,http://c:3"]).unwrap();
        assert_eq!(config.servers.len(), 3);
        assert!(config.server().unwrap_err().0.contains("--calls"));
        let config = parse(&["--server", "http://a:1", "--server", "http://a:1/"]).unwrap();
        assert_eq!(
            config.servers().unwrap_err().0,
            "--server http://a:1 is given twice"
        );
    }
}
