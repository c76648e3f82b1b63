//! The lines the page's logs show.

use breaker::{State, Transition};

/// How a log line should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// A greeting, or the breaker closing.
    Good,
    /// A failed call, or the breaker opening.
    Bad,
    /// A call the breaker refused, or the breaker turning half-open.
    Held,
}

impl Tone {
    /// The tone of a change to `state`.
    pub fn of_state(state: State) -> Self {
        match state {
            State::Closed | State::ForcedClosed | State::Disabled => Tone::Good,
            State::Open | State::ForcedOpen => Tone::Bad,
            State::HalfOpen => Tone::Held,
        }
    }

    /// The CSS class for this tone.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Bad => "bad",
            Tone::Held => "held",
        }
    }
}

/// One line of a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// Unique within the page, in order of arrival.
    pub id: u64,
    /// When it happened, as the wall clock showed (`14:03:07.250`).
    pub time: String,
    /// The Go demo's exact line.
    pub line: String,
    /// What the page adds to it (a fallback, retries), if anything.
    pub note: Option<String>,
    /// How it looks.
    pub tone: Tone,
}

/// The Go demo's line for a state change:
/// `Circuit Breaker 'greeter' changed from closed to open`.
///
/// ```
/// use breaker::{Instant, State, Transition};
/// let t = Transition { from: State::Open, to: State::HalfOpen, at: Instant::ZERO };
/// assert_eq!(web::transition_line("greeter", t), "Circuit Breaker 'greeter' changed from open to half-open");
/// ```
pub fn transition_line(name: &str, transition: Transition) -> String {
    format!(
        "Circuit Breaker '{name}' changed from {} to {}",
        transition.from, transition.to
    )
}

/// A wall-clock time of day as the logs show it, `HH:MM:SS.mmm`.
///
/// ```
/// assert_eq!(web::log::time_of_day(9, 5, 7, 42), "09:05:07.042");
/// ```
pub fn time_of_day(hours: u32, minutes: u32, seconds: u32, millis: u32) -> String {
    format!("{hours:02}:{minutes:02}:{seconds:02}.{millis:03}")
}
