//! Command-line flags (with environment fallbacks), turned into a [`Config`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::faults::{DEFAULT_FAULT_MESSAGE, Mode};

use crate::config::{
    Config, DEFAULT_BODY_DEADLINE, DEFAULT_BODY_TIMEOUT, DEFAULT_FAULTS_MAX_CONCURRENT_REQUESTS,
    DEFAULT_FAULTS_MAX_QUEUED_REQUESTS, DEFAULT_HEADER_READ_TIMEOUT,
    DEFAULT_HTTP2_KEEPALIVE_INTERVAL, DEFAULT_HTTP2_KEEPALIVE_TIMEOUT,
    DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS, DEFAULT_MAX_CONCURRENT_REQUESTS, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_QUEUED_REQUESTS, DEFAULT_MAX_REQUEST_BODY_BYTES,
    DEFAULT_PAGE_MAX_CONCURRENT_REQUESTS, DEFAULT_PAGE_MAX_QUEUED_REQUESTS,
    DEFAULT_REQUEST_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT, FaultsSetting, MAX_PROTOCOL_TIMER,
};

/// Greeter demo server: gRPC, gRPC-Web and the built front end on one port.
// The field docs are the `--help` text, where URLs are best left bare.
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Clone, PartialEq, Parser)]
#[command(name = "server", version, about)]
pub struct Args {
    /// Address to listen on (port 0: any free port; see --addr-file).
    #[arg(long, env = "SERVER_ADDR", default_value = "127.0.0.1:50051")]
    pub addr: SocketAddr,

    /// Once listening, write the address listened on (e.g. 127.0.0.1:43117) to this
    /// file, so whoever started the server with port 0 learns its port.
    #[arg(long, env = "SERVER_ADDR_FILE", value_name = "PATH")]
    pub addr_file: Option<PathBuf>,

    /// Built front end to serve at / (trunk's output). Not served if it has no index.html.
    #[arg(long, env = "SERVER_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Extra origins allowed by CORS, e.g. https://demo.example:8443 (comma-separated
    /// or repeated). http://localhost and http://127.0.0.1 on any port are always allowed.
    #[arg(
        long = "allowed-origin",
        env = "SERVER_ALLOWED_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN"
    )]
    pub allowed_origins: Vec<String>,

    /// Extra host names answered (any port), e.g. demo.example (comma-separated or
    /// repeated). Loopback names, the hosts of allowed origins and the address
    /// listened on are always answered; other Host headers get 421.
    #[arg(
        long = "allowed-host",
        env = "SERVER_ALLOWED_HOSTS",
        value_delimiter = ',',
        value_name = "HOST"
    )]
    pub allowed_hosts: Vec<String>,

    /// Fault controls (greeter.Faults): on, off, or auto (on only when bound to loopback).
    #[arg(long, env = "SERVER_FAULTS", value_enum, default_value_t = FaultsSetting::Auto)]
    pub faults: FaultsSetting,

    /// How SayHello is answered from the start, until the fault controls
    /// change it: healthy; failing (every call Unavailable, "injected
    /// failure"); or busy (every call ResourceExhausted, as a full queue).
    #[arg(long, env = "SERVER_INITIAL_FAULT", value_enum, default_value_t = InitialFault::Healthy)]
    pub initial_fault: InitialFault,

    /// SayHello calls handled at once over all connections; more wait their turn.
    #[arg(long, env = "SERVER_MAX_CONCURRENT_REQUESTS", default_value_t = DEFAULT_MAX_CONCURRENT_REQUESTS,
          value_parser = at_least_one)]
    pub max_concurrent_requests: usize,

    /// SayHello calls that may wait for a slot; the next is answered ResourceExhausted at once.
    #[arg(long, env = "SERVER_MAX_QUEUED_REQUESTS", default_value_t = DEFAULT_MAX_QUEUED_REQUESTS)]
    pub max_queued_requests: usize,

    /// Requests for the page handled at once, in a pool of their own.
    #[arg(long, env = "SERVER_PAGE_MAX_CONCURRENT_REQUESTS",
          default_value_t = DEFAULT_PAGE_MAX_CONCURRENT_REQUESTS, value_parser = at_least_one)]
    pub page_max_concurrent_requests: usize,

    /// Requests for the page that may wait; the next is answered 503 at once.
    #[arg(long, env = "SERVER_PAGE_MAX_QUEUED_REQUESTS",
          default_value_t = DEFAULT_PAGE_MAX_QUEUED_REQUESTS)]
    pub page_max_queued_requests: usize,

    /// Fault-control calls handled at once, in a pool of their own.
    #[arg(long, env = "SERVER_FAULTS_MAX_CONCURRENT_REQUESTS",
          default_value_t = DEFAULT_FAULTS_MAX_CONCURRENT_REQUESTS, value_parser = at_least_one)]
    pub faults_max_concurrent_requests: usize,

    /// Fault-control calls that may wait; the next is answered ResourceExhausted at once.
    #[arg(long, env = "SERVER_FAULTS_MAX_QUEUED_REQUESTS",
          default_value_t = DEFAULT_FAULTS_MAX_QUEUED_REQUESTS)]
    pub faults_max_queued_requests: usize,

    /// Connections open at once; more wait in the listen backlog.
    #[arg(long, env = "SERVER_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS,
          value_parser = at_least_one)]
    pub max_connections: usize,

    /// HTTP/2 streams one connection may have open at once; more are refused.
    #[arg(long, env = "SERVER_HTTP2_MAX_CONCURRENT_STREAMS",
          default_value_t = DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub http2_max_concurrent_streams: u32,

    /// Seconds between HTTP/2 keep-alive pings.
    #[arg(long = "http2-keepalive-interval-secs", env = "SERVER_HTTP2_KEEPALIVE_INTERVAL_SECS",
          default_value_t = DEFAULT_HTTP2_KEEPALIVE_INTERVAL.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=MAX_PROTOCOL_TIMER.as_secs()))]
    pub http2_keepalive_interval_secs: u64,

    /// Seconds a keep-alive ping may go unanswered before the HTTP/2 connection is closed.
    #[arg(long = "http2-keepalive-timeout-secs", env = "SERVER_HTTP2_KEEPALIVE_TIMEOUT_SECS",
          default_value_t = DEFAULT_HTTP2_KEEPALIVE_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=MAX_PROTOCOL_TIMER.as_secs()))]
    pub http2_keepalive_timeout_secs: u64,

    /// Seconds an HTTP/1.1 connection may take to send a request head, idle
    /// time between keep-alive requests included; then it is closed.
    #[arg(long = "header-read-timeout-secs", env = "SERVER_HEADER_READ_TIMEOUT_SECS",
          default_value_t = DEFAULT_HEADER_READ_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=MAX_PROTOCOL_TIMER.as_secs()))]
    pub header_read_timeout_secs: u64,

    /// Longest a gRPC call may take, in seconds, before it is answered DeadlineExceeded
    /// (a shorter client deadline wins).
    #[arg(long = "request-timeout-secs", env = "SERVER_REQUEST_TIMEOUT_SECS",
          default_value_t = DEFAULT_REQUEST_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,

    /// Longest a request body may go without data, in seconds, before the call
    /// is answered DeadlineExceeded and its slot freed (a client stalled midway).
    #[arg(long = "body-timeout-secs", env = "SERVER_BODY_TIMEOUT_SECS",
          default_value_t = DEFAULT_BODY_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_secs: u64,

    /// Longest a whole request body may take to arrive, in seconds, however
    /// steadily it trickles in; then the call is answered DeadlineExceeded.
    #[arg(long = "body-deadline-secs", env = "SERVER_BODY_DEADLINE_SECS",
          default_value_t = DEFAULT_BODY_DEADLINE.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub body_deadline_secs: u64,

    /// Largest gRPC request body, in bytes; a larger one is answered ResourceExhausted.
    #[arg(long, env = "SERVER_MAX_REQUEST_BODY_BYTES", default_value_t = DEFAULT_MAX_REQUEST_BODY_BYTES,
          value_parser = at_least_one)]
    pub max_request_body_bytes: usize,

    /// Seconds a shutdown waits for calls in flight before closing what is left.
    #[arg(long = "shutdown-timeout-secs", env = "SERVER_SHUTDOWN_TIMEOUT_SECS",
          default_value_t = DEFAULT_SHUTDOWN_TIMEOUT.as_secs())]
    pub shutdown_timeout_secs: u64,
}

/// How SayHello is answered when the server starts (`--initial-fault`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum InitialFault {
    /// Every call answered normally.
    #[default]
    Healthy,
    /// Every call fails with `Unavailable` and the default fault message.
    Failing,
    /// Every call fails with `ResourceExhausted`, as when the queue is full.
    Busy,
}

impl InitialFault {
    /// The fault mode it stands for.
    ///
    /// ```
    /// use server::{cli::InitialFault, faults::Mode};
    /// assert_eq!(InitialFault::Healthy.mode(), Mode::Healthy);
    /// assert!(matches!(InitialFault::Failing.mode(), Mode::Failing { code: tonic::Code::Unavailable, .. }));
    /// ```
    pub fn mode(self) -> Mode {
        let failing = |code| Mode::Failing {
            code,
            message: DEFAULT_FAULT_MESSAGE.to_owned(),
        };
        match self {
            InitialFault::Healthy => Mode::Healthy,
            InitialFault::Failing => failing(tonic::Code::Unavailable),
            InitialFault::Busy => failing(tonic::Code::ResourceExhausted),
        }
    }
}

/// Parses a count that must be at least 1.
fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

impl Args {
    /// The server configuration these flags describe.
    ///
    /// ```
    /// use clap::Parser;
    /// use server::{cli::Args, FaultsSetting};
    ///
    /// let args = Args::try_parse_from(["server", "--faults", "off", "--allowed-origin", "https://a.example,https://b.example"]).unwrap();
    /// let config = args.into_config();
    /// assert_eq!(config.faults, FaultsSetting::Off);
    /// assert_eq!(config.allowed_origins.len(), 2);
    /// ```
    pub fn into_config(self) -> Config {
        Config {
            addr: self.addr,
            static_dir: Some(self.static_dir),
            allowed_origins: self
                .allowed_origins
                .into_iter()
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
            allowed_hosts: self
                .allowed_hosts
                .into_iter()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
                .collect(),
            faults: self.faults,
            max_concurrent_requests: self.max_concurrent_requests,
            max_queued_requests: self.max_queued_requests,
            page_max_concurrent_requests: self.page_max_concurrent_requests,
            page_max_queued_requests: self.page_max_queued_requests,
            faults_max_concurrent_requests: self.faults_max_concurrent_requests,
            faults_max_queued_requests: self.faults_max_queued_requests,
            max_connections: self.max_connections,
            http2_max_concurrent_streams: self.http2_max_concurrent_streams,
            http2_keepalive_interval: Duration::from_secs(self.http2_keepalive_interval_secs),
            http2_keepalive_timeout: Duration::from_secs(self.http2_keepalive_timeout_secs),
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs),
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            body_timeout: Duration::from_secs(self.body_timeout_secs),
            body_deadline: Duration::from_secs(self.body_deadline_secs),
            max_request_body_bytes: self.max_request_body_bytes,
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout_secs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_config_default() {
        // Parsed without flags (the env vars are not set under `cargo test`
        // unless the developer set them; skip then).
        if std::env::vars().any(|(k, _)| k.starts_with("SERVER_")) {
            return;
        }
        let args = Args::try_parse_from(["server"]).unwrap();
        assert_eq!(args.into_config(), Config::default());
    }

    #[test]
    fn rejects_zero_limits_and_bad_faults() {
        assert!(Args::try_parse_from(["server", "--max-concurrent-requests", "0"]).is_err());
        assert!(Args::try_parse_from(["server", "--request-timeout-secs", "0"]).is_err());
        assert!(Args::try_parse_from(["server", "--body-timeout-secs", "0"]).is_err());
        assert!(Args::try_parse_from(["server", "--faults", "maybe"]).is_err());
    }

    #[test]
    fn clap_definition_is_valid() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }
}
