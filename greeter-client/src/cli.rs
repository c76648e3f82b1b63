//! The settings as command-line flags (feature `cli`): one flag per key of
//! [`KEYS`](crate::KEYS), each with an environment fallback, its default
//! taken from [`Settings::default`] and its value read by [`Settings::set`],
//! so a flag and a URL query say the same about the same bad value.

use crate::{KEYS, Settings};
use clap::builder::{Arg, ArgAction, Command};
use clap::error::{Error, ErrorKind};
use clap::{ArgMatches, Args, FromArgMatches};

/// A setting's flag: its key, environment variable and help.
struct Flag {
    key: &'static str,
    env: &'static str,
    help: &'static str,
}

const FLAGS: [Flag; KEYS.len()] = [
    Flag {
        key: "max_requests",
        env: "BREAKER_MAX_REQUESTS",
        help: "Trial calls half-open admits, and successes that close it (gobreaker MaxRequests)",
    },
    Flag {
        key: "interval",
        env: "BREAKER_INTERVAL",
        help: "How often a closed breaker clears its counts, e.g. `10s` (0s: never)",
    },
    Flag {
        key: "timeout",
        env: "BREAKER_TIMEOUT",
        help: "How long the breaker stays open before half-open, e.g. `5s`",
    },
    Flag {
        key: "trip",
        env: "BREAKER_TRIP",
        help: "Consecutive failures that trip the breaker",
    },
    Flag {
        key: "deadline",
        env: "CLIENT_DEADLINE",
        help: "Per-call deadline; a call past it counts as a failure, e.g. `1s`",
    },
    Flag {
        key: "retries",
        env: "CLIENT_RETRIES",
        help: "Retries (0 to 10) of Unavailable / DeadlineExceeded, with backoff, never into an open breaker",
    },
    Flag {
        key: "retry_backoff",
        env: "CLIENT_RETRY_BACKOFF",
        help: "The first retry's delay; each further retry waits twice as long",
    },
    Flag {
        key: "client_errors",
        env: "CLIENT_ERRORS",
        help: "`count`: every error is a failure (the Go demo); `exclude`: caller mistakes (InvalidArgument…) are neither",
    },
];

impl Flag {
    fn arg(&self, defaults: &Settings) -> Arg {
        let key = self.key;
        Arg::new(key)
            .long(key.replace('_', "-"))
            .value_name(key.to_uppercase())
            .env(self.env)
            .help(self.help)
            .action(ArgAction::Set)
            .default_value(defaults.get(key))
            .value_parser(move |value: &str| {
                Settings::default()
                    .set(key, value)
                    .map(|()| value.to_owned())
            })
    }
}

impl Args for Settings {
    fn augment_args(command: Command) -> Command {
        let defaults = Settings::default();
        FLAGS
            .iter()
            .fold(command, |command, flag| command.arg(flag.arg(&defaults)))
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for Settings {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, Error> {
        let mut settings = Settings::default();
        settings.update_from_arg_matches(matches)?;
        Ok(settings)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), Error> {
        for key in KEYS {
            if let Some(value) = matches.get_one::<String>(key) {
                self.set(key, value)
                    .map_err(|message| Error::raw(ErrorKind::ValueValidation, message))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::time::Duration;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        settings: Settings,
    }

    #[test]
    fn every_key_has_its_flag_in_order() {
        assert_eq!(FLAGS.map(|flag| flag.key), KEYS);
    }

    #[test]
    fn no_flags_are_the_defaults_and_flags_override_them() {
        let cli = Cli::try_parse_from(["client"]).unwrap();
        assert_eq!(cli.settings, Settings::default());
        let cli = Cli::try_parse_from([
            "client",
            "--timeout",
            "300ms",
            "--retries",
            "2",
            "--client-errors",
            "exclude",
        ])
        .unwrap();
        assert_eq!(cli.settings.timeout, Duration::from_millis(300));
        assert_eq!(cli.settings.retries, 2);
        assert_eq!(cli.settings.client_errors, crate::ClientErrors::Exclude);
    }

    #[test]
    fn a_bad_flag_says_what_the_query_says() {
        for (flag, key, value) in [
            ("--retries", "retries", "11"),
            ("--max-requests", "max_requests", "0"),
            ("--timeout", "timeout", "0s"),
            ("--client-errors", "client_errors", "maybe"),
        ] {
            let error = Cli::try_parse_from(["client", flag, value]).unwrap_err();
            let message = Settings::default().set(key, value).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::ValueValidation);
            assert!(error.to_string().contains(&message), "{error}");
        }
    }
}
