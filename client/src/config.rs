//! The demo's settings, as flags with environment fallbacks.

use breaker::{Settings, TripRule};
use breaker_tower::GrpcClassifier;
use clap::{Parser, ValueEnum};
use std::time::Duration;

/// Replays the Go circuit-breaker demo against the greeter server: successes,
/// failures until the breaker trips, fast rejections while it is open, the
/// wait, half-open probes and recovery. The demo's lines go to stdout;
/// progress and retries are logged to stderr (`RUST_LOG`).
#[derive(Debug, Clone, Parser)]
#[command(name = "client", version)]
pub struct Config {
    /// The greeter server's URL.
    #[arg(long, env = "GREETER_SERVER", default_value = "http://127.0.0.1:50051")]
    pub server: String,

    /// The name sent in valid calls.
    #[arg(long, default_value = "World")]
    pub name: String,

    /// Trial calls half-open admits, and successes that close it (gobreaker MaxRequests).
    #[arg(long, env = "BREAKER_MAX_REQUESTS", default_value_t = 3)]
    pub max_requests: u32,

    /// How often a closed breaker clears its counts, e.g. `10s` (0s: never).
    #[arg(long, env = "BREAKER_INTERVAL", default_value = "10s", value_parser = humantime::parse_duration)]
    pub interval: Duration,

    /// How long the breaker stays open before half-open, e.g. `5s`.
    #[arg(long, env = "BREAKER_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration)]
    pub timeout: Duration,

    /// Consecutive failures that trip the breaker.
    #[arg(long, env = "BREAKER_TRIP", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pub trip: u32,

    /// Per-call deadline; a call past it counts as a failure, e.g. `1s`.
    #[arg(long, env = "CLIENT_DEADLINE", default_value = "1s", value_parser = humantime::parse_duration)]
    pub deadline: Duration,

    /// Retries of a call that failed with a transient code (Unavailable,
    /// DeadlineExceeded); never into an open breaker.
    #[arg(long, env = "CLIENT_RETRIES", default_value_t = 0)]
    pub retries: u32,

    /// The first retry's delay; each further retry waits twice as long.
    #[arg(long, env = "CLIENT_RETRY_BACKOFF", default_value = "100ms", value_parser = humantime::parse_duration)]
    pub retry_backoff: Duration,

    /// Whether the server's client errors (InvalidArgument and the like)
    /// count as failures, as in the Go demo, or are excluded.
    #[arg(long, env = "CLIENT_ERRORS", value_enum, default_value_t = ClientErrors::Count)]
    pub client_errors: ClientErrors,
}

/// How caller mistakes reported by the server are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientErrors {
    /// Every error is a failure (the Go demo).
    Count,
    /// Caller mistakes are neither successes nor failures.
    Exclude,
}

impl Config {
    /// The breaker settings these flags describe, named `greeter`.
    pub fn breaker_settings(&self) -> Settings {
        Settings {
            max_requests: self.max_requests,
            interval: self.interval,
            timeout: self.timeout,
            ready_to_trip: TripRule::ConsecutiveFailures(self.trip),
            ..Settings::new("greeter")
        }
    }

    /// The status classifier these flags describe.
    pub fn classifier(&self) -> GrpcClassifier {
        match self.client_errors {
            ClientErrors::Count => GrpcClassifier::every_error(),
            ClientErrors::Exclude => GrpcClassifier::server_errors(),
        }
    }

    /// The Go demo's settings against `server`.
    pub fn demo(server: impl Into<String>) -> Self {
        Config::parse_from(["client", "--server", &server.into()])
    }
}
