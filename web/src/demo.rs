//! The page's state and what it can do: one [`Demo`] per mounted app,
//! handed to every component through the context.

use crate::faults::{self, Fault, ServerStatus};
use crate::greeter::{CallReport, Greeter};
use crate::log::{LogEntry, Tone, time_of_day, transition_line};
use crate::{Config, Settings};
use breaker::{BrowserClock, Counts, State, Transition};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// Calls sent at once by the burst button.
pub const BURST: usize = 5;

/// How often the countdown to half-open is redrawn, only while open.
const COUNTDOWN_TICK: Duration = Duration::from_millis(100);

/// The most lines a log keeps (older ones scroll away).
const LOG_LIMIT: usize = 200;

/// The page: the breaker and its client, and the signals the components
/// draw. A copyable handle; everything lives as long as the mounted app.
#[derive(Clone, Copy)]
pub struct Demo {
    /// The greeter server's base URL.
    pub server: StoredValue<String>,
    /// The settings in force.
    pub settings: RwSignal<Settings>,
    /// The breaker's state, set the moment it changes.
    pub state: RwSignal<State>,
    /// The breaker's counts, refreshed after every call and change.
    pub counts: RwSignal<Counts>,
    /// While open: when it turns half-open, in `performance.now()` ms.
    pub half_open_at: RwSignal<Option<f64>>,
    /// `performance.now()` in ms, ticking only while open.
    pub now: RwSignal<f64>,
    /// One entry per state change.
    pub transitions: RwSignal<Vec<LogEntry>>,
    /// One entry per call result.
    pub calls: RwSignal<Vec<LogEntry>>,
    /// The last greeting shown, and whether it is the fallback.
    pub greeting: RwSignal<Option<(String, bool)>>,
    /// Calls under way.
    pub in_flight: RwSignal<u32>,
    /// The server's fault mode and counters, or why they are unknown.
    pub server_status: RwSignal<Option<Result<ServerStatus, String>>>,
    /// What the last settings change did.
    pub settings_note: RwSignal<Option<String>>,
    /// The client and its breaker (none only while the page is being built).
    greeter: StoredValue<Option<Greeter>>,
    /// Which breaker's changes are shown (a rebuilt one gets a new epoch).
    epoch: StoredValue<u64>,
    /// The number of the last request for the server's status: only its
    /// answer is shown, so a slow older answer never overwrites a newer one.
    status_request: StoredValue<u64>,
    half_open_timer: StoredValue<Option<TimeoutHandle>>,
    countdown_ticker: StoredValue<Option<IntervalHandle>>,
    next_id: StoredValue<u64>,
}

impl Demo {
    /// The page for `config`, under the current reactive owner: its timers
    /// stop when the owner is cleaned up.
    pub fn new(config: &Config) -> Self {
        let settings = config.settings;
        let demo = Demo {
            server: StoredValue::new(config.server.clone()),
            settings: RwSignal::new(settings),
            state: RwSignal::new(State::Closed),
            counts: RwSignal::new(Counts::default()),
            half_open_at: RwSignal::new(None),
            now: RwSignal::new(BrowserClock::now_millis()),
            transitions: RwSignal::new(Vec::new()),
            calls: RwSignal::new(Vec::new()),
            greeting: RwSignal::new(None),
            in_flight: RwSignal::new(0),
            server_status: RwSignal::new(None),
            settings_note: RwSignal::new(None),
            greeter: StoredValue::new(None),
            epoch: StoredValue::new(0),
            status_request: StoredValue::new(0),
            half_open_timer: StoredValue::new(None),
            countdown_ticker: StoredValue::new(None),
            next_id: StoredValue::new(0),
        };
        demo.greeter.set_value(Some(demo.build_greeter(settings)));
        on_cleanup(move || demo.stop_timers());
        demo.refresh_server();
        demo
    }

    /// Sends SayHello(`name`) through the breaker and logs its result.
    pub fn send(self, name: String) {
        spawn_local(async move {
            let Some(greeter) = self.greeter.try_get_value().flatten() else {
                return;
            };
            self.in_flight.try_update(|n| *n += 1);
            let report = greeter.say_hello(&name).await;
            self.in_flight.try_update(|n| *n -= 1);
            self.log_call(report);
            self.sync();
            self.refresh_server();
        });
    }

    /// Sends [`BURST`] calls at once.
    pub fn burst(self, name: String) {
        for _ in 0..BURST {
            self.send(name.clone());
        }
    }

    /// Rebuilds the breaker with `settings` (closed, counts cleared) if they
    /// differ from those in force.
    pub fn apply(self, settings: Settings) {
        let before = self.settings.get_untracked();
        if settings == before {
            return;
        }
        self.settings.set(settings);
        self.greeter.set_value(Some(self.build_greeter(settings)));
        self.sync();
        let changed: Vec<String> = crate::KEYS
            .iter()
            .filter(|key| settings.get(key) != before.get(key))
            .map(|key| format!("{key}={}", settings.get(key)))
            .collect();
        let note = format!(
            "{} Breaker rebuilt with {}: closed, counts cleared.",
            wall_clock(),
            changed.join(", ")
        );
        leptos::logging::log!("{note}");
        self.settings_note.set(Some(note));
    }

    /// Puts the server in `fault` mode.
    pub fn set_fault(self, fault: Fault) {
        self.ask_server(move |server| async move { faults::set_mode(&server, fault).await });
    }

    /// Sets the server's counters back to zero.
    pub fn reset_server_counters(self) {
        self.ask_server(|server| async move { faults::reset_counters(&server).await });
    }

    /// Reads the server's mode and counters again.
    pub fn refresh_server(self) {
        self.ask_server(|server| async move { faults::status(&server).await });
    }

    fn ask_server<F>(self, ask: impl FnOnce(String) -> F)
    where
        F: Future<Output = Result<ServerStatus, tonic::Status>> + 'static,
    {
        let (Some(server), Some(previous)) = (
            self.server.try_get_value(),
            self.status_request.try_get_value(),
        ) else {
            return;
        };
        let request = previous + 1;
        self.status_request.set_value(request);
        let asked = ask(server);
        spawn_local(async move {
            let status = asked.await.map_err(|status| match status.code() {
                tonic::Code::Unimplemented => "fault controls are off on this server".to_owned(),
                _ => breaker_tower::go_style::describe(&status),
            });
            if self.status_request.try_get_value() == Some(request) {
                self.server_status.try_set(Some(status));
            }
        });
    }

    /// A breaker for `settings` whose changes reach this page (until the
    /// next rebuild).
    fn build_greeter(self, settings: Settings) -> Greeter {
        let epoch = self.epoch.get_value() + 1;
        self.epoch.set_value(epoch);
        let server = self.server.get_value();
        Greeter::new(
            &server,
            settings,
            Box::new(move |name: &str, transition: Transition| {
                self.on_transition(epoch, name, transition)
            }),
        )
    }

    /// Runs inside the breaker: only signals are touched here, and the
    /// timer is scheduled once the breaker is free again.
    fn on_transition(self, epoch: u64, name: &str, transition: Transition) {
        if self.epoch.try_get_value() != Some(epoch) {
            return; // a replaced breaker's late call
        }
        self.state.set(transition.to);
        self.counts.set(Counts::default()); // every change starts a new generation
        let line = transition_line(name, transition);
        let entry = self.entry(line, None, Tone::of_state(transition.to));
        self.transitions.update(|log| push(log, entry));
        spawn_local(async move { self.sync() });
    }

    /// Reads the breaker (which applies a transition that is due, such as
    /// open → half-open) and schedules the next one: no polling.
    fn sync(self) {
        let Some(Some(breaker)) = self
            .greeter
            .try_with_value(|g| g.as_ref().map(|g| g.breaker().clone()))
        else {
            return;
        };
        self.state.set(breaker.state());
        self.counts.set(breaker.counts());
        if let Some(timer) = self.half_open_timer.get_value() {
            timer.clear();
        }
        let wait = breaker.time_to_next_transition();
        self.half_open_timer.set_value(wait.and_then(|wait| {
            // Whole milliseconds, rounded up: never wake before it is due.
            let millis = Duration::from_millis(wait.as_micros().div_ceil(1000) as u64 + 1);
            set_timeout_with_handle(move || self.sync(), millis).ok()
        }));
        let now = BrowserClock::now_millis();
        self.now.set(now);
        self.half_open_at
            .set(wait.map(|wait| now + wait.as_secs_f64() * 1000.0));
        self.run_countdown(wait.is_some());
    }

    fn run_countdown(self, open: bool) {
        match (open, self.countdown_ticker.get_value()) {
            (true, None) => {
                let tick = move || _ = self.now.try_set(BrowserClock::now_millis());
                let ticker = set_interval_with_handle(tick, COUNTDOWN_TICK).ok();
                self.countdown_ticker.set_value(ticker);
            }
            (false, Some(ticker)) => {
                ticker.clear();
                self.countdown_ticker.set_value(None);
            }
            _ => {}
        }
    }

    fn stop_timers(self) {
        if let Some(Some(timer)) = self.half_open_timer.try_get_value() {
            timer.clear();
        }
        if let Some(Some(ticker)) = self.countdown_ticker.try_get_value() {
            ticker.clear();
        }
    }

    fn log_call(self, report: CallReport) {
        let CallReport { reply, retries } = report;
        let tone = match &reply {
            crate::Reply::Answered(_) => Tone::Good,
            crate::Reply::Rejected(_) => Tone::Held,
            crate::Reply::Failed(_) => Tone::Bad,
        };
        let fallback = matches!(reply, crate::Reply::Rejected(_));
        let greeting = crate::reply::greeting(&reply).map(str::to_owned);
        let mut notes = Vec::new();
        if retries > 0 {
            notes.push(format!(
                "after {retries} {}",
                plural(retries, "retry", "retries")
            ));
        }
        if let (true, Some(greeting)) = (fallback, &greeting) {
            notes.push(format!("fallback: {greeting}"));
        }
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        let Some(entry) = self.try_entry(crate::reply::line(&reply), note, tone) else {
            return;
        };
        self.calls.try_update(|log| push(log, entry));
        if let Some(greeting) = greeting {
            self.greeting.try_set(Some((greeting, fallback)));
        }
    }

    fn entry(self, line: String, note: Option<String>, tone: Tone) -> LogEntry {
        self.try_entry(line, note, tone)
            .expect("the page is mounted")
    }

    fn try_entry(self, line: String, note: Option<String>, tone: Tone) -> Option<LogEntry> {
        let id = self.next_id.try_get_value()?;
        self.next_id.try_set_value(id + 1);
        Some(LogEntry {
            id,
            time: wall_clock(),
            line,
            note,
            tone,
        })
    }
}

fn push(log: &mut Vec<LogEntry>, entry: LogEntry) {
    if log.len() >= LOG_LIMIT {
        log.remove(0);
    }
    log.push(entry);
}

fn plural(n: u32, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// The local time of day, `HH:MM:SS.mmm`.
fn wall_clock() -> String {
    let now = js_sys::Date::new_0();
    time_of_day(
        now.get_hours(),
        now.get_minutes(),
        now.get_seconds(),
        now.get_milliseconds(),
    )
}
