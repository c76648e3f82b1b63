//! The Go demo played in the page: the story of `greeter_client::go_demo`
//! (the one the CLI plays) with the Go demo's settings, its calls shown in
//! the call log like any other, and a way to stop it.

use super::{BreakerView, Calls, ServerFaults, SettingsState};
use futures_util::future::{AbortHandle, abortable};
use greeter_client::Call;
use greeter_client::go_demo::{self, Player, Step};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The Go demo as the page shows it: a read signal, written only here.
#[derive(Clone, Copy)]
pub struct GoDemo {
    /// How the play stands.
    pub progress: ReadSignal<Progress>,
    set_progress: WriteSignal<Progress>,
    /// Stops the play under way.
    abort: StoredValue<Option<AbortHandle>>,
    parts: Parts,
}

/// How the play stands: one signal, as the three change together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Whether it is playing (the other controls are disabled meanwhile).
    pub playing: bool,
    /// The step playing, or the last one played.
    pub step: Option<Step>,
    /// What the page says of the play: the server made healthy first, how
    /// it ended, or where it was stopped.
    pub note: Option<String>,
}

/// The page's other parts, which the play drives.
#[derive(Clone, Copy)]
struct Parts {
    breaker: BreakerView,
    calls: Calls,
    settings: SettingsState,
    faults: ServerFaults,
}

impl GoDemo {
    /// Not playing; a play drives these parts of the page, and stops when
    /// the page goes away.
    pub fn new(
        breaker: BreakerView,
        calls: Calls,
        settings: SettingsState,
        faults: ServerFaults,
    ) -> Self {
        let (progress, set_progress) = signal(Progress::default());
        let abort = StoredValue::new(None::<AbortHandle>);
        on_cleanup(move || {
            if let Some(Some(abort)) = abort.try_update_value(Option::take) {
                abort.abort();
            }
        });
        GoDemo {
            progress,
            set_progress,
            abort,
            parts: Parts {
                breaker,
                calls,
                settings,
                faults,
            },
        }
    }

    /// Whether it is playing (tracked).
    pub fn playing(self) -> bool {
        self.progress.with(|progress| progress.playing)
    }

    /// Plays the demo, or stops it if it is playing.
    pub fn toggle(self) {
        if self.progress.with_untracked(|progress| progress.playing) {
            self.stop();
        } else {
            self.play();
        }
    }

    /// Starts from a new breaker with the Go demo's settings and empty
    /// logs, so the logs end up holding exactly the Go demo's lines; makes
    /// the server healthy first if it is not, since the story's recovery
    /// needs a healthy server.
    fn play(self) {
        let Parts {
            breaker,
            calls,
            settings,
            faults,
        } = self.parts;
        settings.rebuild(go_demo::settings());
        calls.clear();
        breaker.clear_log();
        self.set_progress.set(Progress {
            playing: true,
            ..Progress::default()
        });
        let (story, abort) = abortable(async move {
            if let Some(said) = faults.make_healthy().await {
                self.say(said);
            }
            // None only once the page has gone away.
            if let Some(greeter) = breaker.greeter() {
                let ending = go_demo::play(&greeter, go_demo::NAME, &mut Shown(self)).await;
                self.say(ending.to_string());
            }
            self.abort.try_set_value(None);
            self.set_progress
                .try_update(|progress| progress.playing = false);
        });
        self.abort.set_value(Some(abort));
        spawn_local(async move {
            // Stopped is as good as ended.
            let _ = story.await;
        });
    }

    /// Stops the play at once, whether in a call or in the wait: nothing
    /// more is called or shown, and the controls are enabled again.
    fn stop(self) {
        if let Some(Some(abort)) = self.abort.try_update_value(Option::take) {
            abort.abort();
        }
        self.set_progress.update(|progress| {
            progress.playing = false;
            if let Some(step) = progress.step {
                let stopped = format!("Stopped at step {} of {}.", step.number(), go_demo::STEPS);
                say(&mut progress.note, stopped);
            }
        });
    }

    /// Adds `text` to the note.
    fn say(self, text: String) {
        self.set_progress
            .try_update(|progress| say(&mut progress.note, text));
    }
}

/// Adds `text` to `note`.
fn say(note: &mut Option<String>, text: String) {
    match note {
        Some(note) => {
            note.push(' ');
            note.push_str(&text);
        }
        None => *note = Some(text),
    }
}

/// The story shown on the page: its step, and each call in the call log.
struct Shown(GoDemo);

impl Player for Shown {
    fn step(&mut self, step: Step) {
        self.0
            .set_progress
            .try_update(|progress| progress.step = Some(step));
    }

    fn called(&mut self, call: Call) {
        self.0.parts.calls.show(call);
    }

    fn not_tripped(&mut self) {
        self.0.say(go_demo::NOT_TRIPPED.to_owned());
    }
}
