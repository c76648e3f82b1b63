//! The calls: sending them, their log, the last greeting, those in flight.

use super::{BreakerView, Timeline};
use crate::log::{Log, Tone};
use crate::reply::greeting;
use crate::timeline;
use greeter_client::{Call, Reply, reply_line};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Calls sent at once by the burst button.
pub const BURST: usize = 5;

/// The last greeting shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// The server's greeting, or the fallback.
    pub text: String,
    /// Whether it is the fallback shown for a refused call.
    pub fallback: bool,
}

/// The calls as the page shows them: read signals, written only when a
/// call ends, in [`show`](Self::show), which also puts the call on the
/// timeline.
#[derive(Clone, Copy)]
pub struct Calls {
    /// One entry per call result.
    pub log: ReadSignal<Log>,
    /// The last greeting (or fallback) shown.
    pub greeting: ReadSignal<Option<Greeting>>,
    /// Calls under way.
    pub in_flight: ReadSignal<u32>,
    set_log: WriteSignal<Log>,
    set_greeting: WriteSignal<Option<Greeting>>,
    set_in_flight: WriteSignal<u32>,
    breaker: BreakerView,
    timeline: Timeline,
}

impl Calls {
    /// No calls yet; calls go through the breaker's client and end up on
    /// `timeline` too.
    pub fn new(breaker: BreakerView, timeline: Timeline) -> Self {
        let (log, set_log) = signal(Log::default());
        let (greeting, set_greeting) = signal(None);
        let (in_flight, set_in_flight) = signal(0);
        Calls {
            log,
            greeting,
            in_flight,
            set_log,
            set_greeting,
            set_in_flight,
            breaker,
            timeline,
        }
    }

    /// Sends SayHello(`name`) through the breaker and logs its result.
    pub fn send(self, name: String) {
        let Some(greeter) = self.breaker.greeter() else {
            return;
        };
        self.set_in_flight.update(|n| *n += 1);
        spawn_local(async move {
            let call = greeter.say_hello(&name).await;
            self.set_in_flight.try_update(|n| *n -= 1);
            self.show(call);
        });
    }

    /// Sends [`BURST`] calls at once.
    pub fn burst(self, name: String) {
        for _ in 0..BURST {
            self.send(name.clone());
        }
    }

    /// Empties the call log.
    pub fn clear(self) {
        self.set_log.try_update(Log::clear);
    }

    /// Shows how `call` ended, wherever it was sent from (a button here,
    /// the Go demo): its line in the log, the greeting, its mark on the
    /// timeline, and the breaker as the call left it. Every call the page
    /// makes ends here.
    pub fn show(self, call: Call) {
        let Call {
            reply,
            retries,
            outcome,
            ..
        } = call;
        let tone = match &reply {
            Reply::Answered(_) => Tone::Good,
            Reply::Rejected(_) => Tone::Held,
            Reply::Failed(_) => Tone::Bad,
        };
        let fallback = matches!(reply, Reply::Rejected(_));
        let greeting = greeting(&reply).map(str::to_owned);
        let mut notes = Vec::new();
        if retries > 0 {
            let noun = if retries == 1 { "retry" } else { "retries" };
            notes.push(format!("after {retries} {noun}"));
        }
        if let (true, Some(greeting)) = (fallback, &greeting) {
            notes.push(format!("fallback: {greeting}"));
        }
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        let line = reply_line(&reply);
        let time = super::wall_clock();
        let mark = match &note {
            Some(note) => format!("{time} {line} ({note})"),
            None => format!("{time} {line}"),
        };
        self.timeline
            .call_ended(timeline::Outcome::of(outcome), retries, mark);
        self.set_log
            .try_update(|log| log.push(time, line, note, tone));
        if let Some(text) = greeting {
            self.set_greeting.try_set(Some(Greeting { text, fallback }));
        }
        self.breaker.sync();
    }
}
