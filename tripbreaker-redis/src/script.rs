//! The state machine script: its arguments, built once from the settings,
//! and its reply, read back into the core's types.

use crate::SettingsError;
use std::time::Duration;
use tripbreaker::{Counts, Instant, Settings, State, Transition, TripRule};

/// The Lua source: the whole state machine, run atomically by Redis.
pub(crate) const SOURCE: &str = include_str!("breaker.lua");

/// The most buckets a rolling window may have: each call may walk them all
/// inside Redis, which runs one script at a time.
pub const MAX_BUCKETS: usize = 64;

/// What the script is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Acquire,
    Record,
    Read,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Op::Acquire => "acquire",
            Op::Record => "record",
            Op::Read => "read",
        }
    }
}

/// The settings as the script's arguments 4 to 14, in microseconds.
#[derive(Debug, Clone)]
pub(crate) struct SettingsArgs([String; 11]);

/// Whole microseconds, rounded up so a limit is never shortened.
pub(crate) fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos().div_ceil(1_000)).unwrap_or(u64::MAX)
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
        let optional =
            |d: Option<Duration>| d.map_or(-1, |d| micros(d).min(i64::MAX as u64) as i64);
        let backoff = settings.backoff;
        Ok(SettingsArgs([
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
        ]))
    }
}

/// A call's ticket as the script knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SharedTicket {
    pub(crate) epoch: i64,
    pub(crate) generation: u64,
    pub(crate) age: u64,
    pub(crate) admitted_at: i64,
}

/// One invocation's arguments.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    pub(crate) op: Op,
    /// Microseconds on a manual clock; `None`: the Redis server's clock.
    pub(crate) now: Option<u64>,
    pub(crate) expiry_ms: u64,
    pub(crate) settings: &'a SettingsArgs,
    pub(crate) seen: Seen,
    pub(crate) record: Option<(SharedTicket, tripbreaker::Outcome)>,
}

impl Call<'_> {
    /// Adds the arguments to an invocation of the script.
    pub(crate) fn add_to(&self, invocation: &mut redis::ScriptInvocation<'_>) {
        invocation
            .arg(self.op.as_str())
            .arg(self.now.map(|us| us.to_string()).unwrap_or_default())
            .arg(self.expiry_ms);
        for arg in &self.settings.0 {
            invocation.arg(arg.as_str());
        }
        invocation.arg(self.seen.state).arg(self.seen.open_until);
        if let Some((ticket, outcome)) = self.record {
            invocation
                .arg(ticket.epoch)
                .arg(ticket.generation)
                .arg(ticket.age)
                .arg(ticket.admitted_at)
                .arg(match outcome {
                    tripbreaker::Outcome::Success => "s",
                    tripbreaker::Outcome::Failure => "f",
                    tripbreaker::Outcome::Excluded => "x",
                });
        }
    }
}

/// What a handle last saw of the shared state (or, while local, what its
/// local breaker decided), sent with every call so a store that lost the
/// key resumes from it (never from less than open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    /// 0 closed, 1 half-open, 2 open until `open_until`, 3 open for
    /// `open_until` more microseconds, -1 nothing seen yet.
    pub(crate) state: i64,
    /// State 2: when the open state ends, on the store's clock; state 3:
    /// how long it still lasts (microseconds).
    pub(crate) open_until: i64,
}

impl Seen {
    pub(crate) const NOTHING: Seen = Seen {
        state: -1,
        open_until: -1,
    };

    /// What the local breaker decided while Redis did not answer: its
    /// clock is not the store's, so an open state is sent as the time left.
    pub(crate) fn local(state: State, open_for: Option<Duration>) -> Seen {
        match (state, open_for) {
            (State::Open | State::ForcedOpen, Some(left)) => Seen {
                state: 3,
                open_until: micros(left).min(i64::MAX as u64) as i64,
            },
            (State::HalfOpen, _) => Seen {
                state: 1,
                open_until: -1,
            },
            _ => Seen {
                state: 0,
                open_until: -1,
            },
        }
    }
}

/// The script's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// 1 admitted, 0 nothing asked, -1 rejected open, -2 too many requests.
    pub(crate) code: i64,
    pub(crate) state: State,
    pub(crate) generation: u64,
    pub(crate) epoch: i64,
    pub(crate) age: u64,
    /// The time the script ran at, in microseconds on the store's clock.
    pub(crate) now: i64,
    /// When the state changes by itself (microseconds); -1: not by itself.
    pub(crate) expiry: i64,
    pub(crate) counts: Counts,
    pub(crate) transitions: Vec<Transition>,
}

fn state(code: i64) -> Result<State, String> {
    match code {
        0 => Ok(State::Closed),
        1 => Ok(State::HalfOpen),
        2 => Ok(State::Open),
        other => Err(format!("unknown state {other}")),
    }
}

/// An instant on the store's clock, from microseconds.
pub(crate) fn instant(micros: i64) -> Instant {
    Instant::from_nanos(u64::try_from(micros).unwrap_or(0).saturating_mul(1_000))
}

impl Reply {
    /// Reads the script's array of integers.
    pub(crate) fn parse(values: &[i64]) -> Result<Self, String> {
        if values.len() < 13 || !(values.len() - 13).is_multiple_of(3) {
            return Err(format!("unexpected reply of {} integers", values.len()));
        }
        let count = |i: usize| u32::try_from(values[i]).map_err(|_| format!("count {}", values[i]));
        let transitions = values[13..]
            .chunks_exact(3)
            .map(|t| {
                Ok(Transition {
                    from: state(t[0])?,
                    to: state(t[1])?,
                    at: instant(t[2]),
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Reply {
            code: values[0],
            state: state(values[1])?,
            generation: values[2] as u64,
            epoch: values[3],
            age: values[4] as u64,
            now: values[5],
            expiry: values[6],
            counts: Counts {
                requests: count(7)?,
                total_successes: count(8)?,
                total_failures: count(9)?,
                total_exclusions: count(10)?,
                consecutive_successes: count(11)?,
                consecutive_failures: count(12)?,
            },
            transitions,
        })
    }

    /// What the handle should remember of this reply.
    pub(crate) fn seen(&self) -> Seen {
        Seen {
            state: match self.state {
                State::HalfOpen => 1,
                State::Open => 2,
                _ => 0,
            },
            open_until: if self.state == State::Open {
                self.expiry
            } else {
                -1
            },
        }
    }
}
