//! The Go demo's story, told through the breaker: the one copy that the CLI
//! and the page both play, each showing it its own way through a [`Player`].
//!
//! 1. valid and empty names alternate (`Greeting: Hello World`, then the
//!    InvalidArgument error);
//! 2. empty names until the breaker trips (`… changed from closed to open`);
//! 3. valid names are refused at once while it is open;
//! 4. the wait until the open timeout has passed (`… open to half-open`);
//! 5. `max_requests` trial calls close it again (`… half-open to closed`);
//! 6. one more greeting, as before.
//!
//! The calls follow one another without pause; the only wait is step 4's.
//! The story knows no runtime: dropping its future stops it at once, in a
//! call or in the wait, and nothing more is told to the player.

use crate::{Call, Greeter, Guard, Reply, Settings};
use std::fmt;
use std::time::Duration;
use tripbreaker::State;

/// The name the Go demo greets.
pub const NAME: &str = "World";

/// How many steps the story has.
pub const STEPS: u8 = 6;

/// What is said when step 2 ends with the breaker still closed.
pub const NOT_TRIPPED: &str = "the breaker did not trip; the rest of the story needs it open";

/// The Go demo's settings: MaxRequests 3, Interval 10 s, Timeout 5 s, trip
/// after 3 consecutive failures, every error counted (the defaults).
pub fn settings() -> Settings {
    Settings::default()
}

/// A step of the story, as it begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// 1: valid and empty names alternate.
    Alternate,
    /// 2: empty names until the breaker trips.
    Trip,
    /// 3: while open, calls are refused without reaching the server.
    Refused,
    /// 4: the wait, this long, for the open timeout (only while one is due).
    Wait(Duration),
    /// 5: `max_requests` trial calls, the breaker being in this state.
    Trials(State),
    /// 6: one more call, the breaker being in this state.
    OneMore(State),
}

impl Step {
    /// Its number, from 1 to [`STEPS`].
    pub fn number(self) -> u8 {
        match self {
            Step::Alternate => 1,
            Step::Trip => 2,
            Step::Refused => 3,
            Step::Wait(_) => 4,
            Step::Trials(_) => 5,
            Step::OneMore(_) => 6,
        }
    }
}

/// What the step does, as the CLI logs it after `n/6`
/// (`waiting 5s for the open timeout`).
impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Alternate => f.write_str("valid and empty names alternate"),
            Step::Trip => f.write_str("empty names until the breaker trips"),
            Step::Refused => {
                f.write_str("while open, calls are refused without reaching the server")
            }
            Step::Wait(wait) => {
                // Whole milliseconds: the 1 ms margin is not news.
                let shown = Duration::from_millis(wait.as_millis() as u64);
                let shown = humantime::format_duration(shown);
                write!(f, "waiting {shown} for the open timeout")
            }
            Step::Trials(state) => write!(f, "trial calls (the breaker is {state})"),
            Step::OneMore(state) => write!(f, "one more call (the breaker is {state})"),
        }
    }
}

/// Shows the story as it is told: its steps and each call's end.
pub trait Player {
    /// A step begins.
    fn step(&mut self, step: Step);
    /// A call of the story ended (its line is [`reply_line`](crate::reply_line)).
    fn called(&mut self, call: Call);
    /// Step 2 ended with the breaker still closed: the rest of the story
    /// needs it open (client errors excluded, say).
    fn not_tripped(&mut self);
}

/// How the story ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    /// The breaker's state at the end: closed when the service recovered.
    pub state: State,
    /// The last error the server (or the network) gave, as grpc-go prints it.
    pub last_failure: Option<String>,
    /// Calls that went out to the network (retries included).
    pub attempts: u64,
    /// Calls the breaker refused.
    pub rejected: u64,
}

impl Ending {
    /// Whether the breaker is closed again.
    pub fn recovered(&self) -> bool {
        self.state == State::Closed
    }
}

/// `recovered: the breaker is closed again`, or `not recovered: the
/// breaker is open; the last failure: …`.
impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.state, &self.last_failure) {
            (State::Closed, _) => f.write_str("recovered: the breaker is closed again"),
            (state, Some(failure)) => write!(
                f,
                "not recovered: the breaker is {state}; the last failure: {failure}"
            ),
            (state, None) => write!(f, "not recovered: the breaker is {state}"),
        }
    }
}

/// Plays the Go demo through `greeter` (whose settings give the trip
/// threshold and `max_requests`), greeting `name` in valid calls, telling
/// `player` each step and each call as they happen.
pub async fn play<G: Guard>(greeter: &Greeter<G>, name: &str, player: &mut dyn Player) -> Ending {
    let settings = *greeter.settings();
    let mut story = Story {
        greeter,
        player,
        ending: Ending {
            state: State::Closed,
            last_failure: None,
            attempts: 0,
            rejected: 0,
        },
    };

    story.player.step(Step::Alternate);
    for _ in 0..2 {
        story.call(name).await;
        story.call("").await;
    }

    story.player.step(Step::Trip);
    for _ in 0..settings.trip {
        if story.state().await == State::Open {
            break;
        }
        story.call("").await;
    }
    if story.state().await != State::Open {
        story.player.not_tripped();
    }

    story.player.step(Step::Refused);
    for _ in 0..3 {
        story.call(name).await;
    }

    if let Some(until_half_open) = greeter.time_to_next_transition().await {
        // A millisecond past due, so the breaker is sure to turn.
        let wait = until_half_open + Duration::from_millis(1);
        story.player.step(Step::Wait(wait));
        crate::sleep(wait).await;
    }

    // Reading the state applies open -> half-open now that it is due.
    let state = story.state().await;
    story.player.step(Step::Trials(state));
    for _ in 0..settings.max_requests {
        story.call(name).await;
    }

    let state = story.state().await;
    story.player.step(Step::OneMore(state));
    story.call(name).await;

    story.ending.state = story.state().await;
    story.ending
}

/// The story under way: its client, its player, and what its calls did so far.
struct Story<'a, G> {
    greeter: &'a Greeter<G>,
    player: &'a mut dyn Player,
    ending: Ending,
}

impl<G: Guard> Story<'_, G> {
    /// The breaker's state (applying a transition that is due, which its
    /// observer is told of).
    async fn state(&self) -> State {
        self.greeter.state().await
    }

    /// SayHello(`name`), counted, then told to the player.
    async fn call(&mut self, name: &str) {
        let call = self.greeter.say_hello(name).await;
        let ending = &mut self.ending;
        ending.attempts += u64::from(call.sent);
        match &call.reply {
            Reply::Answered(_) => {}
            Reply::Rejected(_) => ending.rejected += 1,
            Reply::Failed(_) => ending.last_failure = call.reply.error_text(),
        }
        self.player.called(call);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_and_worded_as_the_cli_logs_them() {
        let steps = [
            Step::Alternate,
            Step::Trip,
            Step::Refused,
            Step::Wait(Duration::from_micros(4_999_900)),
            Step::Trials(State::HalfOpen),
            Step::OneMore(State::Closed),
        ]
        .map(|step| format!("{}/{STEPS} {step}", step.number()));
        assert_eq!(
            steps,
            [
                "1/6 valid and empty names alternate",
                "2/6 empty names until the breaker trips",
                "3/6 while open, calls are refused without reaching the server",
                "4/6 waiting 4s 999ms for the open timeout",
                "5/6 trial calls (the breaker is half-open)",
                "6/6 one more call (the breaker is closed)",
            ]
        );
    }

    #[test]
    fn the_ending_says_whether_it_recovered() {
        let mut ending = Ending {
            state: State::Closed,
            last_failure: Some("rpc error: code = Unavailable desc = down".into()),
            attempts: 13,
            rejected: 3,
        };
        assert!(ending.recovered());
        assert_eq!(ending.to_string(), "recovered: the breaker is closed again");
        ending.state = State::Open;
        assert_eq!(
            ending.to_string(),
            "not recovered: the breaker is open; the last failure: rpc error: code = Unavailable desc = down"
        );
        ending.last_failure = None;
        assert_eq!(ending.to_string(), "not recovered: the breaker is open");
    }
}
