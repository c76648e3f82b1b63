//! The command line: the server's [`Config`] plus what only the binary uses.
//!
//! ```
//! use clap::Parser;
//! use server::{cli::Args, FaultsSetting};
//!
//! let args = Args::try_parse_from(["server", "--faults", "off", "--request-timeout", "2s"]).unwrap();
//! assert_eq!(args.config.faults, FaultsSetting::Off);
//! assert_eq!(args.config.request_timeout, std::time::Duration::from_secs(2));
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::config::Config;
use crate::faults::{DEFAULT_FAULT_MESSAGE, Mode};

/// Greeter demo server: gRPC, gRPC-Web and the built front end on one port.
#[derive(Debug, Clone, PartialEq, Parser)]
#[command(name = "server", version, about)]
pub struct Args {
    /// What to serve, and how.
    #[command(flatten)]
    pub config: Config,

    /// Once listening, write the address listened on (e.g. 127.0.0.1:43117) to this
    /// file, so whoever started the server with port 0 learns its port.
    #[arg(long, env = "SERVER_ADDR_FILE", value_name = "PATH")]
    pub addr_file: Option<PathBuf>,

    /// How SayHello is answered from the start, until the fault controls
    /// change it: healthy; failing (every call Unavailable, "injected
    /// failure"); or busy (every call ResourceExhausted, as a full queue).
    #[arg(long, env = "SERVER_INITIAL_FAULT", value_enum, default_value_t = InitialFault::Healthy)]
    pub initial_fault: InitialFault,

    /// Serve the server's metrics in the Prometheus text format at
    /// http://ADDR/metrics: calls by method and gRPC status, calls in
    /// flight, refusals by limit. Off by default; loopback only unless
    /// --metrics-public.
    #[arg(long, env = "SERVER_METRICS_ADDR", value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Allow a --metrics-addr that is not a loopback address.
    #[arg(long, env = "SERVER_METRICS_PUBLIC")]
    pub metrics_public: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_are_refused_naming_their_flag() {
        let parsed = |args: &[&str]| Args::try_parse_from([&["server"][..], args].concat());
        assert!(parsed(&["--faults", "maybe"]).is_err());
        let unitless = parsed(&["--body-timeout", "10"]).unwrap_err().to_string();
        assert!(unitless.contains("--body-timeout"), "{unitless}");
        for (flag, value) in [
            ("--max-concurrent-requests", "0"),
            ("--request-timeout", "0s"),
            ("--body-timeout", "0s"),
            ("--header-read-timeout", "2days"),
        ] {
            let error = parsed(&[flag, value])
                .unwrap()
                .config
                .validate()
                .unwrap_err();
            assert!(error.to_string().contains(flag), "{error}");
        }
    }

    #[test]
    fn defaults_are_the_flags_defaults() {
        // The environment may set SERVER_* variables; the flags' defaults are what is compared.
        let args = Args::try_parse_from(["server"]).unwrap();
        if std::env::vars().all(|(name, _)| !name.starts_with("SERVER_")) {
            assert_eq!(args.config, Config::default());
        }
    }

    #[test]
    fn clap_definition_is_valid() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }
}
