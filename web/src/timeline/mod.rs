//! What the timeline draws: the last minute or the last [`MAX_MARKS`]
//! calls, whichever is shorter, as the breaker's states (bands) and one
//! mark per call where it ended.
//!
//! Plain Rust (no page), so the window is tested natively too. Times are
//! whole milliseconds on one clock (the page uses `performance.now()`).
//!
//! ```
//! use tripbreaker::State;
//! use web::timeline::{Band, CallMark, Outcome, window};
//! let call = |id, ended_at| CallMark { id, ended_at, outcome: Outcome::Success, retries: 0, line: "Greeting: Hello World".into() };
//! let bands = [Band { from: 0, state: State::Closed }];
//! let drawn = window(&[call(0, 10_000), call(1, 50_000)], &bands, 80_000, 960);
//! assert_eq!(drawn.span, 60_000);
//! assert_eq!(drawn.marks.len(), 1, "the call of 70 s ago is gone");
//! assert_eq!(drawn.bands.len(), 1);
//! ```

use std::fmt::Write as _;
use tripbreaker::State;

/// The longest stretch of time shown, in ms.
pub const WINDOW_MS: u64 = 60_000;

/// The most calls shown.
pub const MAX_MARKS: usize = 50;

/// A mark's width and the air beside it, in CSS px (`style.css` draws
/// marks 16 px wide): marks closer than this on the strip are drawn on
/// different rows, or, when every row is taken there, this much further
/// left.
const MARK_PX: u64 = 17;

/// The strip's width assumed while the page has not measured it, in CSS px.
const DEFAULT_STRIP_PX: u32 = 960;

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
    pub fn of(counted: Option<tripbreaker::Outcome>) -> Self {
        match counted {
            Some(tripbreaker::Outcome::Success) => Outcome::Success,
            Some(tripbreaker::Outcome::Failure) => Outcome::Failure,
            Some(tripbreaker::Outcome::Excluded) => Outcome::Excluded,
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
    /// overlap a later one goes up a row.
    pub row: u8,
    /// How far left of where its call ended it is drawn, in ms: 0, or, when
    /// its place is taken on every row, enough to clear the later marks of
    /// its row (a burst of calls ending at once reads as a block of marks,
    /// in order, oldest on the left).
    pub shift: u64,
}

/// A band as drawn: `state` from `from` until `to` (ms), or until now
/// while `to` is `None`; the page cuts it at the strip's left edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// What a strip `strip_px` wide (CSS px; 0: not known yet) shows at
/// `now`, for `calls` in the order they ended and `bands` in the order
/// they began: the calls of the last minute, at most the last
/// [`MAX_MARKS`] of them (then the strip starts at the oldest of those),
/// placed so that no two overlap, and the states over the same time.
pub fn window(calls: &[CallMark], bands: &[Band], now: u64, strip_px: u32) -> Drawn {
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
    let strip_px = if strip_px == 0 {
        DEFAULT_STRIP_PX
    } else {
        strip_px
    };
    // A mark's width, in ms along the strip.
    let gap = (span * MARK_PX / u64::from(strip_px)).max(1) as i64;
    let mut drawn = Drawn {
        now,
        span,
        by_calls,
        ..Drawn::default()
    };
    // From the newest back, so the latest calls sit where they ended and
    // older ones give way to their left.
    // Where each row's leftmost mark is drawn, in ms: it may be before the
    // clock's zero (the page's clock starts when it loads).
    let mut row_starts = [None::<i64>; ROWS as usize];
    let mut marks = Vec::with_capacity(shown.len());
    for call in shown.iter().rev() {
        let t = call.ended_at as i64;
        // The lowest row with room at the call's time; when none has, the
        // row with the most room, one gap left of its leftmost mark.
        let (row, at) = match row_starts
            .iter()
            .position(|start| start.is_none_or(|start| t + gap <= start))
        {
            Some(row) => (row, t),
            None => {
                let row = (0..row_starts.len())
                    .rev()
                    .max_by_key(|&r| row_starts[r])
                    .unwrap_or(0);
                let start = row_starts[row].unwrap_or(t);
                (row, (start - gap).min(t))
            }
        };
        row_starts[row] = Some(at);
        drawn.tally[call.outcome as usize] += 1;
        drawn.retried += u32::from(call.retries > 0);
        marks.push(DrawnMark {
            call: call.clone(),
            row: row as u8,
            shift: (t - at) as u64,
        });
    }
    marks.reverse();
    drawn.marks = marks;
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

/// Where the strip begins, as its axis says: `−1 min`, or, when it spans
/// the last [`MAX_MARKS`] calls, `−5 s: the last 50 calls`.
pub fn since(drawn: &Drawn) -> String {
    match drawn.by_calls {
        true => format!(
            "−{} s: the last {MAX_MARKS} calls",
            drawn.span.div_ceil(1000)
        ),
        false => "−1 min".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A strip on which a mark is 1 s wide over a minute.
    const PX: u32 = 1_020;

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
        let drawn = window(&calls, &closed_from(0), 130_000, PX);
        assert_eq!(drawn.span, WINDOW_MS);
        assert!(!drawn.by_calls);
        assert_eq!(since(&drawn), "−1 min");
        assert_eq!(ids(&drawn), [3, 4], "ended at or after 70 s, now 130 s");
        assert_eq!(
            drawn.bands,
            [DrawnBand {
                from: 0,
                to: None,
                state: State::Closed
            }]
        );
        assert!(window(&calls, &[], 200_000, PX).marks.is_empty());
    }

    #[test]
    fn more_than_fifty_calls_show_the_last_fifty_over_their_own_span() {
        let calls: Vec<_> = (0..60)
            .map(|id| call(id, 10_000 + id * 100, Outcome::Failure))
            .collect();
        let now = 20_000;
        let drawn = window(&calls, &closed_from(0), now, PX);
        assert_eq!(drawn.marks.len(), MAX_MARKS);
        assert_eq!(drawn.marks[0].call.id, 10, "the 10 oldest are dropped");
        assert!(drawn.by_calls);
        assert_eq!(drawn.span, now - 11_000);
        assert_eq!(drawn.tally, [0, 50, 0, 0]);
        assert_eq!(summary(&drawn), "50 calls: 50 failed.");
        assert_eq!(since(&drawn), "−9 s: the last 50 calls");
    }

    #[test]
    fn exactly_fifty_calls_within_the_minute_are_the_shorter_window() {
        let calls: Vec<_> = (0..50)
            .map(|id| call(id, 100_000 + id, Outcome::Success))
            .collect();
        assert!(window(&calls, &[], 100_100, PX).by_calls);
        let minute = window(&calls[1..], &[], 100_100, PX);
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
        let drawn = window(&[], &bands, 100_000, PX);
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
        let drawn = window(&calls, &[], 60_000, PX);
        let placed: Vec<_> = drawn.marks.iter().map(|m| (m.row, m.shift)).collect();
        assert_eq!(
            placed,
            [(1, 970), (0, 10), (2, 0), (1, 0), (0, 0)],
            "the latest calls where they ended, on the lowest rows with room; \
             the oldest, with every row taken, one gap left of the block"
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

    #[test]
    fn a_burst_ending_at_once_is_a_block_of_marks_that_do_not_overlap() {
        let calls: Vec<_> = (0..10)
            .map(|id| call(id, 40_000, Outcome::Success))
            .collect();
        let drawn = window(&calls, &[], 60_000, PX);
        let placed: Vec<_> = drawn.marks.iter().map(|m| (m.row, m.shift)).collect();
        assert_eq!(
            placed,
            [
                (0, 3_000),
                (2, 2_000),
                (1, 2_000),
                (0, 2_000),
                (2, 1_000),
                (1, 1_000),
                (0, 1_000),
                (2, 0),
                (1, 0),
                (0, 0),
            ],
            "three to a column, the newest where they ended, oldest on the left"
        );
        for (i, a) in drawn.marks.iter().enumerate() {
            for b in &drawn.marks[i + 1..] {
                let (x, y) = (a.call.ended_at - a.shift, b.call.ended_at - b.shift);
                assert!(
                    a.row != b.row || x.abs_diff(y) >= 1_000,
                    "{a:?} overlaps {b:?}"
                );
            }
        }
    }

    #[test]
    fn a_block_may_reach_back_before_the_clock_began() {
        let calls: Vec<_> = (0..9)
            .map(|id| call(id, 300 + 2 * id, Outcome::Success))
            .collect();
        let drawn = window(&calls, &[], 5_000, PX);
        let shifts: Vec<_> = drawn.marks.iter().map(|m| m.shift).collect();
        assert_eq!(
            shifts,
            [1_988, 1_988, 1_988, 994, 994, 994, 0, 0, 0],
            "each column one gap left of the next, though 300 ms after zero"
        );
    }

    #[test]
    fn a_narrow_strip_spreads_marks_further() {
        let calls = [
            call(0, 50_000, Outcome::Success),
            call(1, 52_000, Outcome::Success),
        ];
        let wide = window(&calls, &[], 60_000, PX);
        assert!(wide.marks.iter().all(|m| m.row == 0), "2 s apart: room");
        // 340 px for a minute: a mark is 3 s wide.
        let narrow = window(&calls, &[], 60_000, 340);
        let rows: Vec<_> = narrow.marks.iter().map(|m| m.row).collect();
        assert_eq!(rows, [1, 0], "2 s apart would overlap: a row up");
        let unmeasured = window(&calls, &[], 60_000, 0);
        assert_eq!(unmeasured.marks, wide.marks, "960 px until measured");
    }

    #[test]
    fn marks_with_room_stay_where_their_calls_ended() {
        let calls: Vec<_> = (0..5)
            .map(|id| call(id, 10_000 + id * 1_000, Outcome::Success))
            .collect();
        let drawn = window(&calls, &[], 60_000, PX);
        assert!(drawn.marks.iter().all(|m| m.row == 0 && m.shift == 0));
    }
}
