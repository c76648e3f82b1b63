//! Command-line flags (with environment fallbacks), turned into a [`Config`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::config::{
    Config, DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_CONCURRENT_REQUESTS, DEFAULT_REQUEST_TIMEOUT,
    FaultsSetting,
};

/// Greeter demo server: gRPC, gRPC-Web and the built front end on one port.
// The field docs are the `--help` text, where URLs are best left bare.
#[allow(rustdoc::bare_urls)]
#[derive(Debug, Clone, PartialEq, Parser)]
#[command(name = "server", version, about)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, env = "SERVER_ADDR", default_value = "127.0.0.1:50051")]
    pub addr: SocketAddr,

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

    /// Fault controls (greeter.Faults): on, off, or auto (on only when bound to loopback).
    #[arg(long, env = "SERVER_FAULTS", value_enum, default_value_t = FaultsSetting::Auto)]
    pub faults: FaultsSetting,

    /// Requests handled at once over all connections; more wait their turn.
    #[arg(long, env = "SERVER_MAX_CONCURRENT_REQUESTS", default_value_t = DEFAULT_MAX_CONCURRENT_REQUESTS,
          value_parser = at_least_one)]
    pub max_concurrent_requests: usize,

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
            faults: self.faults,
            max_concurrent_requests: self.max_concurrent_requests,
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            body_timeout: Duration::from_secs(self.body_timeout_secs),
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
