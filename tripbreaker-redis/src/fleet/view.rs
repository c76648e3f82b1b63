//! One shared breaker as an operator sees it: the state in force now, its
//! counts, its force and the handles on it, read without changing it.

use crate::force::{Force, Forced};
use crate::script::micros_between;
use std::time::Duration;
use tripbreaker::{Counts, State};

/// The Lua source that reads one breaker.
pub(crate) const SOURCE: &str = include_str!("view.lua");

/// One shared breaker, as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakerView {
    /// The breaker's name, as its handles give it.
    pub name: String,
    /// The state in force: [`State::Closed`], [`State::Open`] or
    /// [`State::HalfOpen`] (a forced breaker is in the state it is forced
    /// to; see [`forced`](Self::forced)).
    pub state: State,
    /// The counts of its current window, as of the last call that wrote
    /// them (zero once the window is over or the state has moved on).
    pub counts: Counts,
    /// The shared force in effect, if any.
    pub forced: Option<Forced>,
    /// How many handles said they were alive in the last
    /// [`HANDLE_SEEN_FOR`](crate::HANDLE_SEEN_FOR).
    pub handles_seen: u32,
    /// While open (and not forced): how long until it lets trial calls through.
    pub open_remaining: Option<Duration>,
}

/// What `view.lua` read, before deciding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    pub(crate) exists: bool,
    /// Microseconds on the store's clock, as every time below.
    pub(crate) now: i64,
    /// breaker.lua's code: 0 closed, 1 half-open, 2 open, 3 forced open, 4 forced closed.
    pub(crate) state: i64,
    pub(crate) expiry: Option<i64>,
    pub(crate) force: Option<(Force, i64, String)>,
    pub(crate) handles_seen: u32,
    pub(crate) counts: Counts,
    /// Whether the counts are a rolling window's (which ages by buckets
    /// rather than starting afresh).
    pub(crate) rolling: bool,
}

impl Stored {
    /// Reads the script's reply.
    pub(crate) fn decode(
        (numbers, texts, counts): (Vec<i64>, Vec<String>, Vec<i64>),
    ) -> Result<Stored, String> {
        let [exists, now, state, expiry, force_end, seen, rolling] = numbers[..] else {
            return Err(format!("{} numbers", numbers.len()));
        };
        let [kind, reason] = &texts[..] else {
            return Err(format!("{} texts", texts.len()));
        };
        let [
            requests,
            successes,
            failures,
            exclusions,
            in_a_row_ok,
            in_a_row_failed,
        ] = counts[..]
        else {
            return Err(format!("{} counts", counts.len()));
        };
        let count = |n: i64| u32::try_from(n).map_err(|_| format!("count {n}"));
        let force = match kind.as_str() {
            "" => None,
            "o" => Some(Force::Open),
            "c" => Some(Force::Closed),
            other => return Err(format!("force kind {other:?}")),
        };
        Ok(Stored {
            exists: exists == 1,
            now,
            state,
            expiry: (expiry >= 0).then_some(expiry),
            force: force.map(|force| (force, force_end, reason.clone())),
            handles_seen: count(seen)?,
            rolling: rolling == 1,
            counts: Counts {
                requests: count(requests)?,
                total_successes: count(successes)?,
                total_failures: count(failures)?,
                total_exclusions: count(exclusions)?,
                consecutive_successes: count(in_a_row_ok)?,
                consecutive_failures: count(in_a_row_failed)?,
            },
        })
    }

    /// The breaker as its next call would find it: what breaker.lua does
    /// first on every call (a force obeyed, a force ended, an open timeout
    /// or a window run out), without running it.
    pub(crate) fn decide(self, name: &str) -> BreakerView {
        // Strictly after the expiry, as breaker.lua and gobreaker count it.
        let due = |at: Option<i64>| at.is_some_and(|at| at < self.now);
        let forced =
            self.force
                .filter(|(_, end, _)| *end > self.now)
                .map(|(force, end, reason)| Forced {
                    force,
                    reason,
                    remaining: micros_between(self.now, end),
                });
        let (state, fresh, open_remaining) = match (&forced, self.state) {
            (Some(forced), _) => (forced_state(forced.force), false, None),
            // The force is over: the next call closes with fresh counts.
            (None, 3 | 4) => (State::Closed, true, None),
            (None, 2) if due(self.expiry) => (State::HalfOpen, true, None),
            (None, 2) => (
                State::Open,
                false,
                self.expiry.map(|at| micros_between(self.now, at)),
            ),
            // The longest half-open wait is over: open again.
            (None, 1) if due(self.expiry) => (State::Open, true, None),
            (None, 1) => (State::HalfOpen, false, None),
            (None, _) => (State::Closed, !self.rolling && due(self.expiry), None),
        };
        BreakerView {
            name: name.to_owned(),
            state,
            counts: if fresh {
                Counts::default()
            } else {
                self.counts
            },
            forced,
            handles_seen: self.handles_seen,
            open_remaining,
        }
    }
}

/// The state a force puts a breaker in, as the fleet shows it.
fn forced_state(force: Force) -> State {
    match force {
        Force::Open => State::Open,
        Force::Closed => State::Closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_000_000_000;

    fn stored(state: i64, expiry: Option<i64>) -> Stored {
        Stored {
            exists: true,
            now: NOW,
            state,
            expiry,
            force: None,
            handles_seen: 2,
            rolling: false,
            counts: Counts {
                requests: 4,
                total_failures: 4,
                consecutive_failures: 4,
                ..Counts::default()
            },
        }
    }

    #[test]
    fn an_open_breaker_shows_its_time_left_then_half_open_with_fresh_counts() {
        let open = stored(2, Some(NOW + 1_500_000)).decide("a");
        assert_eq!(open.state, State::Open);
        assert_eq!(open.open_remaining, Some(Duration::from_millis(1500)));
        assert_eq!(open.counts.requests, 4);
        let due = stored(2, Some(NOW - 1)).decide("a");
        assert_eq!(
            (due.state, due.counts),
            (State::HalfOpen, Counts::default())
        );
    }

    #[test]
    fn a_force_in_effect_wins_and_one_that_ended_closes_with_fresh_counts() {
        let forced = Stored {
            force: Some((Force::Open, NOW + 60_000_000, "deploy".into())),
            ..stored(0, None)
        }
        .decide("a");
        assert_eq!(forced.state, State::Open);
        assert_eq!(
            forced.forced,
            Some(Forced {
                force: Force::Open,
                reason: "deploy".into(),
                remaining: Duration::from_secs(60)
            })
        );
        assert_eq!(forced.open_remaining, None);
        let ended = Stored {
            force: Some((Force::Open, NOW, "deploy".into())),
            ..stored(3, None)
        }
        .decide("a");
        assert_eq!(
            (ended.state, ended.forced, ended.counts),
            (State::Closed, None, Counts::default())
        );
        let closed = Stored {
            force: Some((Force::Closed, NOW + 1, String::new())),
            ..stored(2, Some(NOW + 5))
        }
        .decide("a");
        assert_eq!(closed.state, State::Closed);
    }

    #[test]
    fn a_closed_window_run_out_shows_zero_counts() {
        assert_eq!(stored(0, None).decide("a").counts.requests, 4);
        assert_eq!(stored(0, Some(NOW)).decide("a").counts.requests, 4);
        assert_eq!(
            stored(0, Some(NOW - 1)).decide("a").counts,
            Counts::default()
        );
        let rolling = Stored {
            rolling: true,
            ..stored(0, Some(NOW - 1))
        };
        assert_eq!(rolling.decide("a").counts.requests, 4);
        assert_eq!(stored(1, Some(NOW - 1)).decide("a").state, State::Open);
        assert_eq!(stored(1, None).decide("a").state, State::HalfOpen);
    }

    #[test]
    fn a_reply_of_the_wrong_shape_is_an_error() {
        assert!(Stored::decode((vec![1, 2], vec![], vec![])).is_err());
        assert!(Stored::decode((vec![1; 7], vec!["x".into(), String::new()], vec![0; 6])).is_err());
        assert!(Stored::decode((vec![1; 7], vec![String::new(); 2], vec![-1; 6])).is_err());
        let ok = Stored::decode((
            vec![1, NOW, 2, -1, -1, 3, 0],
            vec![String::new(); 2],
            vec![0; 6],
        ));
        assert_eq!(ok.map(|s| (s.handles_seen, s.expiry)), Ok((3, None)));
    }
}
