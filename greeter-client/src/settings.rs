//! What the breaker and the calls are configured with: the [`Settings`],
//! and [`SETTINGS`], the one table that names each setting (its URL query
//! parameter, CLI flag, environment variable, the page's label, its help)
//! and bounds it. The URL query, the CLI's flags and the page's settings
//! panel all read that table, so a bad value gets the same message
//! everywhere.

use std::fmt;
use std::time::Duration;
use tripbreaker::TripRule;
use tripbreaker_tower::GrpcClassifier;

/// The client's settings; each is a row of [`SETTINGS`], which says what it
/// accepts. Defaults are the Go demo's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Trial calls half-open admits, and consecutive successes that close
    /// it again (gobreaker `MaxRequests`).
    pub max_requests: u32,
    /// How often a closed breaker clears its counts; zero means never.
    pub interval: Duration,
    /// How long the breaker stays open before it turns half-open.
    pub timeout: Duration,
    /// Consecutive failures that trip the breaker.
    pub trip: u32,
    /// Each call's deadline, sent as `grpc-timeout` and enforced by the
    /// transport too; a call past it is a failure.
    pub deadline: Duration,
    /// Retries of a call that failed with a transient status
    /// ([`is_transient`](crate::is_transient)), with exponential backoff,
    /// never into an open breaker.
    pub retries: u32,
    /// The first retry's delay; each further retry waits twice as long.
    pub retry_backoff: Duration,
    /// Whether the server's verdicts on the caller's mistakes
    /// (`InvalidArgument`…) count against the service.
    pub client_errors: ClientErrors,
}

/// How caller mistakes reported by the server are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientErrors {
    /// Every error is a failure (the Go demo): empty names trip the breaker.
    Count,
    /// Caller mistakes are neither successes nor failures.
    Exclude,
}

impl Default for Settings {
    /// The Go demo's: MaxRequests 3, Interval 10 s, Timeout 5 s, trip after
    /// 3 consecutive failures, every error counted; a 1 s deadline and no
    /// retries.
    fn default() -> Self {
        Settings {
            max_requests: 3,
            interval: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
            trip: 3,
            deadline: Duration::from_secs(1),
            retries: 0,
            retry_backoff: Duration::from_millis(100),
            client_errors: ClientErrors::Count,
        }
    }
}

/// Every setting, in the order they are shown: how each is named wherever
/// it is read, what it means, and which values it takes.
pub static SETTINGS: [Setting; 8] = [
    Setting {
        key: "max_requests",
        env: "BREAKER_MAX_REQUESTS",
        label: "Max requests",
        hint: "trial calls while half-open",
        help: "Trial calls half-open admits, and successes that close it (gobreaker MaxRequests)",
        kind: Kind::at_least(1, |s| &mut s.max_requests),
    },
    Setting {
        key: "interval",
        env: "BREAKER_INTERVAL",
        label: "Interval",
        hint: "closed counts clear after (0s: never)",
        help: "How often a closed breaker clears its counts, e.g. `10s` (0s: never)",
        kind: Kind::duration(|s| &mut s.interval),
    },
    Setting {
        key: "timeout",
        env: "BREAKER_TIMEOUT",
        label: "Timeout",
        hint: "open, then half-open after",
        help: "How long the breaker stays open before half-open, e.g. `5s`",
        kind: Kind::positive_duration(|s| &mut s.timeout),
    },
    Setting {
        key: "trip",
        env: "BREAKER_TRIP",
        label: "Trip threshold",
        hint: "consecutive failures that open it",
        help: "Consecutive failures that trip the breaker",
        kind: Kind::at_least(1, |s| &mut s.trip),
    },
    Setting {
        key: "deadline",
        env: "CLIENT_DEADLINE",
        label: "Deadline",
        hint: "per call (grpc-timeout)",
        help: "Per-call deadline; a call past it counts as a failure, e.g. `1s`",
        kind: Kind::positive_duration(|s| &mut s.deadline),
    },
    Setting {
        key: "retries",
        env: "CLIENT_RETRIES",
        label: "Retries",
        hint: "on Unavailable / DeadlineExceeded",
        help: "Retries ({bounds}) of Unavailable / DeadlineExceeded, with backoff, never into an open breaker",
        kind: Kind::between(0, 10, |s| &mut s.retries),
    },
    Setting {
        key: "retry_backoff",
        env: "CLIENT_RETRY_BACKOFF",
        label: "Retry backoff",
        hint: "first retry after, doubled each time",
        help: "The first retry's delay; each further retry waits twice as long",
        kind: Kind::duration(|s| &mut s.retry_backoff),
    },
    Setting {
        key: "client_errors",
        env: "CLIENT_ERRORS",
        label: "Client errors",
        hint: "InvalidArgument and the like",
        help: "`count`: every error is a failure (the Go demo); `exclude`: caller mistakes (InvalidArgument…) are neither",
        kind: Kind::ClientErrors {
            field: |s| &mut s.client_errors,
        },
    },
];

/// One setting of [`Settings`]: its names, its help, and the values it
/// takes. Its default is [`Settings::default`]'s.
#[derive(Debug)]
pub struct Setting {
    /// Its URL query parameter, e.g. `max_requests`; with `-` for `_` it is
    /// also the CLI flag ([`flag`](Self::flag)).
    pub key: &'static str,
    /// The environment variable the CLI reads when the flag is not given.
    pub env: &'static str,
    /// Its name on the page's settings panel.
    pub label: &'static str,
    /// What it means in the few words the panel shows under it.
    pub hint: &'static str,
    /// What it means as the CLI's `--help` says it; `{bounds}` stands for
    /// its bounds ([`help_with_bounds`](Self::help_with_bounds)).
    pub help: &'static str,
    /// The values it takes, and the field of [`Settings`] that keeps it.
    pub kind: Kind,
}

/// The values a setting takes, and the field of [`Settings`] that keeps it.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A whole number from `min` to `max` (`u32::MAX`: no upper bound).
    Count {
        /// The least it may be.
        min: u32,
        /// The most it may be.
        max: u32,
        /// Where it is kept.
        field: fn(&mut Settings) -> &mut u32,
    },
    /// A duration written as humantime reads it: `5s`, `500ms`, `1m 30s`.
    Duration {
        /// Whether `0s` is allowed.
        zero_allowed: bool,
        /// Where it is kept.
        field: fn(&mut Settings) -> &mut Duration,
    },
    /// `count` or `exclude`.
    ClientErrors {
        /// Where it is kept.
        field: fn(&mut Settings) -> &mut ClientErrors,
    },
}

impl Setting {
    /// The setting called `key`, if there is one.
    ///
    /// ```
    /// let retries = greeter_client::Setting::find("retries").unwrap();
    /// assert_eq!((retries.flag(), retries.env), ("retries".to_owned(), "CLIENT_RETRIES"));
    /// assert!(greeter_client::Setting::find("colour").is_none());
    /// ```
    pub fn find(key: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|setting| setting.key == key)
    }

    /// Its CLI flag, without the dashes: `max-requests`.
    pub fn flag(&self) -> String {
        self.key.replace('_', "-")
    }

    /// Its [`help`](Self::help) with its bounds written in.
    ///
    /// ```
    /// let retries = greeter_client::Setting::find("retries").unwrap();
    /// assert!(retries.help_with_bounds().starts_with("Retries (0 to 10) of Unavailable"));
    /// ```
    pub fn help_with_bounds(&self) -> String {
        self.help.replace("{bounds}", &self.kind.bounds())
    }

    /// Its value in `settings`, as text that [`set`](Self::set) reads back
    /// (`5s`, `500ms`, `3`, `count`).
    pub fn get(&self, settings: &Settings) -> String {
        // The table reaches a field through `&mut` only; a copy lends one.
        let mut settings = *settings;
        match self.kind {
            Kind::Count { field, .. } => field(&mut settings).to_string(),
            Kind::Duration { field, .. } => show_duration(*field(&mut settings)),
            Kind::ClientErrors { field } => field(&mut settings).to_string(),
        }
    }

    /// Sets it in `settings` from its text, e.g. `500ms`. On error nothing
    /// changes and the message says what was expected.
    pub fn set(&self, settings: &mut Settings, text: &str) -> Result<(), String> {
        let text = text.trim();
        match self.kind {
            Kind::Count { min, max, field } => *field(settings) = count(text, min, max)?,
            Kind::Duration {
                zero_allowed,
                field,
            } => *field(settings) = duration(text, zero_allowed)?,
            Kind::ClientErrors { field } => *field(settings) = client_errors(text)?,
        }
        Ok(())
    }
}

impl Kind {
    /// A whole number of at least `min`, kept in `field`.
    pub const fn at_least(min: u32, field: fn(&mut Settings) -> &mut u32) -> Kind {
        Kind::Count {
            min,
            max: u32::MAX,
            field,
        }
    }

    /// A whole number from `min` to `max`, kept in `field`.
    pub const fn between(min: u32, max: u32, field: fn(&mut Settings) -> &mut u32) -> Kind {
        Kind::Count { min, max, field }
    }

    /// A duration, `0s` included, kept in `field`.
    pub const fn duration(field: fn(&mut Settings) -> &mut Duration) -> Kind {
        Kind::Duration {
            zero_allowed: true,
            field,
        }
    }

    /// A duration longer than `0s`, kept in `field`.
    pub const fn positive_duration(field: fn(&mut Settings) -> &mut Duration) -> Kind {
        Kind::Duration {
            zero_allowed: false,
            field,
        }
    }

    /// Its bounds in a few words: `at least 1`, `0 to 10`, `more than 0s`.
    fn bounds(&self) -> String {
        match *self {
            Kind::Count {
                min, max: u32::MAX, ..
            } => format!("at least {min}"),
            Kind::Count { min, max, .. } => format!("{min} to {max}"),
            Kind::Duration {
                zero_allowed: true, ..
            } => "0s or more".to_owned(),
            Kind::Duration { .. } => "more than 0s".to_owned(),
            Kind::ClientErrors { .. } => "`count` or `exclude`".to_owned(),
        }
    }
}

impl Settings {
    /// The breaker settings these describe, named `greeter` as in the Go demo.
    pub fn breaker_settings(&self) -> tripbreaker::Settings {
        tripbreaker::Settings {
            max_requests: self.max_requests,
            interval: self.interval,
            timeout: self.timeout,
            ready_to_trip: TripRule::ConsecutiveFailures(self.trip),
            ..tripbreaker::Settings::new("greeter")
        }
    }

    /// How the layer classifies gRPC status codes: every error counts
    /// ([`GrpcClassifier::every_error`]) or caller mistakes are excluded
    /// ([`GrpcClassifier::server_errors`]).
    pub fn classifier(&self) -> GrpcClassifier {
        match self.client_errors {
            ClientErrors::Count => GrpcClassifier::every_error(),
            ClientErrors::Exclude => GrpcClassifier::server_errors(),
        }
    }

    /// Sets the setting `key` from its text, e.g. `("timeout", "500ms")`.
    /// On error nothing changes and the message says what was expected.
    ///
    /// ```
    /// let mut settings = greeter_client::Settings::default();
    /// settings.set("timeout", "500ms").unwrap();
    /// assert_eq!(settings.timeout, std::time::Duration::from_millis(500));
    /// assert_eq!(settings.set("trip", "0").unwrap_err(), "`0` is not a whole number of at least 1");
    /// ```
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match Setting::find(key) {
            Some(setting) => setting.set(self, value),
            None => Err(format!("there is no setting `{key}`")),
        }
    }

    /// The setting `key` as text that [`set`](Self::set) reads back
    /// (`5s`, `500ms`, `3`, `count`); empty for an unknown key.
    pub fn get(&self, key: &str) -> String {
        Setting::find(key).map_or_else(String::new, |setting| setting.get(self))
    }

    /// The settings that differ from `other`, as `(key, value)` pairs in
    /// the order of [`SETTINGS`].
    pub fn changed_from(&self, other: &Settings) -> Vec<(&'static str, String)> {
        SETTINGS
            .iter()
            .filter(|setting| setting.get(self) != setting.get(other))
            .map(|setting| (setting.key, setting.get(self)))
            .collect()
    }
}

impl fmt::Display for ClientErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClientErrors::Count => "count",
            ClientErrors::Exclude => "exclude",
        })
    }
}

/// A duration as humantime writes it: `5s`, `500ms`, `1m 30s`, `0s`.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(greeter_client::show_duration(Duration::from_millis(1500)), "1s 500ms");
/// assert_eq!(greeter_client::show_duration(Duration::ZERO), "0s");
/// ```
pub fn show_duration(duration: Duration) -> String {
    if duration.is_zero() {
        "0s".into()
    } else {
        humantime::format_duration(duration).to_string()
    }
}

fn count(text: &str, min: u32, max: u32) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ if max == u32::MAX => Err(format!("`{text}` is not a whole number of at least {min}")),
        _ => Err(format!(
            "`{text}` is not a whole number from {min} to {max}"
        )),
    }
}

fn duration(text: &str, zero_allowed: bool) -> Result<Duration, String> {
    match humantime::parse_duration(text) {
        Ok(d) if d.is_zero() && !zero_allowed => Err(format!("`{text}` must be longer than 0s")),
        Ok(d) => Ok(d),
        Err(_) => Err(format!("`{text}` is not a duration like 5s or 500ms")),
    }
}

fn client_errors(text: &str) -> Result<ClientErrors, String> {
    match text {
        "count" => Ok(ClientErrors::Count),
        "exclude" => Ok(ClientErrors::Exclude),
        _ => Err(format!("`{text}` is neither `count` nor `exclude`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_go_demo() {
        let settings = Settings::default();
        let breaker = settings.breaker_settings();
        assert_eq!(breaker.name, "greeter");
        assert_eq!(breaker.max_requests, 3);
        assert_eq!(breaker.interval, Duration::from_secs(10));
        assert_eq!(breaker.timeout, Duration::from_secs(5));
        assert!(matches!(
            breaker.ready_to_trip,
            TripRule::ConsecutiveFailures(3)
        ));
        assert_eq!(
            (settings.deadline, settings.retries),
            (Duration::from_secs(1), 0)
        );
        assert_eq!(settings.client_errors, ClientErrors::Count);
        assert!(settings.changed_from(&Settings::default()).is_empty());
    }

    #[test]
    fn every_key_reads_back_what_it_writes() {
        let mut settings = Settings::default();
        for (key, value) in [
            ("max_requests", "2"),
            ("interval", "0s"),
            ("timeout", "1m 30s"),
            ("trip", "7"),
            ("deadline", "250ms"),
            ("retries", "10"),
            ("retry_backoff", "50ms"),
            ("client_errors", "exclude"),
        ] {
            settings.set(key, value).unwrap();
            assert_eq!(settings.get(key), value, "{key}");
        }
        assert_eq!(
            settings.changed_from(&Settings::default()).len(),
            SETTINGS.len()
        );
        assert_eq!(settings.timeout, Duration::from_secs(90));
        assert!(matches!(
            settings.classifier().classify(tonic::Code::InvalidArgument),
            tripbreaker::Outcome::Excluded
        ));
    }

    #[test]
    fn each_setting_keeps_a_field_of_its_own() {
        let changed = Settings {
            max_requests: 2,
            interval: Duration::ZERO,
            timeout: Duration::from_secs(1),
            trip: 7,
            deadline: Duration::from_millis(250),
            retries: 1,
            retry_backoff: Duration::from_millis(50),
            client_errors: ClientErrors::Exclude,
        };
        for setting in &SETTINGS {
            let mut settings = Settings::default();
            setting.set(&mut settings, &setting.get(&changed)).unwrap();
            let keys: Vec<_> = settings
                .changed_from(&Settings::default())
                .into_iter()
                .map(|(key, _)| key)
                .collect();
            assert_eq!(keys, [setting.key]);
        }
    }

    #[test]
    fn bad_values_change_nothing_and_say_why() {
        let mut settings = Settings::default();
        for (key, value, says) in [
            ("max_requests", "0", "at least 1"),
            ("trip", "-1", "at least 1"),
            ("retries", "11", "from 0 to 10"),
            ("timeout", "0s", "longer than 0s"),
            ("deadline", "5", "like 5s or 500ms"),
            ("interval", "soon", "like 5s or 500ms"),
            ("retry_backoff", "-1s", "like 5s or 500ms"),
            ("client_errors", "ignore", "neither `count` nor `exclude`"),
            ("colour", "red", "no setting `colour`"),
        ] {
            let error = settings.set(key, value).unwrap_err();
            assert!(error.contains(says), "{key}={value}: {error}");
        }
        assert_eq!(settings, Settings::default());
    }
}
