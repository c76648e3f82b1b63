//! The breaker as the page shows it: its state, counts, the countdown to
//! half-open and the transition log; and the client in force.
//!
//! The breaker's observer runs while the breaker is being updated, so it
//! must never call back into the breaker. It is built from a
//! [`TransitionFeed`], which holds only write signals and a trigger: it has
//! no way to reach the breaker. Reading the breaker again after a change
//! happens in an effect, which Leptos runs after the observer has returned.

use super::Timeline;
use crate::diagram::Taken;
use crate::log::{Log, Tone};
use greeter_client::{Greeter, Settings, TransitionSink};
use leptos::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tripbreaker::{BrowserClock, Counts, State, Transition};

/// How often the countdown to half-open is redrawn, only while open.
const COUNTDOWN_TICK: Duration = Duration::from_millis(100);

/// What the page shows of the breaker: read signals only.
#[derive(Clone, Copy)]
pub struct BreakerView {
    /// The breaker's state, set the moment it changes.
    pub state: ReadSignal<State>,
    /// The breaker's counts, read after every call and change.
    pub counts: ReadSignal<Counts>,
    /// One entry per state change.
    pub transitions: ReadSignal<Log>,
    /// How often each arrow of the state diagram was taken by this breaker
    /// (cleared when a settings change rebuilds it, as the counts are).
    pub taken: ReadSignal<Taken>,
    /// While a transition is due (open → half-open): the milliseconds left.
    pub until_half_open: Memo<Option<f64>>,
    writes: Writes,
    /// The client in force, and whether its observer may still write.
    greeter: StoredValue<(Greeter, Arc<AtomicBool>)>,
    server: StoredValue<String>,
}

/// The write halves of the view's signals, kept inside this module.
#[derive(Clone, Copy)]
struct Writes {
    state: WriteSignal<State>,
    counts: WriteSignal<Counts>,
    transitions: WriteSignal<Log>,
    taken: WriteSignal<Taken>,
    /// The states over time.
    timeline: Timeline,
    /// When the next transition is due, in `performance.now()` ms.
    due_at: RwSignal<Option<f64>>,
    /// `performance.now()` in ms, ticking only while a transition is due.
    now: RwSignal<f64>,
    /// Notified by the observer: the breaker changed and is to be read again.
    changed: Trigger,
}

/// What the breaker's observer may touch: signals and the timeline, never
/// the breaker.
struct TransitionFeed {
    writes: Writes,
    /// Cleared when the breaker is replaced: a replaced breaker's late
    /// changes (calls still under way) are not shown.
    live: Arc<AtomicBool>,
}

impl TransitionFeed {
    /// The observer: shows the change and asks for the breaker to be read.
    fn into_sink(self) -> TransitionSink {
        Box::new(move |name: &str, transition: Transition| {
            if !self.live.load(Ordering::Relaxed) {
                return;
            }
            let Writes {
                state,
                transitions,
                taken,
                timeline,
                changed,
                ..
            } = self.writes;
            state.try_set(transition.to);
            taken.try_update(|taken| taken.record(transition.from, transition.to));
            timeline.state_changed(transition.to);
            let line = greeter_client::go_style::transition(name, transition);
            let tone = Tone::of_state(transition.to);
            transitions.try_update(|log| log.push(super::wall_clock(), line, None, tone));
            changed.notify();
        })
    }
}

impl BreakerView {
    /// A closed breaker with `settings` guarding calls to `server`, shown
    /// from now on (its changes on `timeline` too); its timers live as long
    /// as the current owner.
    pub fn new(server: &str, settings: Settings, timeline: Timeline) -> Self {
        let (state, set_state) = signal(State::Closed);
        let (counts, set_counts) = signal(Counts::default());
        let (transitions, set_transitions) = signal(Log::default());
        let (taken, set_taken) = signal(Taken::default());
        let writes = Writes {
            state: set_state,
            counts: set_counts,
            transitions: set_transitions,
            taken: set_taken,
            timeline,
            due_at: RwSignal::new(None),
            now: RwSignal::new(BrowserClock::now_millis()),
            changed: Trigger::new(),
        };
        let until_half_open = Memo::new(move |_| {
            let at = writes.due_at.get()?;
            Some((at - writes.now.get()).max(0.0))
        });
        let live = Arc::new(AtomicBool::new(true));
        let greeter = build(server, settings, writes, Arc::clone(&live));
        let view = BreakerView {
            state,
            counts,
            transitions,
            taken,
            until_half_open,
            writes,
            greeter: StoredValue::new((greeter, live)),
            server: StoredValue::new(server.to_owned()),
        };
        view.run_timers();
        view
    }

    /// The client in force (clones share its breaker).
    pub fn greeter(self) -> Option<Greeter> {
        self.greeter.try_with_value(|(greeter, _)| greeter.clone())
    }

    /// Replaces the breaker and its client with new ones for `settings`:
    /// closed, counts cleared.
    pub fn rebuild(self, settings: Settings) {
        let Some(server) = self.server.try_get_value() else {
            return;
        };
        let live = Arc::new(AtomicBool::new(true));
        let greeter = build(&server, settings, self.writes, Arc::clone(&live));
        let replaced = self.greeter.try_update_value(|slot| {
            let (_, old) = std::mem::replace(slot, (greeter, live));
            old.store(false, Ordering::Relaxed);
        });
        if replaced.is_some() {
            self.writes.taken.try_set(Taken::default());
            self.writes.timeline.state_changed(State::Closed);
            self.sync();
        }
    }

    /// Empties the transition log.
    pub fn clear_log(self) {
        self.writes.transitions.try_update(Log::clear);
    }

    /// Reads the breaker (which applies a transition that is due, such as
    /// open → half-open) and shows what it says.
    pub fn sync(self) {
        let Some(breaker) = self
            .greeter
            .try_with_value(|(greeter, _)| greeter.breaker().clone())
        else {
            return;
        };
        let state = breaker.state();
        let counts = breaker.counts();
        let wait = breaker.time_to_next_transition();
        let now = BrowserClock::now_millis();
        self.writes.state.try_set(state);
        self.writes.counts.try_set(counts);
        self.writes.now.try_set(now);
        self.writes
            .due_at
            .try_set(wait.map(|wait| now + wait.as_secs_f64() * 1000.0));
    }

    /// The effects that keep the view current, without polling: reading
    /// the breaker after its observer says it changed; and while a
    /// transition is due, a timer for it and the countdown's tick, cleared
    /// when the effect runs again or the page goes away.
    fn run_timers(self) {
        let writes = self.writes;
        Effect::new(move || {
            writes.changed.track();
            self.sync();
        });
        Effect::new(move || {
            let Some(at) = writes.due_at.get() else {
                return;
            };
            // Whole milliseconds, rounded up: never wake before it is due.
            let wait = (at - BrowserClock::now_millis()).max(0.0).ceil() as u64 + 1;
            let due = set_timeout_with_handle(move || self.sync(), Duration::from_millis(wait));
            let tick = move || _ = writes.now.try_set(BrowserClock::now_millis());
            let ticker = set_interval_with_handle(tick, COUNTDOWN_TICK);
            on_cleanup(move || {
                due.map(|due| due.clear()).ok();
                ticker.map(|ticker| ticker.clear()).ok();
            });
        });
    }
}

/// A client of `server` guarded by a new breaker for `settings`, whose
/// changes reach `writes` while `live` holds.
fn build(server: &str, settings: Settings, writes: Writes, live: Arc<AtomicBool>) -> Greeter {
    let feed = TransitionFeed { writes, live };
    Greeter::new(server, settings, feed.into_sink())
        .expect("settings read by greeter_client and a server URL checked by Config are accepted")
}
