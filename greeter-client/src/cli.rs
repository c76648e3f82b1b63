//! The settings as command-line flags (feature `cli`): one flag per row of
//! [`SETTINGS`], named, helped and bounded by it, with its environment
//! fallback, its default taken from [`Settings::default`] and its value
//! read by [`Setting::set`], so a flag and a URL query say the same about
//! the same bad value.

use crate::{SETTINGS, Setting, Settings};
use clap::builder::{Arg, ArgAction, Command};
use clap::error::{Error, ErrorKind};
use clap::{ArgMatches, Args, FromArgMatches};

/// The flag of `setting`, showing its value in `defaults` as its default.
fn flag(setting: &'static Setting, defaults: &Settings) -> Arg {
    Arg::new(setting.key)
        .long(setting.flag())
        .value_name(setting.key.to_uppercase())
        .env(setting.env)
        .help(setting.help_with_bounds())
        .action(ArgAction::Set)
        .default_value(setting.get(defaults))
        .value_parser(move |value: &str| {
            setting
                .set(&mut Settings::default(), value)
                .map(|()| value.to_owned())
        })
}

impl Args for Settings {
    fn augment_args(command: Command) -> Command {
        let defaults = Settings::default();
        SETTINGS.iter().fold(command, |command, setting| {
            command.arg(flag(setting, &defaults))
        })
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
        for setting in &SETTINGS {
            if let Some(value) = matches.get_one::<String>(setting.key) {
                setting
                    .set(self, value)
                    .map_err(|message| Error::raw(ErrorKind::ValueValidation, message))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};
    use std::time::Duration;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        settings: Settings,
    }

    #[test]
    fn every_setting_has_its_flag_and_variable_in_order() {
        let command = Cli::command();
        let flags: Vec<_> = command
            .get_arguments()
            .filter(|arg| arg.get_id() != "help")
            .map(|arg| (arg.get_long().unwrap(), arg.get_env().unwrap().to_owned()))
            .collect();
        assert_eq!(
            flags,
            [
                ("max-requests", "BREAKER_MAX_REQUESTS"),
                ("interval", "BREAKER_INTERVAL"),
                ("timeout", "BREAKER_TIMEOUT"),
                ("trip", "BREAKER_TRIP"),
                ("deadline", "CLIENT_DEADLINE"),
                ("retries", "CLIENT_RETRIES"),
                ("retry-backoff", "CLIENT_RETRY_BACKOFF"),
                ("client-errors", "CLIENT_ERRORS"),
            ]
            .map(|(flag, env)| (flag, std::ffi::OsString::from(env)))
        );
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
