//! What the server is told to do: address, page, origins, fault controls, limits.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// The address the command line binds by default: `127.0.0.1:50051`.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 50051);

/// The front end directory served by default, relative to the current directory
/// (what `trunk build --release` writes).
pub const DEFAULT_STATIC_DIR: &str = "dist";

/// How many requests the whole server handles at once by default; more wait.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 256;

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
    /// Requests handled at once over all connections; further ones wait. At least 1.
    pub max_concurrent_requests: usize,
    /// Longest time a gRPC call may run before it is answered `DeadlineExceeded`.
    pub request_timeout: Duration,
    /// Longest a gRPC request body may go without delivering data (a client
    /// that stalls midway): then the call is answered `DeadlineExceeded` and
    /// its slot is freed, before `request_timeout`.
    pub body_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            addr: DEFAULT_ADDR,
            static_dir: Some(PathBuf::from(DEFAULT_STATIC_DIR)),
            allowed_origins: Vec::new(),
            faults: FaultsSetting::Auto,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
        }
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

impl FromStr for FaultsSetting {
    type Err = String;

    /// Parses `on`, `off` or `auto` (any case).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        <Self as clap::ValueEnum>::from_str(s, true)
    }
}
