//! The settings in force, and what the last change did.

use super::BreakerView;
use greeter_client::Settings;
use leptos::prelude::*;

/// The settings as the page shows them: read signals, written only by
/// [`apply`](Self::apply).
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
    /// `settings` in force for `breaker`'s client.
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
        let before = self.settings.get_untracked();
        if settings == before {
            return;
        }
        self.set_settings.set(settings);
        self.breaker.rebuild(settings);
        let changed: Vec<String> = settings
            .changed_from(&before)
            .into_iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        let note = format!(
            "{} Breaker rebuilt with {}: closed, counts cleared.",
            super::wall_clock(),
            changed.join(", ")
        );
        leptos::logging::log!("{note}");
        self.set_note.set(Some(note));
    }
}
