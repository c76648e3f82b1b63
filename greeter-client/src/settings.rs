//! What the breaker and the calls are configured with, documented where
//! declared, with one set of defaults and one parser per setting: a CLI
//! flag, a URL query parameter and the page's settings panel all read text
//! through [`Settings::set`], so a bad value gets the same message everywhere.

use std::fmt;
use std::time::Duration;
use tripbreaker::TripRule;
use tripbreaker_tower::GrpcClassifier;

/// The keys of the settings, in the order they are shown; each is also a
/// URL query parameter, and with `-` for `_` a CLI flag.
pub const KEYS: [&str; 8] = [
    "max_requests",
    "interval",
    "timeout",
    "trip",
    "deadline",
    "retries",
    "retry_backoff",
    "client_errors",
];

/// The most retries a call may be given.
pub const MAX_RETRIES: u32 = 10;

/// The client's settings. Defaults are the Go demo's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Trial calls half-open admits, and consecutive successes that close
    /// it again (gobreaker `MaxRequests`). At least 1. Default: 3.
    pub max_requests: u32,
    /// How often a closed breaker clears its counts; zero means never.
    /// Default: 10 s.
    pub interval: Duration,
    /// How long the breaker stays open before it turns half-open. More than
    /// zero. Default: 5 s.
    pub timeout: Duration,
    /// Consecutive failures that trip the breaker. At least 1. Default: 3.
    pub trip: u32,
    /// Each call's deadline, sent as `grpc-timeout` and enforced by the
    /// transport too; a call past it is a failure. More than zero.
    /// Default: 1 s.
    pub deadline: Duration,
    /// Retries of a call that failed with a transient status
    /// ([`is_transient`](crate::is_transient)), with exponential backoff,
    /// never into an open breaker. At most [`MAX_RETRIES`]. Default: 0.
    pub retries: u32,
    /// The first retry's delay; each further retry waits twice as long.
    /// Default: 100 ms.
    pub retry_backoff: Duration,
    /// Whether the server's verdicts on the caller's mistakes
    /// (`InvalidArgument`…) count against the service. Default: counted, as
    /// in the Go demo.
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
        let value = value.trim();
        match key {
            "max_requests" => self.max_requests = count(value, 1, u32::MAX)?,
            "interval" => self.interval = duration(value, true)?,
            "timeout" => self.timeout = duration(value, false)?,
            "trip" => self.trip = count(value, 1, u32::MAX)?,
            "deadline" => self.deadline = duration(value, false)?,
            "retries" => self.retries = count(value, 0, MAX_RETRIES)?,
            "retry_backoff" => self.retry_backoff = duration(value, true)?,
            "client_errors" => {
                self.client_errors = match value {
                    "count" => ClientErrors::Count,
                    "exclude" => ClientErrors::Exclude,
                    _ => return Err(format!("`{value}` is neither `count` nor `exclude`")),
                }
            }
            _ => return Err(format!("there is no setting `{key}`")),
        }
        Ok(())
    }

    /// The setting `key` as text that [`set`](Self::set) reads back
    /// (`5s`, `500ms`, `3`, `count`); empty for an unknown key.
    pub fn get(&self, key: &str) -> String {
        match key {
            "max_requests" => self.max_requests.to_string(),
            "interval" => show_duration(self.interval),
            "timeout" => show_duration(self.timeout),
            "trip" => self.trip.to_string(),
            "deadline" => show_duration(self.deadline),
            "retries" => self.retries.to_string(),
            "retry_backoff" => show_duration(self.retry_backoff),
            "client_errors" => self.client_errors.to_string(),
            _ => String::new(),
        }
    }

    /// The settings that differ from `other`, as `(key, value)` pairs in
    /// the order of [`KEYS`].
    pub fn changed_from(&self, other: &Settings) -> Vec<(&'static str, String)> {
        KEYS.iter()
            .filter(|key| self.get(key) != other.get(key))
            .map(|&key| (key, self.get(key)))
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

fn count(value: &str, min: u32, max: u32) -> Result<u32, String> {
    match value.parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ if max == u32::MAX => Err(format!("`{value}` is not a whole number of at least {min}")),
        _ => Err(format!(
            "`{value}` is not a whole number from {min} to {max}"
        )),
    }
}

fn duration(value: &str, zero_allowed: bool) -> Result<Duration, String> {
    match humantime::parse_duration(value) {
        Ok(d) if d.is_zero() && !zero_allowed => Err(format!("`{value}` must be longer than 0s")),
        Ok(d) => Ok(d),
        Err(_) => Err(format!("`{value}` is not a duration like 5s or 500ms")),
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
            KEYS.len()
        );
        assert_eq!(settings.timeout, Duration::from_secs(90));
        assert!(matches!(
            settings.classifier().classify(tonic::Code::InvalidArgument),
            tripbreaker::Outcome::Excluded
        ));
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
