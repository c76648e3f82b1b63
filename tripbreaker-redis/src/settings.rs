//! The settings a shared breaker can run, and the script's arguments built
//! from them once.

use crate::fingerprint::Recorded;
use std::fmt;
use std::time::Duration;
use tripbreaker::{Settings, TripRule};

/// The most buckets a rolling window may have: each call may walk them all
/// inside Redis, which runs one script at a time.
pub const MAX_BUCKETS: usize = 64;

/// Settings the shared breaker cannot run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SettingsError {
    /// The core refuses them too (see [`tripbreaker::Settings::validate`]).
    Invalid(tripbreaker::SettingsError),
    /// [`tripbreaker::TripRule::Custom`]: a Rust function cannot run inside Redis.
    /// Use `ConsecutiveFailures` or `FailureRate`.
    CustomRule,
    /// A rolling window of more than [`MAX_BUCKETS`] buckets.
    TooManyBuckets(u128),
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::Invalid(error) => error.fmt(f),
            SettingsError::CustomRule => f.write_str(
                "a custom trip rule cannot run inside Redis: use ConsecutiveFailures or FailureRate",
            ),
            SettingsError::TooManyBuckets(buckets) => write!(
                f,
                "a rolling window of {buckets} buckets is more than the {MAX_BUCKETS} a shared \
                 breaker keeps: lengthen bucket_period or shorten interval",
            ),
        }
    }
}

impl std::error::Error for SettingsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SettingsError::Invalid(error) => Some(error),
            _ => None,
        }
    }
}

impl From<tripbreaker::SettingsError> for SettingsError {
    fn from(error: tripbreaker::SettingsError) -> Self {
        SettingsError::Invalid(error)
    }
}

/// Whole microseconds, rounded up so a limit is never shortened.
pub(crate) fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos().div_ceil(1_000)).unwrap_or(u64::MAX)
}

/// [`micros`] as the script's signed integers take them.
pub(crate) fn signed_micros(duration: Duration) -> i64 {
    i64::try_from(micros(duration)).unwrap_or(i64::MAX)
}

/// The settings as the script's arguments 4 to 14, in microseconds, and
/// as the shared state records them (see [`crate::fingerprint`]).
#[derive(Debug, Clone)]
pub(crate) struct SettingsArgs {
    pub(crate) args: [String; 11],
    pub(crate) recorded: Recorded,
}

impl SettingsArgs {
    /// The arguments for `settings`, or why the script cannot run them.
    pub(crate) fn new(settings: &Settings) -> Result<Self, SettingsError> {
        settings.validate()?;
        let (kind, count, ratio) = match settings.ready_to_trip {
            TripRule::ConsecutiveFailures(n) => ("c", n, 0.0),
            TripRule::FailureRate {
                min_requests,
                ratio,
            } => ("r", min_requests, ratio),
            TripRule::Custom(_) => return Err(SettingsError::CustomRule),
        };
        let buckets = settings.buckets();
        if buckets > MAX_BUCKETS as u128 {
            return Err(SettingsError::TooManyBuckets(buckets));
        }
        let bucket = if settings.is_rolling() {
            settings.bucket_period
        } else {
            settings.interval
        };
        let optional = |d: Option<Duration>| d.map_or(-1, signed_micros);
        let backoff = settings.backoff;
        // What the script runs, named as the settings are: durations in
        // whole microseconds, as the script takes them.
        let shown = |d: Duration| format!("{:?}", Duration::from_micros(micros(d)));
        let shown_optional = |d: Option<Duration>| d.map_or("none".to_owned(), shown);
        let window = match (micros(bucket), buckets) {
            (0, _) => "none".to_owned(),
            (_, 1) => format!("fixed({})", shown(bucket)),
            (_, n) => format!("rolling({n}x{})", shown(bucket)),
        };
        let recorded = Recorded::new(&[
            ("max_requests", settings.half_open_limit().to_string()),
            ("window", window),
            ("timeout", shown(settings.open_timeout())),
            (
                "ready_to_trip",
                match kind {
                    "c" => format!("consecutive_failures({count})"),
                    _ => format!("failure_rate(min_requests={count},ratio={ratio})"),
                },
            ),
            (
                "backoff",
                backoff.map_or("none".to_owned(), |b| {
                    format!("x{} up to {}", b.multiplier, shown(b.max_timeout))
                }),
            ),
            (
                "max_half_open_wait",
                shown_optional(settings.max_half_open_wait),
            ),
            ("slow_call", shown_optional(settings.slow_call)),
        ]);
        let args = [
            settings.half_open_limit().to_string(),
            micros(bucket).to_string(),
            buckets.to_string(),
            micros(settings.open_timeout()).to_string(),
            kind.to_owned(),
            count.to_string(),
            // Rust prints the shortest decimal that parses back to the same f64.
            format!("{ratio}"),
            backoff.map_or(0, |b| b.multiplier).to_string(),
            backoff.map_or(0, |b| micros(b.max_timeout)).to_string(),
            optional(settings.max_half_open_wait).to_string(),
            optional(settings.slow_call).to_string(),
        ];
        Ok(SettingsArgs { args, recorded })
    }
}
