//! The demo's flags, each with an environment fallback.

use clap::Parser;
use greeter_client::Settings;

/// Replays the Go circuit-breaker demo against the greeter server: successes,
/// failures until the breaker trips, fast rejections while it is open, the
/// wait, half-open probes and recovery. The demo's lines go to stdout;
/// progress and retries are logged to stderr (`RUST_LOG`).
#[derive(Debug, Clone, Parser)]
#[command(name = "client", version)]
pub struct Config {
    /// The greeter server's URL.
    #[arg(long, env = "GREETER_SERVER", default_value = "http://127.0.0.1:50051", value_parser = greeter_client::parse_server)]
    pub server: String,

    /// The name sent in valid calls.
    #[arg(long, default_value = "World")]
    pub name: String,

    /// The breaker's and the calls' settings (`greeter_client::Settings`).
    #[command(flatten)]
    pub settings: Settings,
}

impl Config {
    /// The Go demo's settings against `server`.
    pub fn demo(server: impl Into<String>) -> Self {
        Config::parse_from(["client", "--server", &server.into()])
    }
}
