//! One progress line for all the long steps running at once: the demo
//! builds the server, the page's crates and the tools side by side, and a
//! line from each of them every few seconds would flood the terminal.
//! Plain lines, not indicatif's redrawn bars: they must read the same in a
//! CI log as on a terminal.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How often the progress line is printed while a long step runs.
const EVERY: Duration = Duration::from_secs(20);

/// A long step on the progress line, from [`Step::start`] until dropped.
pub struct Step {
    name: String,
}

struct Running {
    name: String,
    started: Instant,
    /// Its last run's time in seconds, if it ran before.
    expected: Option<f64>,
}

struct Board {
    running: Vec<Running>,
    next_line: Option<Instant>,
}

static BOARD: Mutex<Board> = Mutex::new(Board {
    running: Vec::new(),
    next_line: None,
});

fn board() -> MutexGuard<'static, Board> {
    BOARD
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Step {
    /// Puts `name` on the progress line; `expected` is its last run's time
    /// in seconds, from which the line says about how long is left.
    pub fn start(name: &str, expected: Option<f64>) -> Step {
        let now = Instant::now();
        let mut board = board();
        board.next_line.get_or_insert(now + EVERY);
        board.running.push(Running {
            name: name.to_owned(),
            started: now,
            expected,
        });
        Step {
            name: name.to_owned(),
        }
    }

    /// Prints the progress line if it is due: every running step calls
    /// this while it waits, and the first to find it due prints it.
    pub fn tick(&self) {
        let now = Instant::now();
        let mut board = board();
        if board.next_line.is_some_and(|due| now >= due) {
            board.next_line = Some(now + EVERY);
            let parts: Vec<String> = board
                .running
                .iter()
                .map(|step| step.progress(now))
                .collect();
            println!("    {}", parts.join(" · "));
        }
    }
}

impl Drop for Step {
    fn drop(&mut self) {
        let mut board = board();
        if let Some(at) = board.running.iter().position(|step| step.name == self.name) {
            board.running.remove(at);
        }
        if board.running.is_empty() {
            board.next_line = None;
        }
    }
}

impl Running {
    /// `build-server 1m 20s, about 2m 00s left`.
    fn progress(&self, now: Instant) -> String {
        let elapsed = now.duration_since(self.started).as_secs_f64();
        let left = match self.expected {
            Some(secs) if secs > elapsed => format!(", about {} left", minutes(secs - elapsed)),
            Some(_) => ", longer than last time".to_owned(),
            None => String::new(),
        };
        format!("{} {}{left}", self.name, minutes(elapsed))
    }
}

/// `95` as `1m 35s`, `12.3` as `12s`.
pub fn minutes(secs: f64) -> String {
    let secs = secs.round() as u64;
    match secs / 60 {
        0 => format!("{secs}s"),
        m => format!("{m}m {:02}s", secs % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_minutes_and_seconds() {
        assert_eq!(minutes(12.3), "12s");
        assert_eq!(minutes(95.0), "1m 35s");
        assert_eq!(minutes(600.4), "10m 00s");
    }

    #[test]
    fn a_step_says_how_long_it_ran_and_how_long_is_left() {
        let now = Instant::now();
        let step = |expected| Running {
            name: "build-server".to_owned(),
            started: now - Duration::from_secs(80),
            expected,
        };
        assert_eq!(
            step(Some(200.0)).progress(now),
            "build-server 1m 20s, about 2m 00s left"
        );
        assert_eq!(
            step(Some(60.0)).progress(now),
            "build-server 1m 20s, longer than last time"
        );
        assert_eq!(step(None).progress(now), "build-server 1m 20s");
    }
}
