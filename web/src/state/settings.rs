//! The settings in force, and what the last change did.

use super::BreakerView;
use greeter_client::Settings;
use leptos::prelude::*;

/// The settings as the page shows them: read signals, written only by
/// [`apply`](Self::apply) and [`rebuild`](Self::rebuild).
#[derive(Clone, Copy)]
pub struct SettingsState {
    /// The settings in force.
    pub settings: ReadSignal<Settings>,
    /// What the last change did.
    pub note: ReadSignal<Option<String>>,
    set_settings: WriteSignal<Settings>,
    set_note: WriteSignal<Option<String>>,
    breaker: BreakerView,
}

impl SettingsState {
    /// `settings` in force for the breaker's client.
    pub fn new(settings: Settings, breaker: BreakerView) -> Self {
        let (settings, set_settings) = signal(settings);
        let (note, set_note) = signal(None);
        SettingsState {
            settings,
            note,
            set_settings,
            set_note,
            breaker,
        }
    }

    /// Rebuilds the breaker with `settings` (closed, counts cleared) if they
    /// differ from those in force, and says so.
    pub fn apply(self, settings: Settings) {
        if settings != self.settings.get_untracked() {
            self.rebuild(settings);
        }
    }

    /// Puts `settings` in force with a new breaker (closed, counts
    /// cleared), even if they are those in force already, and says so.
    pub fn rebuild(self, settings: Settings) {
        let before = self.settings.get_untracked();
        self.set_settings.set(settings);
        self.breaker.rebuild(settings);
        let changed: Vec<String> = settings
            .changed_from(&before)
            .into_iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        let changed = match changed.is_empty() {
            true => "the same settings".to_owned(),
            false => changed.join(", "),
        };
        let note = format!(
            "{} Breaker rebuilt with {changed}: closed, counts cleared.",
            super::wall_clock(),
        );
        leptos::logging::log!("{note}");
        self.set_note.set(Some(note));
    }
}
