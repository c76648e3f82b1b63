//! What the server is told to do: address, page, origins, fault controls, limits.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// The address the command line binds by default: `127.0.0.1:50051`.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 50051);

/// The front end directory served by default, relative to the current directory
/// (what `trunk build --release` writes).
pub const DEFAULT_STATIC_DIR: &str = "dist";

/// How many SayHello calls the server handles at once by default; more wait.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 256;

/// How many SayHello calls may wait for a slot by default; past that, a call
/// is answered `ResourceExhausted` at once.
pub const DEFAULT_MAX_QUEUED_REQUESTS: usize = 256;
/// Requests for the page handled at once, by default.
pub const DEFAULT_PAGE_MAX_CONCURRENT_REQUESTS: usize = 64;
/// Requests for the page that may wait, by default.
pub const DEFAULT_PAGE_MAX_QUEUED_REQUESTS: usize = 256;
/// Fault-control calls handled at once, by default.
pub const DEFAULT_FAULTS_MAX_CONCURRENT_REQUESTS: usize = 8;
/// Fault-control calls that may wait, by default.
pub const DEFAULT_FAULTS_MAX_QUEUED_REQUESTS: usize = 64;

/// How many connections the server keeps open at once by default; more wait
/// in the listen backlog. Below the usual soft limit of 1024 file descriptors.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

/// How many HTTP/2 streams one connection may have open at once by default
/// (announced in SETTINGS; streams past it are refused).
pub const DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS: u32 = 100;

/// How often an HTTP/2 connection is pinged by default, to find dead peers.
pub const DEFAULT_HTTP2_KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);

/// How long the server waits for a ping's answer by default before closing
/// the HTTP/2 connection.
pub const DEFAULT_HTTP2_KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an HTTP/1.1 connection may take by default to deliver a whole
/// request head, counted from when the server starts waiting for it (so it
/// also closes idle keep-alive connections).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long reading a whole gRPC request body may take by default, however
/// steadily its bytes trickle in.
pub const DEFAULT_BODY_DEADLINE: Duration = Duration::from_secs(30);

/// The largest gRPC request body (framing and base64 included) accepted by
/// default: the 16 KiB message, its gRPC-Web text encoding, and room to spare.
pub const DEFAULT_MAX_REQUEST_BODY_BYTES: usize = 64 * 1024;

/// The longest header-read timeout and HTTP/2 keep-alive interval or
/// timeout accepted (a day): hyper adds them to the current instant.
pub const MAX_PROTOCOL_TIMER: Duration = Duration::from_secs(24 * 3600);

/// How long a graceful shutdown waits by default for calls in flight before
/// it closes the connections left.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a gRPC call may take by default before it is answered
/// `DeadlineExceeded` (a shorter `grpc-timeout` from the client wins).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// How long a request body may go without delivering data before the call
/// is answered `DeadlineExceeded` and its slot freed.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything [`serve`](crate::serve) needs besides a listener and a shutdown signal.
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
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Where [`spawn`](crate::spawn) and the binary bind. [`serve`](crate::serve)
    /// ignores it and uses the listener it is given.
    pub addr: SocketAddr,
    /// The built front end to serve at `/`, if any. A directory that does not
    /// exist (or has no `index.html`) is logged with a warning and not served.
    pub static_dir: Option<PathBuf>,
    /// Origins allowed by CORS besides the loopback ones (`http://127.0.0.1`,
    /// `http://localhost`, `http://[::1]`, any port), e.g. `https://demo.example:8443`.
    pub allowed_origins: Vec<String>,
    /// Whether the `greeter.Faults` service is served.
    pub faults: FaultsSetting,
    /// `Host` names (with or without a port) accepted besides the loopback
    /// ones, the hosts of `allowed_origins` and the address listened on;
    /// a request naming another host is answered `421 Misdirected Request`.
    pub allowed_hosts: Vec<String>,
    /// SayHello calls handled at once over all connections; further ones
    /// wait. At least 1. The page and the fault controls have pools of their own.
    pub max_concurrent_requests: usize,
    /// SayHello calls that may wait for a slot; one more is answered
    /// `ResourceExhausted` at once.
    pub max_queued_requests: usize,
    /// Requests for the page (its files) handled at once, in a pool of their
    /// own so slow calls never hold the page back. At least 1.
    pub page_max_concurrent_requests: usize,
    /// Requests for the page that may wait; one more is answered `503` at once.
    pub page_max_queued_requests: usize,
    /// Fault-control calls (`greeter.Faults`) handled at once, in a pool of
    /// their own so the controls answer while SayHello is saturated. At least 1.
    pub faults_max_concurrent_requests: usize,
    /// Fault-control calls that may wait; one more is answered
    /// `ResourceExhausted` at once.
    pub faults_max_queued_requests: usize,
    /// Connections open at once; the next one is accepted when one closes. At least 1.
    pub max_connections: usize,
    /// HTTP/2 streams one connection may have open at once. At least 1.
    pub http2_max_concurrent_streams: u32,
    /// Interval of the HTTP/2 keep-alive pings.
    pub http2_keepalive_interval: Duration,
    /// How long an HTTP/2 keep-alive ping may go unanswered before the
    /// connection is closed.
    pub http2_keepalive_timeout: Duration,
    /// Longest an HTTP/1.1 connection may take to deliver a request head,
    /// idle time between keep-alive requests included.
    pub header_read_timeout: Duration,
    /// Longest time a gRPC call may run before it is answered `DeadlineExceeded`.
    pub request_timeout: Duration,
    /// Longest a gRPC request body may go without delivering data (a client
    /// that stalls midway): then the call is answered `DeadlineExceeded` and
    /// its slot is freed, before `request_timeout`.
    pub body_timeout: Duration,
    /// Longest reading a whole gRPC request body may take, even when data
    /// keeps arriving: then the call is answered `DeadlineExceeded`.
    pub body_deadline: Duration,
    /// The largest gRPC request body, in bytes; a larger one is answered
    /// `ResourceExhausted` without reading further.
    pub max_request_body_bytes: usize,
    /// How long a graceful shutdown waits for calls in flight before it
    /// closes the connections that are left.
    pub shutdown_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: DEFAULT_ADDR,
            static_dir: Some(PathBuf::from(DEFAULT_STATIC_DIR)),
            allowed_origins: Vec::new(),
            faults: FaultsSetting::Auto,
            allowed_hosts: Vec::new(),
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            max_queued_requests: DEFAULT_MAX_QUEUED_REQUESTS,
            page_max_concurrent_requests: DEFAULT_PAGE_MAX_CONCURRENT_REQUESTS,
            page_max_queued_requests: DEFAULT_PAGE_MAX_QUEUED_REQUESTS,
            faults_max_concurrent_requests: DEFAULT_FAULTS_MAX_CONCURRENT_REQUESTS,
            faults_max_queued_requests: DEFAULT_FAULTS_MAX_QUEUED_REQUESTS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            http2_max_concurrent_streams: DEFAULT_HTTP2_MAX_CONCURRENT_STREAMS,
            http2_keepalive_interval: DEFAULT_HTTP2_KEEPALIVE_INTERVAL,
            http2_keepalive_timeout: DEFAULT_HTTP2_KEEPALIVE_TIMEOUT,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            body_deadline: DEFAULT_BODY_DEADLINE,
            max_request_body_bytes: DEFAULT_MAX_REQUEST_BODY_BYTES,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
        }
    }
}

impl Config {
    /// Checks the settings that must not be zero; the first found wrong is the error.
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
            ("max_request_body_bytes", self.max_request_body_bytes),
            (
                "http2_max_concurrent_streams",
                self.http2_max_concurrent_streams as usize,
            ),
        ];
        let durations = [
            ("request_timeout", self.request_timeout),
            ("body_timeout", self.body_timeout),
            ("body_deadline", self.body_deadline),
            ("header_read_timeout", self.header_read_timeout),
            ("http2_keepalive_interval", self.http2_keepalive_interval),
            ("http2_keepalive_timeout", self.http2_keepalive_timeout),
        ];
        if let Some((name, _)) = counts.iter().find(|(_, n)| *n == 0) {
            return Err(crate::Error::Config(format!("{name} must be at least 1")));
        }
        if let Some((name, _)) = durations.iter().find(|(_, d)| d.is_zero()) {
            return Err(crate::Error::Config(format!(
                "{name} must be more than zero"
            )));
        }
        Ok(())
    }
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
