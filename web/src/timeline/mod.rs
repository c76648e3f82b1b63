//! What the timeline draws: the last minute or the last [`MAX_MARKS`]
//! calls, whichever is shorter, as the breaker's states (bands) and one
//! mark per call where it ended.
//!
//! Plain Rust (no page), so the window and its markup ([`strip`]) are
//! tested natively too. Times are whole milliseconds on one clock (the
//! page uses `performance.now()`).
//!
//! ```
//! use breaker::State;
//! use web::timeline::{Band, CallMark, Outcome, window};
//! let call = |id, ended_at| CallMark { id, ended_at, outcome: Outcome::Success, retries: 0, line: "Greeting: Hello World".into() };
//! let bands = [Band { from: 0, state: State::Closed }];
//! let drawn = window(&[call(0, 10_000), call(1, 50_000)], &bands, 80_000);
//! assert_eq!(drawn.span, 60_000);
//! assert_eq!(drawn.marks.len(), 1, "the call of 70 s ago is gone");
//! assert_eq!(drawn.bands.len(), 1);
//! ```

mod html;

pub use html::{escape, strip};

use breaker::State;
use std::fmt::Write as _;

/// The longest stretch of time shown, in ms.
pub const WINDOW_MS: u64 = 60_000;

/// The most calls shown.
pub const MAX_MARKS: usize = 50;

/// Marks closer in time than this (in ms; 1/60 of the minute) are drawn
/// on different rows.
const MIN_GAP_MS: u64 = 1_000;

/// Rows marks are spread over when they crowd.
pub const ROWS: u8 = 3;

/// How a call ended, as the timeline marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Answered.
    Success,
    /// Failed, and counted against the service.
    Failure,
    /// Failed, and excluded by the classifier (a caller mistake).
    Excluded,
    /// Refused by the breaker; it never reached the network.
    Rejected,
}

impl Outcome {
    /// Every outcome, in the legend's order.
    pub const ALL: [Outcome; 4] = [
        Outcome::Success,
        Outcome::Failure,
        Outcome::Excluded,
        Outcome::Rejected,
    ];

    /// How the breaker counted a call (`None`: it refused it).
    pub fn of(counted: Option<breaker::Outcome>) -> Self {
        match counted {
            Some(breaker::Outcome::Success) => Outcome::Success,
            Some(breaker::Outcome::Failure) => Outcome::Failure,
            Some(breaker::Outcome::Excluded) => Outcome::Excluded,
            None => Outcome::Rejected,
        }
    }

    /// Its `data-outcome` hook and CSS class.
    pub const fn key(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Excluded => "excluded",
            Outcome::Rejected => "rejected",
        }
    }

    /// Its name in the legend and the summary.
    pub const fn label(self) -> &'static str {
        match self {
            Outcome::Success => "succeeded",
            Outcome::Failure => "failed",
            Outcome::Excluded => "excluded",
            Outcome::Rejected => "refused by the breaker",
        }
    }
}

/// One call that ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallMark {
    /// Unique, in the order calls ended.
    pub id: u64,
    /// When it ended, in ms.
    pub ended_at: u64,
    /// How it ended.
    pub outcome: Outcome,
    /// How many times it was tried again.
    pub retries: u32,
    /// Its log line, shown when the mark is hovered or focused.
    pub line: String,
}

/// The breaker entered `state` at `from` (ms) and stayed in it until the
/// next band's `from`, or now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Band {
    /// When the state was entered.
    pub from: u64,
    /// The state.
    pub state: State,
}

/// A call as drawn: where it ended is placed by the page from
/// [`CallMark::ended_at`], so the strip moves on without redrawing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawnMark {
    /// The call.
    pub call: CallMark,
    /// Its row, from 0 (the lowest) to [`ROWS`] - 1: a mark that would
    /// overlap the one before it goes up a row.
    pub row: u8,
}

/// A band as drawn: `state` from `from` until `to` (ms), or until now
/// while `to` is `None`; the page cuts it at the strip's left edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawnBand {
    /// When the state was entered.
    pub from: u64,
    /// When it was left; `None` while it is the current state.
    pub to: Option<u64>,
    /// The breaker's state.
    pub state: State,
}

/// What the strip shows at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drawn {
    /// The moment drawn, in ms: the strip's right edge.
    pub now: u64,
    /// The time the strip covers, in ms, ending now: a minute, or less when
    /// the last [`MAX_MARKS`] calls all ended within it.
    pub span: u64,
    /// Whether the strip starts at the [`MAX_MARKS`]th call back.
    pub by_calls: bool,
    /// One per call shown, oldest first.
    pub marks: Vec<DrawnMark>,
    /// The states over the span, oldest first.
    pub bands: Vec<DrawnBand>,
    /// Calls shown of each outcome, in the order of [`Outcome::ALL`].
    pub tally: [u32; 4],
    /// Calls shown that were retried.
    pub retried: u32,
}

/// What the strip shows at `now`, for `calls` in the order they ended and
/// `bands` in the order they began: the calls of the last minute, at most
/// the last [`MAX_MARKS`] of them (then the strip starts at the oldest of
/// those), and the states over the same time.
pub fn window(calls: &[CallMark], bands: &[Band], now: u64) -> Drawn {
    let since = now.saturating_sub(WINDOW_MS);
    let recent = calls.partition_point(|call| call.ended_at < since);
    let shown = &calls[recent.max(calls.len().saturating_sub(MAX_MARKS))..];
    // Fifty calls within the minute: they are the shorter of the two.
    let by_calls = shown.len() == MAX_MARKS;
    let span = match shown.first() {
        Some(first) if by_calls => now.saturating_sub(first.ended_at).max(1),
        _ => WINDOW_MS,
    };
    let start = now.saturating_sub(span);
    let mut drawn = Drawn {
        now,
        span,
        by_calls,
        ..Drawn::default()
    };
    let mut row_ends = [None::<u64>; ROWS as usize];
    for call in shown {
        // The lowest row with room; when none has, the one whose last mark
        // is oldest, so crowded marks overlap as little as they can.
        let row = row_ends
            .iter()
            .position(|end| end.is_none_or(|end| call.ended_at >= end + MIN_GAP_MS))
            .unwrap_or_else(|| {
                (0..row_ends.len())
                    .min_by_key(|&r| row_ends[r])
                    .unwrap_or(0)
            });
        row_ends[row] = Some(call.ended_at);
        drawn.tally[call.outcome as usize] += 1;
        drawn.retried += u32::from(call.retries > 0);
        drawn.marks.push(DrawnMark {
            call: call.clone(),
            row: row as u8,
        });
    }
    for (i, band) in bands.iter().enumerate() {
        let to = bands.get(i + 1).map(|next| next.from);
        // A band over before the strip begins is not drawn.
        if to.is_none_or(|to| to > start && to > band.from) {
            drawn.bands.push(DrawnBand {
                from: band.from,
                to,
                state: band.state,
            });
        }
    }
    drawn
}

/// The strip in words, for screen readers and as its caption:
/// `12 calls: 7 succeeded, 3 failed, 2 refused by the breaker; 1 retried.`
pub fn summary(drawn: &Drawn) -> String {
    let shown = drawn.marks.len();
    if shown == 0 {
        return "No calls in the last minute.".to_owned();
    }
    let mut text = crate::diagram::plural(shown as u32, "call", "calls");
    let mut separator = ": ";
    for (outcome, &n) in Outcome::ALL.iter().zip(&drawn.tally) {
        if n > 0 {
            text.push_str(separator);
            text.push_str(&n.to_string());
            text.push(' ');
            text.push_str(outcome.label());
            separator = ", ";
        }
    }
    if drawn.retried > 0 {
        let _ = write!(text, "; {} retried", drawn.retried);
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(id: u64, ended_at: u64, outcome: Outcome) -> CallMark {
        CallMark {
            id,
            ended_at,
            outcome,
            retries: 0,
            line: String::new(),
        }
    }

    fn ids(drawn: &Drawn) -> Vec<u64> {
        drawn.marks.iter().map(|m| m.call.id).collect()
    }

    fn closed_from(from: u64) -> Vec<Band> {
        vec![Band {
            from,
            state: State::Closed,
        }]
    }

    #[test]
    fn calls_older_than_a_minute_are_dropped() {
        let calls: Vec<_> = [1_000, 30_000, 69_999, 70_000, 100_000]
            .iter()
            .enumerate()
            .map(|(id, &at)| call(id as u64, at, Outcome::Success))
            .collect();
        let drawn = window(&calls, &closed_from(0), 130_000);
        assert_eq!(drawn.span, WINDOW_MS);
        assert!(!drawn.by_calls);
        assert_eq!(ids(&drawn), [3, 4], "ended at or after 70 s, now 130 s");
        assert_eq!(
            drawn.bands,
            [DrawnBand {
                from: 0,
                to: None,
                state: State::Closed
            }]
        );
        assert!(window(&calls, &[], 200_000).marks.is_empty());
    }

    #[test]
    fn more_than_fifty_calls_show_the_last_fifty_over_their_own_span() {
        let calls: Vec<_> = (0..60)
            .map(|id| call(id, 10_000 + id * 100, Outcome::Failure))
            .collect();
        let now = 20_000;
        let drawn = window(&calls, &closed_from(0), now);
        assert_eq!(drawn.marks.len(), MAX_MARKS);
        assert_eq!(drawn.marks[0].call.id, 10, "the 10 oldest are dropped");
        assert!(drawn.by_calls);
        assert_eq!(drawn.span, now - 11_000);
        assert_eq!(drawn.tally, [0, 50, 0, 0]);
        assert_eq!(summary(&drawn), "50 calls: 50 failed.");
    }

    #[test]
    fn exactly_fifty_calls_within_the_minute_are_the_shorter_window() {
        let calls: Vec<_> = (0..50)
            .map(|id| call(id, 100_000 + id, Outcome::Success))
            .collect();
        assert!(window(&calls, &[], 100_100).by_calls);
        let minute = window(&calls[1..], &[], 100_100);
        assert!(!minute.by_calls, "49 calls: the minute");
        assert_eq!(minute.span, WINDOW_MS);
    }

    #[test]
    fn bands_that_ended_before_the_strip_are_left_out() {
        let band = |from, state| Band { from, state };
        let bands = [
            band(0, State::Closed),
            band(10_000, State::Open),
            band(85_000, State::HalfOpen),
            band(88_000, State::Closed),
            band(88_000, State::Open),
        ];
        let drawn = window(&[], &bands, 100_000);
        let shown: Vec<_> = drawn
            .bands
            .iter()
            .map(|b| (b.from, b.to, b.state))
            .collect();
        assert_eq!(
            shown,
            [
                (10_000, Some(85_000), State::Open),
                (85_000, Some(88_000), State::HalfOpen),
                (88_000, None, State::Open)
            ],
            "the closed band of no length is left out too"
        );
        assert_eq!(summary(&drawn), "No calls in the last minute.");
    }

    #[test]
    fn crowded_marks_go_up_a_row_and_the_summary_counts_them() {
        let mut calls: Vec<_> = (0..4)
            .map(|id| call(id, 50_000 + id * 10, Outcome::Success))
            .collect();
        calls[1].outcome = Outcome::Excluded;
        calls[2].outcome = Outcome::Rejected;
        calls[3].retries = 2;
        calls.push(call(4, 51_000, Outcome::Failure));
        let drawn = window(&calls, &[], 60_000);
        let rows: Vec<_> = drawn.marks.iter().map(|m| m.row).collect();
        assert_eq!(
            rows,
            [0, 1, 2, 0, 1],
            "when every row is taken, the one whose last mark is oldest"
        );
        assert_eq!(
            summary(&drawn),
            "5 calls: 2 succeeded, 1 failed, 1 excluded, 1 refused by the breaker; 1 retried."
        );
        assert_eq!(Outcome::of(None), Outcome::Rejected);
        assert_eq!(
            Outcome::ALL.map(Outcome::key),
            ["success", "failure", "excluded", "rejected"]
        );
    }
}
