//! What the state diagram says: its four arrows, the rule written on each
//! from the breaker's settings, how often each was taken, the state lit,
//! and all of it in words.
//!
//! Plain Rust (no page), so the words are tested natively too.
//!
//! ```
//! use web::diagram::{Edge, label};
//! let settings = greeter_client::Settings::default().breaker_settings();
//! assert_eq!(label(Edge::ClosedOpen, &settings), "3 failures in a row");
//! assert_eq!(label(Edge::OpenHalfOpen, &settings), "after 5 s");
//! assert_eq!(label(Edge::HalfOpenClosed, &settings), "3 successes");
//! assert_eq!(label(Edge::HalfOpenOpen, &settings), "any failure");
//! ```

use std::fmt::Write as _;
use std::time::Duration;
use tripbreaker::{DEFAULT_TIMEOUT, Settings, State, TripRule};

/// One arrow of the diagram: a change of state the breaker makes by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Closed → open: the trip rule held.
    ClosedOpen,
    /// Open → half-open: the open timeout passed.
    OpenHalfOpen,
    /// Half-open → closed: the trial calls succeeded.
    HalfOpenClosed,
    /// Half-open → open: a trial call failed.
    HalfOpenOpen,
}

impl Edge {
    /// The four arrows, in the order the diagram draws them.
    pub const ALL: [Edge; 4] = [
        Edge::ClosedOpen,
        Edge::OpenHalfOpen,
        Edge::HalfOpenClosed,
        Edge::HalfOpenOpen,
    ];

    /// Its `data-edge` hook: `closed-open`, `open-half-open`,
    /// `half-open-closed` or `half-open-open`.
    pub const fn key(self) -> &'static str {
        match self {
            Edge::ClosedOpen => "closed-open",
            Edge::OpenHalfOpen => "open-half-open",
            Edge::HalfOpenClosed => "half-open-closed",
            Edge::HalfOpenOpen => "half-open-open",
        }
    }

    /// The states it leaves and enters, as the page names them.
    pub const fn ends(self) -> (&'static str, &'static str) {
        match self {
            Edge::ClosedOpen => ("closed", "open"),
            Edge::OpenHalfOpen => ("open", "half-open"),
            Edge::HalfOpenClosed => ("half-open", "closed"),
            Edge::HalfOpenOpen => ("half-open", "open"),
        }
    }

    /// The arrow a change from `from` to `to` follows; `None` for changes
    /// made by hand (forcing open or closed, disabling, releasing), which
    /// the diagram has no arrow for.
    pub const fn of(from: State, to: State) -> Option<Edge> {
        match (from, to) {
            (State::Closed, State::Open) => Some(Edge::ClosedOpen),
            (State::Open, State::HalfOpen) => Some(Edge::OpenHalfOpen),
            (State::HalfOpen, State::Closed) => Some(Edge::HalfOpenClosed),
            (State::HalfOpen, State::Open) => Some(Edge::HalfOpenOpen),
            _ => None,
        }
    }
}

/// The state drawn lit for `state`: a forced-open breaker lights the open
/// state, a forced-closed or disabled one the closed state (it lets every
/// call through); the three states of the diagram light themselves.
pub const fn lit(state: State) -> State {
    match state {
        State::ForcedOpen => State::Open,
        State::ForcedClosed | State::Disabled => State::Closed,
        state => state,
    }
}

/// How often each arrow was taken since the breaker was built (the page
/// loaded, or a settings change rebuilt it), and the last one taken.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Taken {
    counts: [u32; 4],
    last: Option<Edge>,
}

impl Taken {
    /// Counts the change from `from` to `to`, if the diagram has its arrow.
    pub fn record(&mut self, from: State, to: State) {
        if let Some(edge) = Edge::of(from, to) {
            self.counts[edge as usize] = self.counts[edge as usize].saturating_add(1);
            self.last = Some(edge);
        }
    }

    /// How often `edge` was taken.
    pub fn count(&self, edge: Edge) -> u32 {
        self.counts[edge as usize]
    }

    /// The arrow taken last, if any.
    pub fn last(&self) -> Option<Edge> {
        self.last
    }
}

/// The rule written on `edge` under `settings`, in words: `3 failures in a
/// row`, `50% of 10+ calls fail`, `after 5 s`, `1 success`, `any failure`.
pub fn label(edge: Edge, settings: &Settings) -> String {
    match edge {
        Edge::ClosedOpen => match settings.ready_to_trip {
            TripRule::ConsecutiveFailures(1) => "1 failure".to_owned(),
            TripRule::ConsecutiveFailures(n) => format!("{n} failures in a row"),
            TripRule::FailureRate {
                min_requests,
                ratio,
            } => {
                // A whole percentage: no float formatting in the page.
                let percent = (ratio.clamp(0.0, 1.0) * 100.0).round() as u32;
                match min_requests {
                    0 | 1 => format!("{percent}% of calls fail"),
                    n => format!("{percent}% of {n}+ calls fail"),
                }
            }
            TripRule::Custom(_) => "the custom rule holds".to_owned(),
        },
        Edge::OpenHalfOpen => {
            let timeout = match settings.timeout {
                Duration::ZERO => DEFAULT_TIMEOUT,
                timeout => timeout,
            };
            let more = if settings.backoff.is_some() {
                " or more"
            } else {
                ""
            };
            format!("after {}{more}", seconds(timeout))
        }
        Edge::HalfOpenClosed => plural(trials(settings), "success", "successes"),
        Edge::HalfOpenOpen => match settings.max_half_open_wait {
            None => "any failure".to_owned(),
            Some(wait) => format!("any failure, or {} unfinished", seconds(wait)),
        },
    }
}

/// What half-open admits under `settings`: `3 trial calls`, `1 trial call`.
pub fn trial_calls(settings: &Settings) -> String {
    plural(trials(settings), "trial call", "trial calls")
}

/// `n one` or `n many`, by `n`.
pub fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Half-open's trial calls, and the successes that close it (zero means 1).
fn trials(settings: &Settings) -> u32 {
    settings.max_requests.max(1)
}

/// A duration in words as short as it is exact: `5 s`, `500 ms`, `1.25 s`,
/// `2 min`, with whole numbers only.
pub fn seconds(duration: Duration) -> String {
    // Whole milliseconds in a u64: u128 arithmetic would cost the wasm.
    let ms = duration
        .as_secs()
        .saturating_mul(1000)
        .saturating_add(u64::from(duration.subsec_millis()));
    let (whole, rest) = (ms / 1000, ms % 1000);
    if ms >= 60_000 && ms % 60_000 == 0 {
        format!("{} min", ms / 60_000)
    } else if rest == 0 {
        format!("{whole} s")
    } else if whole == 0 {
        format!("{ms} ms")
    } else {
        let fraction = format!("{rest:03}");
        format!("{whole}.{} s", fraction.trim_end_matches('0'))
    }
}

/// The diagram in words, for screen readers: the state, then each arrow's
/// rule and how often it was taken.
pub fn describe(state: State, settings: &Settings, taken: &Taken) -> String {
    let mut text = format!("The breaker is {}.", state.as_str());
    for edge in Edge::ALL {
        let (from, to) = edge.ends();
        let times = plural(taken.count(edge), "time", "times");
        let rule = label(edge, settings);
        let _ = write!(text, " From {from} to {to}: {rule}, taken {times}.");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use tripbreaker::Backoff;

    fn go_demo() -> Settings {
        greeter_client::Settings::default().breaker_settings()
    }

    fn labels(settings: &Settings) -> [String; 4] {
        Edge::ALL.map(|edge| label(edge, settings))
    }

    #[test]
    fn the_go_demo_settings_read_as_the_issue_says() {
        assert_eq!(
            labels(&go_demo()),
            [
                "3 failures in a row",
                "after 5 s",
                "3 successes",
                "any failure"
            ]
        );
        assert_eq!(trial_calls(&go_demo()), "3 trial calls");
    }

    #[test]
    fn one_of_a_kind_is_singular() {
        let settings = Settings {
            max_requests: 1,
            ready_to_trip: TripRule::ConsecutiveFailures(1),
            ..go_demo()
        };
        assert_eq!(label(Edge::ClosedOpen, &settings), "1 failure");
        assert_eq!(label(Edge::HalfOpenClosed, &settings), "1 success");
        assert_eq!(trial_calls(&settings), "1 trial call");
        let gobreaker_zero = Settings {
            max_requests: 0,
            ..go_demo()
        };
        assert_eq!(label(Edge::HalfOpenClosed, &gobreaker_zero), "1 success");
    }

    #[test]
    fn a_failure_rate_rule_is_a_percentage_of_enough_calls() {
        let rate = |min_requests, ratio| Settings {
            ready_to_trip: TripRule::FailureRate {
                min_requests,
                ratio,
            },
            ..go_demo()
        };
        assert_eq!(
            label(Edge::ClosedOpen, &rate(10, 0.5)),
            "50% of 10+ calls fail"
        );
        assert_eq!(
            label(Edge::ClosedOpen, &rate(1, 0.333)),
            "33% of calls fail"
        );
        assert_eq!(
            label(Edge::ClosedOpen, &rate(4, 7.0)),
            "100% of 4+ calls fail"
        );
        let custom = Settings {
            ready_to_trip: TripRule::Custom(|_| false),
            ..go_demo()
        };
        assert_eq!(label(Edge::ClosedOpen, &custom), "the custom rule holds");
    }

    #[test]
    fn the_timeout_rules_say_their_durations_and_extras() {
        let settings = Settings {
            timeout: Duration::ZERO,
            backoff: Some(Backoff {
                multiplier: 2,
                max_timeout: Duration::from_secs(60),
            }),
            max_half_open_wait: Some(Duration::from_millis(2500)),
            ..go_demo()
        };
        assert_eq!(label(Edge::OpenHalfOpen, &settings), "after 1 min or more");
        assert_eq!(
            label(Edge::HalfOpenOpen, &settings),
            "any failure, or 2.5 s unfinished"
        );
    }

    #[test]
    fn the_words_for_screen_readers_name_every_arrow() {
        let mut taken = Taken::default();
        taken.record(State::Closed, State::Open);
        assert_eq!(
            describe(State::Open, &go_demo(), &taken),
            "The breaker is open. \
             From closed to open: 3 failures in a row, taken 1 time. \
             From open to half-open: after 5 s, taken 0 times. \
             From half-open to closed: 3 successes, taken 0 times. \
             From half-open to open: any failure, taken 0 times."
        );
    }

    #[test]
    fn durations_are_short_and_exact() {
        let ms = Duration::from_millis;
        assert_eq!(seconds(ms(5000)), "5 s");
        assert_eq!(seconds(ms(300)), "300 ms");
        assert_eq!(seconds(ms(1250)), "1.25 s");
        assert_eq!(seconds(ms(1005)), "1.005 s");
        assert_eq!(seconds(ms(120_000)), "2 min");
        assert_eq!(seconds(ms(90_000)), "90 s");
        assert_eq!(seconds(Duration::from_micros(1)), "0 s");
    }

    #[test]
    fn taken_counts_the_automatic_changes_only() {
        let mut taken = Taken::default();
        taken.record(State::Closed, State::Open);
        taken.record(State::Open, State::HalfOpen);
        taken.record(State::HalfOpen, State::Open);
        taken.record(State::Open, State::HalfOpen);
        assert_eq!(taken.last(), Some(Edge::OpenHalfOpen));
        taken.record(State::HalfOpen, State::ForcedOpen);
        taken.record(State::ForcedOpen, State::Closed);
        assert_eq!(
            Edge::ALL.map(|edge| taken.count(edge)),
            [1, 2, 0, 1],
            "forcing and releasing have no arrow"
        );
        assert_eq!(taken.last(), Some(Edge::OpenHalfOpen));
        assert_eq!(lit(State::ForcedOpen), State::Open);
        assert_eq!(lit(State::Disabled), State::Closed);
        assert_eq!(lit(State::HalfOpen), State::HalfOpen);
        assert_eq!(
            Edge::ALL.map(Edge::key),
            [
                "closed-open",
                "open-half-open",
                "half-open-closed",
                "half-open-open"
            ]
        );
    }
}
