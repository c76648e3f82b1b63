//! The state machine script: one call's arguments, and its reply decoded
//! once into the core's types.

use crate::fast::Batch;
use crate::settings::{SettingsArgs, signed_micros};
use std::time::Duration;
use tripbreaker::{Counts, Instant, Outcome, Reason, Rejected, State, Transition};

/// The Lua source: the whole state machine, run atomically by Redis.
pub(crate) const SOURCE: &str = include_str!("breaker.lua");

/// What the script is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Acquire,
    Record(SharedTicket, Outcome),
    /// What a fast handle counted in the closed generation `generation`
    /// of the key made at `epoch`.
    Sync {
        epoch: i64,
        generation: u64,
        batch: Batch,
    },
    Read,
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
}

impl Call<'_> {
    /// Adds the arguments to an invocation of the script.
    pub(crate) fn add_to(&self, invocation: &mut redis::ScriptInvocation<'_>) {
        let op = match self.op {
            Op::Acquire => "acquire",
            Op::Record(..) => "record",
            Op::Sync { .. } => "sync",
            Op::Read => "read",
        };
        invocation
            .arg(op)
            .arg(self.now.map(|us| us.to_string()).unwrap_or_default())
            .arg(self.expiry_ms);
        for arg in &self.settings.args {
            invocation.arg(arg.as_str());
        }
        let (seen, open) = self.seen.args();
        let recorded = &self.settings.recorded;
        invocation
            .arg(seen)
            .arg(open)
            .arg(recorded.fingerprint())
            .arg(recorded.description());
        if let Op::Record(ticket, outcome) = self.op {
            invocation
                .arg(ticket.epoch)
                .arg(ticket.generation)
                .arg(ticket.age)
                .arg(ticket.admitted_at)
                .arg(match outcome {
                    Outcome::Success => "s",
                    Outcome::Failure => "f",
                    Outcome::Excluded => "x",
                });
        }
        if let Op::Sync {
            epoch,
            generation,
            batch,
        } = self.op
        {
            invocation.arg(epoch).arg(generation);
            for count in batch.args() {
                invocation.arg(count);
            }
        }
    }
}

/// What a handle last saw of the shared state (or, while local, what its
/// local breaker decided), sent with every call so a store that lost the
/// key resumes from it (never from less than open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    Nothing,
    Closed,
    HalfOpen,
    /// Open until this time on the store's clock (microseconds).
    OpenUntil(i64),
    /// Forced open (a shared force) until this time on the store's clock.
    ForcedOpenUntil(i64),
    /// Open for this much longer: what a local breaker decided, on a clock
    /// that is not the store's.
    OpenFor(Duration),
}

impl Seen {
    /// What the local breaker decided while Redis did not answer.
    pub(crate) fn local(state: State, open_for: Option<Duration>) -> Seen {
        match (state, open_for) {
            (State::Open | State::ForcedOpen, Some(left)) => Seen::OpenFor(left),
            (State::HalfOpen, _) => Seen::HalfOpen,
            _ => Seen::Closed,
        }
    }

    /// The script's arguments 15 and 16.
    fn args(self) -> (i64, i64) {
        match self {
            Seen::Nothing => (-1, -1),
            Seen::Closed => (0, -1),
            Seen::HalfOpen => (1, -1),
            Seen::OpenUntil(until) | Seen::ForcedOpenUntil(until) => (2, until),
            Seen::OpenFor(left) => (3, signed_micros(left)),
        }
    }
}

/// What the script answers about the call it was asked to make, besides
/// the state: decoded from the reply's first integer.
pub(crate) trait Answer: Sized {
    fn decode(code: i64) -> Option<Self>;
}

/// An acquire's answer: admitted, or why not.
pub(crate) type Admission = Result<(), Rejected>;

impl Answer for Admission {
    fn decode(code: i64) -> Option<Self> {
        match code {
            1 => Some(Ok(())),
            -1 => Some(Err(Rejected::Open)),
            -2 => Some(Err(Rejected::TooManyRequests)),
            _ => None,
        }
    }
}

/// A record's or a read's answer: nothing to admit.
impl Answer for () {
    fn decode(code: i64) -> Option<Self> {
        (code == 0).then_some(())
    }
}

/// The script's reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply<A> {
    pub(crate) answer: A,
    pub(crate) state: State,
    pub(crate) generation: u64,
    pub(crate) epoch: i64,
    pub(crate) age: u64,
    /// The time the script ran at, in microseconds on the store's clock.
    pub(crate) now: i64,
    /// When the state changes by itself (microseconds); `None`: not by itself.
    pub(crate) expiry: Option<i64>,
    /// When the shared force in effect ends (microseconds); `None`: no force.
    pub(crate) force_end: Option<i64>,
    pub(crate) counts: Counts,
    pub(crate) transitions: Vec<Transition>,
}

fn state(code: i64) -> Result<State, String> {
    match code {
        0 => Ok(State::Closed),
        1 => Ok(State::HalfOpen),
        2 => Ok(State::Open),
        3 => Ok(State::ForcedOpen),
        4 => Ok(State::ForcedClosed),
        other => Err(format!("unknown state {other}")),
    }
}

fn reason(code: i64) -> Result<Reason, String> {
    match code {
        0 => Ok(Reason::ConsecutiveFailures),
        1 => Ok(Reason::FailureRate),
        3 => Ok(Reason::SlowCall),
        4 => Ok(Reason::TrialFailed),
        5 => Ok(Reason::TrialsSucceeded),
        6 => Ok(Reason::TimeoutElapsed),
        7 => Ok(Reason::HalfOpenWaitExpired),
        8 => Ok(Reason::Forced),
        9 => Ok(Reason::Released),
        other => Err(format!("unknown reason {other}")),
    }
}

/// Six counts in the script's order: requests, successes, failures,
/// exclusions, consecutive successes, consecutive failures.
fn counts_of(values: &[i64]) -> Result<Counts, String> {
    let count = |i: usize| unsigned::<u32>("count", values[i]);
    Ok(Counts {
        requests: count(0)?,
        total_successes: count(1)?,
        total_failures: count(2)?,
        total_exclusions: count(3)?,
        consecutive_successes: count(4)?,
        consecutive_failures: count(5)?,
    })
}

/// Integers per transition: from, to, at, reason and six counts.
const TRANSITION_LEN: usize = 10;

fn unsigned<T: TryFrom<i64>>(what: &str, value: i64) -> Result<T, String> {
    T::try_from(value).map_err(|_| format!("{what} {value}"))
}

/// An instant on the store's clock, from microseconds.
fn instant(micros: i64) -> Instant {
    Instant::from_nanos(u64::try_from(micros).unwrap_or(0).saturating_mul(1_000))
}

/// The time from `from` to `to`, microseconds on the store's clock (zero if `to` is earlier).
pub(crate) fn micros_between(from: i64, to: i64) -> Duration {
    Duration::from_micros(u64::try_from(to.saturating_sub(from)).unwrap_or(0))
}

impl<A: Answer> Reply<A> {
    /// Decodes the script's array of integers: `code, state, generation,
    /// epoch, age, now, expiry, force end`, six counts, then `from, to, at,
    /// reason` and six counts per transition. A force end is given exactly
    /// when the state is forced.
    pub(crate) fn decode(values: &[i64]) -> Result<Self, String> {
        let [
            code,
            st,
            generation,
            epoch,
            age,
            now,
            expiry,
            force_end,
            counts @ ..,
        ] = values
        else {
            return Err(format!("a reply of {} integers", values.len()));
        };
        let (now_counts, transitions) = counts.split_at_checked(6).ok_or("missing counts")?;
        if !transitions.len().is_multiple_of(TRANSITION_LEN) {
            return Err(format!("{} integers of transitions", transitions.len()));
        }
        let transitions = transitions
            .chunks_exact(TRANSITION_LEN)
            .map(|t| {
                Ok(Transition {
                    from: state(t[0])?,
                    to: state(t[1])?,
                    at: instant(t[2]),
                    reason: reason(t[3])?,
                    counts: counts_of(&t[4..])?,
                })
            })
            .collect::<Result<_, String>>()?;
        let state = state(*st)?;
        let force_end = match *force_end {
            -1 => None,
            at if at >= 0 => Some(at),
            other => return Err(format!("force end {other}")),
        };
        if force_end.is_some() != state.is_manual() {
            return Err(format!("state {state} with force end {force_end:?}"));
        }
        Ok(Reply {
            answer: A::decode(*code).ok_or_else(|| format!("answer {code}"))?,
            state,
            generation: unsigned("generation", *generation)?,
            epoch: *epoch,
            age: unsigned("age", *age)?,
            now: *now,
            expiry: match *expiry {
                -1 => None,
                at if at >= 0 => Some(at),
                other => return Err(format!("expiry {other}")),
            },
            force_end,
            counts: counts_of(now_counts)?,
            transitions,
        })
    }
}

impl<A> Reply<A> {
    /// The ticket of a call this reply admitted.
    pub(crate) fn ticket(&self) -> SharedTicket {
        SharedTicket {
            epoch: self.epoch,
            generation: self.generation,
            age: self.age,
            admitted_at: self.now,
        }
    }

    /// What the handle should remember of this reply.
    pub(crate) fn seen(&self) -> Seen {
        match (self.state, self.expiry) {
            (State::ForcedOpen, _) => Seen::ForcedOpenUntil(self.force_end.unwrap_or(self.now)),
            (State::Open, Some(until)) => Seen::OpenUntil(until),
            (State::HalfOpen, _) => Seen::HalfOpen,
            _ => Seen::Closed,
        }
    }

    /// How long until the state changes by itself: when a shared force
    /// ends; otherwise strictly after the expiry, as the core counts it.
    pub(crate) fn time_to_next_transition(&self) -> Option<Duration> {
        if let Some(end) = self.force_end {
            return Some(micros_between(self.now, end));
        }
        let expiry = self.expiry?;
        matches!(self.state, State::Open | State::HalfOpen)
            .then(|| micros_between(self.now, expiry) + Duration::from_micros(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOSED: [i64; 14] = [1, 0, 4, 100, 0, 200, -1, -1, 1, 0, 0, 0, 0, 0];

    #[test]
    fn an_admission_decodes_into_its_answer_and_state() {
        let reply = Reply::<Admission>::decode(&CLOSED).unwrap();
        assert_eq!(reply.answer, Ok(()));
        assert_eq!(
            (reply.state, reply.generation, reply.expiry),
            (State::Closed, 4, None)
        );
        assert_eq!(reply.counts.requests, 1);
        let mut open = CLOSED;
        open[..2].copy_from_slice(&[-1, 2]);
        open[6] = 300;
        let reply = Reply::<Admission>::decode(&open).unwrap();
        assert_eq!(reply.answer, Err(Rejected::Open));
        assert_eq!(reply.seen(), Seen::OpenUntil(300));
        assert_eq!(
            reply.time_to_next_transition(),
            Some(Duration::from_micros(101))
        );
    }

    #[test]
    fn a_transition_decodes_with_its_reason_and_counts() {
        // Closed to open at 200 µs, tripped by 3 failures in a row out of 4 calls.
        let trip = [0, 2, 200, 0, 4, 1, 3, 0, 0, 3];
        let values = [&CLOSED[..], &trip].concat();
        let reply = Reply::<Admission>::decode(&values).unwrap();
        assert_eq!(
            reply.transitions,
            [Transition {
                from: State::Closed,
                to: State::Open,
                at: Instant::from_nanos(200_000),
                reason: Reason::ConsecutiveFailures,
                counts: Counts {
                    requests: 4,
                    total_successes: 1,
                    total_failures: 3,
                    total_exclusions: 0,
                    consecutive_successes: 0,
                    consecutive_failures: 3,
                },
            }]
        );
        let mut unknown = values.clone();
        unknown[14 + 3] = 2; // a custom rule never runs in Redis
        assert!(Reply::<Admission>::decode(&unknown).is_err());
    }

    #[test]
    fn a_forced_state_decodes_with_the_end_of_its_force() {
        let mut forced = CLOSED;
        forced[..2].copy_from_slice(&[-1, 3]);
        forced[7] = 900;
        let reply = Reply::<Admission>::decode(&forced).unwrap();
        assert_eq!(
            (reply.answer, reply.state, reply.force_end),
            (Err(Rejected::Open), State::ForcedOpen, Some(900))
        );
        assert_eq!(reply.seen(), Seen::ForcedOpenUntil(900));
        assert_eq!(
            reply.time_to_next_transition(),
            Some(Duration::from_micros(700))
        );
        // Forced closed to forced open at 200 µs, by a force.
        let mut values = [&forced[..], &[4, 3, 200, 8, 0, 0, 0, 0, 0, 0]].concat();
        let reply = Reply::<Admission>::decode(&values).unwrap();
        assert_eq!(reply.transitions[0].reason, Reason::Forced);
        values[1] = 4;
        assert_eq!(
            Reply::<Admission>::decode(&values).unwrap().seen(),
            Seen::Closed
        );
        // A force end only with a forced state, and the other way round.
        values[7] = -1;
        assert!(Reply::<Admission>::decode(&values).is_err());
    }

    #[test]
    fn replies_of_the_wrong_shape_are_errors() {
        let with = |i: usize, value: i64| {
            let mut reply = CLOSED.to_vec();
            reply[i] = value;
            reply
        };
        let wrong = [
            vec![],
            CLOSED[..13].to_vec(),
            [&CLOSED[..], &[0, 1]].concat(),
            [&CLOSED[..], &[0, 7, 5]].concat(),
            with(0, 0),
            with(0, 3),
            with(1, 3),
            with(2, -1),
            with(4, -5),
            with(6, -2),
            with(7, 300),
            with(7, -2),
            with(8, -1),
            with(13, i64::MAX),
        ];
        for values in wrong {
            assert!(Reply::<Admission>::decode(&values).is_err(), "{values:?}");
        }
        // A record or a read never admits.
        assert!(Reply::<()>::decode(&CLOSED).is_err());
        assert!(Reply::<()>::decode(&with(0, 0)).is_ok());
    }
}

#[cfg(test)]
mod fuzz;
