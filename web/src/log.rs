//! The page's logs: timed lines, oldest first, the oldest scrolling away.

use tripbreaker::State;

/// The most lines a log keeps.
const LOG_LIMIT: usize = 200;

/// How a log line should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    /// A greeting, or the breaker closing.
    Good,
    /// A failed call, or the breaker opening.
    Bad,
    /// A call the breaker refused, or the breaker turning half-open.
    Held,
}

impl Tone {
    /// The tone of a change to `state`.
    pub(crate) fn of_state(state: State) -> Self {
        match state {
            State::Closed | State::ForcedClosed | State::Disabled => Tone::Good,
            State::Open | State::ForcedOpen => Tone::Bad,
            State::HalfOpen => Tone::Held,
        }
    }

    /// The CSS class for this tone.
    pub(crate) fn class(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Bad => "bad",
            Tone::Held => "held",
        }
    }
}

/// One line of a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogEntry {
    /// Unique within its log, in order of arrival.
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

/// A log: at most [`LOG_LIMIT`] entries, each numbered as it arrives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Log {
    entries: Vec<LogEntry>,
    arrived: u64,
}

impl Log {
    /// Adds a line at `time`, dropping the oldest when full.
    pub(crate) fn push(&mut self, time: String, line: String, note: Option<String>, tone: Tone) {
        if self.entries.len() >= LOG_LIMIT {
            self.entries.remove(0);
        }
        self.entries.push(LogEntry {
            id: self.arrived,
            time,
            line,
            note,
            tone,
        });
        self.arrived += 1;
    }

    /// Drops every entry; numbering goes on, so ids stay unique.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries, oldest first.
    pub(crate) fn entries(&self) -> &[LogEntry] {
        &self.entries
    }
}

/// A wall-clock time of day as the logs show it, `HH:MM:SS.mmm`.
pub(crate) fn time_of_day(hours: u32, minutes: u32, seconds: u32, millis: u32) -> String {
    format!("{hours:02}:{minutes:02}:{seconds:02}.{millis:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_looks_bad_and_closing_good() {
        let class = |state| Tone::of_state(state).class();
        assert_eq!(class(State::Open), "bad");
        assert_eq!(class(State::HalfOpen), "held");
        assert_eq!(class(State::Closed), "good");
    }

    #[test]
    fn times_are_zero_padded() {
        assert_eq!(time_of_day(9, 5, 7, 42), "09:05:07.042");
    }

    #[test]
    fn a_full_log_drops_its_oldest_line_and_ids_stay_unique() {
        let mut log = Log::default();
        for n in 0..LOG_LIMIT + 2 {
            log.push(String::new(), n.to_string(), None, Tone::Good);
        }
        let entries = log.entries();
        assert_eq!(entries.len(), LOG_LIMIT);
        assert_eq!(entries[0].line, "2");
        assert_eq!(entries[0].id, 2);
        assert_eq!(entries[LOG_LIMIT - 1].id, LOG_LIMIT as u64 + 1);
        log.clear();
        log.push(String::new(), "new".into(), None, Tone::Good);
        assert_eq!(log.entries().len(), 1);
        assert_eq!(log.entries()[0].id, LOG_LIMIT as u64 + 2);
    }
}
