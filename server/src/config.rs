//! What the server is told to do: address, page, origins, fault controls,
//! limits. Each setting is written once, here: its flag, environment
//! variable, default and help (the field's doc comment) are one
//! `clap` argument, and [`Config::default`] is what the flags default to.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, FromArgMatches};

/// The longest header-read timeout and HTTP/2 keep-alive interval or
/// timeout accepted (a day): hyper adds them to the current instant.
pub const MAX_PROTOCOL_TIMER: Duration = Duration::from_secs(24 * 3600);

/// The smallest HTTP/1.1 head limit hyper accepts.
pub const MIN_HTTP1_MAX_HEAD_BYTES: usize = 8192;

/// Everything [`serve`](crate::serve) needs besides a listener and a shutdown
/// signal; the server's flags (durations as `10s`, `500ms`, `2m`).
///
/// [`Config::default`] is what the command line uses without flags: loopback
/// address, page from `dist`, loopback origins only, fault controls
/// [`FaultsSetting::Auto`] (so *on* for the loopback listeners tests use).
///
/// ```
/// use server::{Config, FaultsSetting};
///
/// let config = Config {
///     static_dir: None,
///     allowed_origins: vec!["https://demo.example".into()],
///     faults: FaultsSetting::Off,
///     ..Config::default()
/// };
/// assert_eq!(config.addr.to_string(), "127.0.0.1:50051");
/// assert_eq!(config.request_timeout, std::time::Duration::from_secs(120));
/// ```
// The field docs are the `--help` text, where URLs are best left bare.
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Clone, PartialEq, Args)]
pub struct Config {
    /// Address to listen on (port 0: any free port; see --addr-file).
    #[arg(long, env = "SERVER_ADDR", default_value = "127.0.0.1:50051")]
    pub addr: SocketAddr,

    /// Built front end to serve at / (trunk's output). Not served if it has no index.html.
    #[arg(long, env = "SERVER_STATIC_DIR", default_value = "dist")]
    pub static_dir: Option<PathBuf>,

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

    /// Redis holding the breakers a fleet of clients shares (redis://HOST:PORT,
    /// or redis-cluster://HOST:PORT[,HOST:PORT…]): served as breaker.v1.Fleet,
    /// listed, watched live and (where the fault controls are) forced.
    #[arg(long, env = "SERVER_SHARED_STATE", value_name = "URL",
          value_parser = parse_store_url)]
    pub shared_state: Option<String>,

    /// Fleet watch streams open at once over all connections; the next is
    /// answered ResourceExhausted.
    #[arg(long, env = "SERVER_MAX_WATCHERS", default_value_t = 128)]
    pub max_watchers: usize,

    /// Fleet calls (list, watch, force, release) handled at once, in a pool of their own.
    #[arg(
        long,
        env = "SERVER_FLEET_MAX_CONCURRENT_REQUESTS",
        default_value_t = 8
    )]
    pub fleet_max_concurrent_requests: usize,

    /// Fleet calls that may wait; the next is answered ResourceExhausted at once.
    #[arg(long, env = "SERVER_FLEET_MAX_QUEUED_REQUESTS", default_value_t = 64)]
    pub fleet_max_queued_requests: usize,

    /// SayHello calls handled at once over all connections; more wait their turn.
    #[arg(long, env = "SERVER_MAX_CONCURRENT_REQUESTS", default_value_t = 256)]
    pub max_concurrent_requests: usize,

    /// SayHello calls that may wait for a slot; the next is answered ResourceExhausted at once.
    #[arg(long, env = "SERVER_MAX_QUEUED_REQUESTS", default_value_t = 256)]
    pub max_queued_requests: usize,

    /// Requests for the page handled at once, in a pool of their own.
    #[arg(
        long,
        env = "SERVER_PAGE_MAX_CONCURRENT_REQUESTS",
        default_value_t = 64
    )]
    pub page_max_concurrent_requests: usize,

    /// Requests for the page that may wait; the next is answered 503 at once.
    #[arg(long, env = "SERVER_PAGE_MAX_QUEUED_REQUESTS", default_value_t = 256)]
    pub page_max_queued_requests: usize,

    /// Fault-control calls handled at once, in a pool of their own.
    #[arg(
        long,
        env = "SERVER_FAULTS_MAX_CONCURRENT_REQUESTS",
        default_value_t = 8
    )]
    pub faults_max_concurrent_requests: usize,

    /// Fault-control calls that may wait; the next is answered ResourceExhausted at once.
    #[arg(long, env = "SERVER_FAULTS_MAX_QUEUED_REQUESTS", default_value_t = 64)]
    pub faults_max_queued_requests: usize,

    /// Connections open at once. Past it, a new connection takes the slot
    /// of the one that has done nothing useful for longest (idle, silent,
    /// trickling, or stalled for 1s); if every one is busy, it waits.
    #[arg(long, env = "SERVER_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,

    /// Files one connection's responses may hold open at once; its further
    /// page requests wait their turn.
    #[arg(
        long,
        env = "SERVER_MAX_OPEN_FILES_PER_CONNECTION",
        default_value_t = 8
    )]
    pub max_open_files_per_connection: usize,

    /// How long a response holding a file open may go without progress
    /// (a client that stopped reading) before its connection is closed.
    #[arg(long, env = "SERVER_STALL_TIMEOUT", default_value = "10s",
          value_parser = humantime::parse_duration)]
    pub stall_timeout: Duration,

    /// HTTP/2 streams one connection may have open at once; more are refused.
    #[arg(
        long,
        env = "SERVER_HTTP2_MAX_CONCURRENT_STREAMS",
        default_value_t = 100
    )]
    pub http2_max_concurrent_streams: u32,

    /// Interval between HTTP/2 keep-alive pings.
    #[arg(long, env = "SERVER_HTTP2_KEEPALIVE_INTERVAL", default_value = "30s",
          value_parser = humantime::parse_duration)]
    pub http2_keepalive_interval: Duration,

    /// How long a keep-alive ping may go unanswered before the HTTP/2 connection is closed.
    #[arg(long, env = "SERVER_HTTP2_KEEPALIVE_TIMEOUT", default_value = "10s",
          value_parser = humantime::parse_duration)]
    pub http2_keepalive_timeout: Duration,

    /// How long a connection may take to send its first whole request head
    /// (from when it opens, before its protocol is known), and an HTTP/1.1
    /// connection each later one (idle time between requests included).
    #[arg(long, env = "SERVER_HEADER_READ_TIMEOUT", default_value = "10s",
          value_parser = humantime::parse_duration)]
    pub header_read_timeout: Duration,

    /// Largest HTTP/1.1 request head, in bytes (at least 8192); a larger one
    /// is answered 431. HTTP/2 heads stop at 16 KiB too.
    #[arg(long, env = "SERVER_HTTP1_MAX_HEAD_BYTES", default_value_t = 16 * 1024)]
    pub http1_max_head_bytes: usize,

    /// Longest a gRPC call may take before it is answered DeadlineExceeded
    /// (a shorter client deadline wins).
    #[arg(long, env = "SERVER_REQUEST_TIMEOUT", default_value = "120s",
          value_parser = humantime::parse_duration)]
    pub request_timeout: Duration,

    /// Longest a request body may go without data before the call is
    /// answered DeadlineExceeded and its slot freed (a client stalled midway).
    #[arg(long, env = "SERVER_BODY_TIMEOUT", default_value = "10s",
          value_parser = humantime::parse_duration)]
    pub body_timeout: Duration,

    /// Longest a whole request body may take to arrive, however steadily it
    /// trickles in; then the call is answered DeadlineExceeded.
    #[arg(long, env = "SERVER_BODY_DEADLINE", default_value = "30s",
          value_parser = humantime::parse_duration)]
    pub body_deadline: Duration,

    /// Largest gRPC request body, in bytes (framing and base64 included); a
    /// larger one is answered ResourceExhausted.
    #[arg(long, env = "SERVER_MAX_REQUEST_BODY_BYTES", default_value_t = 64 * 1024)]
    pub max_request_body_bytes: usize,

    /// How long a shutdown waits for calls in flight before closing what is left.
    #[arg(long, env = "SERVER_SHUTDOWN_TIMEOUT", default_value = "10s",
          value_parser = humantime::parse_duration)]
    pub shutdown_timeout: Duration,

    /// For benchmarks only, never for serving: layers of the gRPC path left
    /// out, to measure what each costs (comma-separated or repeated).
    #[arg(
        long = "bench-without",
        env = "SERVER_BENCH_WITHOUT",
        value_enum,
        value_delimiter = ',',
        value_name = "LAYER",
        hide = true
    )]
    pub bench_without: Vec<crate::bench_layers::BenchLayer>,
}

impl Default for Config {
    /// The flags' defaults (whatever the environment says).
    fn default() -> Self {
        let command = Self::augment_args(clap::Command::new("server"))
            .mut_args(|arg| arg.env(None::<&'static str>));
        let matches = command
            .try_get_matches_from(["server"])
            .expect("every flag has a default or is optional");
        Self::from_arg_matches(&matches).expect("the defaults parse")
    }
}

impl Config {
    /// Checks the settings no type rules out: counts that must be at least
    /// 1, durations that must be more than zero (and for hyper's timers, at
    /// most [`MAX_PROTOCOL_TIMER`]). The error names the first flag found wrong.
    ///
    /// ```
    /// let config = server::Config { max_connections: 0, ..server::Config::default() };
    /// assert!(config.validate().unwrap_err().to_string().contains("--max-connections"));
    /// assert!(server::Config::default().validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), crate::Error> {
        let counts = [
            ("max_concurrent_requests", self.max_concurrent_requests),
            (
                "page_max_concurrent_requests",
                self.page_max_concurrent_requests,
            ),
            (
                "faults_max_concurrent_requests",
                self.faults_max_concurrent_requests,
            ),
            ("max_connections", self.max_connections),
            ("max_watchers", self.max_watchers),
            (
                "fleet_max_concurrent_requests",
                self.fleet_max_concurrent_requests,
            ),
            (
                "max_open_files_per_connection",
                self.max_open_files_per_connection,
            ),
            ("max_request_body_bytes", self.max_request_body_bytes),
            (
                "http2_max_concurrent_streams",
                self.http2_max_concurrent_streams as usize,
            ),
        ];
        let durations = [
            ("request_timeout", self.request_timeout, None),
            ("body_timeout", self.body_timeout, None),
            ("body_deadline", self.body_deadline, None),
            ("stall_timeout", self.stall_timeout, None),
            (
                "header_read_timeout",
                self.header_read_timeout,
                Some(MAX_PROTOCOL_TIMER),
            ),
            (
                "http2_keepalive_interval",
                self.http2_keepalive_interval,
                Some(MAX_PROTOCOL_TIMER),
            ),
            (
                "http2_keepalive_timeout",
                self.http2_keepalive_timeout,
                Some(MAX_PROTOCOL_TIMER),
            ),
        ];
        let flag = |field: &str| format!("--{}", field.replace('_', "-"));
        let invalid = |field: &str, rule: String| {
            Err(crate::Error::Config(format!(
                "{} must be {rule}",
                flag(field)
            )))
        };
        if let Some((name, _)) = counts.iter().find(|(_, n)| *n == 0) {
            return invalid(name, "at least 1".into());
        }
        if self.http1_max_head_bytes < MIN_HTTP1_MAX_HEAD_BYTES {
            return invalid(
                "http1_max_head_bytes",
                format!("at least {MIN_HTTP1_MAX_HEAD_BYTES}"),
            );
        }
        for (name, duration, max) in durations {
            if duration.is_zero() {
                return invalid(name, "more than zero".into());
            }
            if let Some(max) = max
                && duration > max
            {
                return invalid(name, format!("at most {}", humantime::format_duration(max)));
            }
        }
        Ok(())
    }
}

/// A store URL the shared breakers' handles would accept.
fn parse_store_url(url: &str) -> Result<String, String> {
    tripbreaker_redis::check_url(url)
        .map(|()| url.to_owned())
        .map_err(|error| error.to_string())
}

/// Whether the fault controls (`greeter.Faults`) are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FaultsSetting {
    /// Always served.
    On,
    /// Never served: calls get `Unimplemented`.
    Off,
    /// Served only when the server is bound to a loopback address.
    #[default]
    Auto,
}

impl FaultsSetting {
    /// Whether the fault controls are on for a server bound to `addr`.
    ///
    /// ```
    /// use server::FaultsSetting;
    ///
    /// assert!(FaultsSetting::Auto.enabled_for(&"127.0.0.1:50051".parse().unwrap()));
    /// assert!(!FaultsSetting::Auto.enabled_for(&"0.0.0.0:50051".parse().unwrap()));
    /// assert!(FaultsSetting::On.enabled_for(&"0.0.0.0:50051".parse().unwrap()));
    /// ```
    pub fn enabled_for(self, addr: &SocketAddr) -> bool {
        match self {
            Self::On => true,
            Self::Off => false,
            Self::Auto => addr.ip().is_loopback(),
        }
    }
}
