//! What a breaker is configured with, documented where it is declared.

use crate::{Counts, Reason};
use core::fmt;
use core::time::Duration;

/// The default open timeout, used when [`Settings::timeout`] is zero: 60 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// A breaker's configuration. Start from [`Settings::new`] and override
/// fields with struct update syntax:
///
/// ```
/// use tripbreaker::{Settings, TripRule};
/// use core::time::Duration;
///
/// // The Go demo's settings.
/// let settings = Settings {
///     max_requests: 3,
///     interval: Duration::from_secs(10),
///     timeout: Duration::from_secs(5),
///     ready_to_trip: TripRule::ConsecutiveFailures(3),
///     ..Settings::new("greeter")
/// };
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The breaker's name, given to observers. Default: the one passed to [`Settings::new`].
    pub name: &'static str,
    /// How many trial calls half-open admits, and how many consecutive
    /// successes close it again. Zero means 1. Default: 0 (so 1).
    pub max_requests: u32,
    /// How long a closed breaker counts before it clears its counts (a new
    /// generation). Zero means never. Default: zero.
    pub interval: Duration,
    /// With a non-zero `interval`: the length of one bucket of a rolling
    /// window over the last `interval` (rounded up to whole buckets). The
    /// breaker must have room for that many buckets (its `BUCKETS`
    /// parameter, see [`CircuitBreaker::new_rolling`](crate::CircuitBreaker::new_rolling)).
    /// Zero, or equal to `interval`, means a fixed window cleared every
    /// `interval`. Default: zero.
    pub bucket_period: Duration,
    /// How long the breaker stays open before it lets trial calls through
    /// (half-open). Zero means [`DEFAULT_TIMEOUT`] (60 s). Default: zero.
    pub timeout: Duration,
    /// When the counts of a closed breaker trip it open, checked after every
    /// failure. Default: more than 5 consecutive failures.
    pub ready_to_trip: TripRule,
    /// A call that succeeds but takes longer than this (from admission to its
    /// outcome) counts as a failure. `None` means no slow-call rule. Default: `None`.
    pub slow_call: Option<Duration>,
    /// Lengthens the open timeout each time a half-open trial fails, up to a
    /// cap; back to `timeout` once the breaker closes. `None` means the
    /// timeout never changes (gobreaker's behaviour). Default: `None`.
    pub backoff: Option<Backoff>,
    /// The longest the breaker may stay half-open: when it passes with the
    /// trial calls still unfinished (a call that never returns holds its
    /// slot), the breaker opens again, as after a failed trial
    /// (resilience4j's `maxWaitDurationInHalfOpenState`). `None` means it
    /// waits for the trials however long they take (gobreaker's behaviour).
    /// Default: `None`.
    pub max_half_open_wait: Option<Duration>,
}

impl Settings {
    /// gobreaker's defaults under the given name.
    pub const fn new(name: &'static str) -> Self {
        Settings {
            name,
            max_requests: 0,
            interval: Duration::ZERO,
            bucket_period: Duration::ZERO,
            timeout: Duration::ZERO,
            ready_to_trip: TripRule::DEFAULT,
            slow_call: None,
            backoff: None,
            max_half_open_wait: None,
        }
    }

    /// Checks the settings, returning what is wrong with them. A breaker
    /// also checks that it has room for [`Settings::buckets`].
    pub fn validate(&self) -> Result<(), SettingsError> {
        if let TripRule::FailureRate { ratio, .. } = self.ready_to_trip
            && !(0.0..=1.0).contains(&ratio)
        {
            return Err(SettingsError::FailureRatio(ratio));
        }
        if let Some(backoff) = self.backoff
            && backoff.multiplier == 0
        {
            return Err(SettingsError::BackoffMultiplier);
        }
        Ok(())
    }

    /// The effective half-open admission limit (`max_requests`, or 1 if zero).
    pub const fn half_open_limit(&self) -> u32 {
        if self.max_requests == 0 {
            1
        } else {
            self.max_requests
        }
    }

    /// The effective open timeout (`timeout`, or [`DEFAULT_TIMEOUT`] if zero).
    pub const fn open_timeout(&self) -> Duration {
        if self.timeout.is_zero() {
            DEFAULT_TIMEOUT
        } else {
            self.timeout
        }
    }

    /// Whether the counts roll over a window of buckets rather than being
    /// cleared all at once.
    pub fn is_rolling(&self) -> bool {
        !self.interval.is_zero()
            && !self.bucket_period.is_zero()
            && self.bucket_period != self.interval
    }

    /// How many buckets the window has: `interval / bucket_period` rounded
    /// up for a rolling window, 1 otherwise.
    ///
    /// ```
    /// use tripbreaker::Settings;
    /// use core::time::Duration;
    /// let rolling = Settings {
    ///     interval: Duration::from_millis(500),
    ///     bucket_period: Duration::from_millis(150),
    ///     ..Settings::new("r")
    /// };
    /// assert_eq!(rolling.buckets(), 4);
    /// ```
    pub fn buckets(&self) -> u128 {
        if self.is_rolling() {
            self.interval
                .as_nanos()
                .div_ceil(self.bucket_period.as_nanos())
        } else {
            1
        }
    }

    /// How long one bucket lasts (the whole interval for a fixed window);
    /// zero when counts are never cleared.
    pub(crate) fn bucket_length(&self) -> Duration {
        if self.is_rolling() {
            self.bucket_period
        } else {
            self.interval
        }
    }
}

impl Default for Settings {
    /// gobreaker's defaults, named `tripbreaker`.
    fn default() -> Self {
        Settings::new("breaker")
    }
}

/// When the counts of a closed breaker trip it open.
#[derive(Debug, Clone, Copy)]
pub enum TripRule {
    /// Trip when `consecutive_failures >= n` (the Go demo uses 3).
    ConsecutiveFailures(u32),
    /// Trip when at least `min_requests` calls were admitted in the window
    /// and `total_failures / requests >= ratio` (`ratio` in `0.0..=1.0`).
    FailureRate {
        /// Calls the window must hold before the rate is judged.
        min_requests: u32,
        /// The failure share, from 0.0 to 1.0, that trips the breaker.
        ratio: f64,
    },
    /// Any rule: trip when the function returns true.
    Custom(fn(&Counts) -> bool),
}

impl TripRule {
    /// gobreaker's default: more than 5 consecutive failures.
    pub const DEFAULT: TripRule = TripRule::ConsecutiveFailures(6);

    /// Whether these counts trip the breaker.
    ///
    /// ```
    /// use tripbreaker::{Counts, TripRule};
    /// let rule = TripRule::FailureRate { min_requests: 4, ratio: 0.5 };
    /// let counts = Counts { requests: 4, total_failures: 2, ..Counts::default() };
    /// assert!(rule.is_tripped(&counts));
    /// ```
    pub fn is_tripped(&self, counts: &Counts) -> bool {
        match *self {
            TripRule::ConsecutiveFailures(n) => counts.consecutive_failures >= n,
            TripRule::FailureRate {
                min_requests,
                ratio,
            } => counts.requests >= min_requests && counts.failure_rate() >= ratio,
            TripRule::Custom(rule) => rule(counts),
        }
    }

    /// Why a trip by this rule happened, as its transition says.
    pub(crate) const fn reason(&self) -> Reason {
        match self {
            TripRule::ConsecutiveFailures(_) => Reason::ConsecutiveFailures,
            TripRule::FailureRate { .. } => Reason::FailureRate,
            TripRule::Custom(_) => Reason::CustomRule,
        }
    }
}

impl Default for TripRule {
    fn default() -> Self {
        TripRule::DEFAULT
    }
}

/// Exponential backoff of the open timeout after failed half-open trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The factor the timeout is multiplied by each time the breaker reopens
    /// from half-open (at least 1).
    pub multiplier: u32,
    /// The longest the open timeout may grow to.
    pub max_timeout: Duration,
}

/// Settings that cannot work, found by [`Settings::validate`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SettingsError {
    /// The rolling window needs more buckets than the breaker has room for.
    TooManyBuckets {
        /// The buckets `interval / bucket_period` asks for.
        buckets: u128,
        /// The room the breaker has (its `BUCKETS` parameter).
        capacity: usize,
    },
    /// A failure-rate ratio outside `0.0..=1.0` (or NaN).
    FailureRatio(f64),
    /// A backoff multiplier of zero.
    BackoffMultiplier,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsError::TooManyBuckets { buckets, capacity } => write!(
                f,
                "a rolling window of {buckets} buckets does not fit a breaker with room for \
                 {capacity}: make it with CircuitBreaker::<_, _, {buckets}>::new_rolling, or \
                 lengthen bucket_period or shorten interval"
            ),
            SettingsError::FailureRatio(ratio) => {
                write!(f, "failure ratio {ratio} is not between 0.0 and 1.0")
            }
            SettingsError::BackoffMultiplier => {
                f.write_str("backoff multiplier must be at least 1")
            }
        }
    }
}

impl core::error::Error for SettingsError {}
