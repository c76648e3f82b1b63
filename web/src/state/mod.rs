//! The page's state, split by what the user sees. Each part is a copyable
//! handle the app creates ([`Page::new`]) and gives its components as
//! props; components read its read signals, and each signal is written in
//! one place, the part that owns it:
//!
//! - [`BreakerView`] (`breaker.rs`): the breaker's state, counts, countdown,
//!   transition log and the diagram's arrows taken, written by the breaker's observer and by reading
//!   the breaker; it also holds the client in force.
//! - [`Calls`] (`calls.rs`): the call log, the last greeting and the calls
//!   in flight, written when a call ends.
//! - [`Timeline`] (`timeline.rs`): the calls and states over time, written
//!   where a call's result is shown and by the breaker's observer.
//! - [`SettingsState`] (`settings.rs`): the settings in force and what the
//!   last change did; a change rebuilds the client.
//! - [`ServerFaults`] (`faults.rs`): the server's fault mode and counters,
//!   written when the server answers.
//! - [`SharedFleet`] (`fleet.rs`): the server's shared breakers, whether it
//!   has any, and how their live watch stands, written by the watch and by
//!   the answers to forces and releases.
//! - [`GoDemo`] (`go_demo.rs`): whether the Go demo plays, its step and
//!   what it said; a play drives the parts above.

mod breaker;
mod calls;
mod faults;
mod fleet;
mod go_demo;
mod settings;
mod timeline;

pub use breaker::BreakerView;
pub use calls::{BURST, Calls, Greeting};
pub use faults::ServerFaults;
pub use fleet::{Link, SharedFleet};
pub use go_demo::{GoDemo, Progress};
pub use settings::SettingsState;
pub use timeline::Timeline;

use crate::Config;
use leptos::prelude::*;

/// The page's state, every part of it.
#[derive(Clone, Copy)]
pub struct Page {
    /// The calls and states over time.
    pub timeline: Timeline,
    /// The breaker in force and what it shows.
    pub breaker: BreakerView,
    /// The calls, their log and the last greeting.
    pub calls: Calls,
    /// The settings in force.
    pub settings: SettingsState,
    /// The server's fault mode and counters.
    pub faults: ServerFaults,
    /// The Go demo's player.
    pub go_demo: GoDemo,
    /// The server's shared breakers.
    pub fleet: SharedFleet,
}

impl Page {
    /// The page's state for `config`, under the current reactive owner (its
    /// timers stop when the owner is cleaned up).
    pub fn new(config: &Config) -> Self {
        let timeline = Timeline::new();
        let breaker = BreakerView::new(&config.server, config.settings, timeline);
        let calls = Calls::new(breaker, timeline);
        let settings = SettingsState::new(config.settings, breaker);
        let faults = ServerFaults::new(&config.server, calls);
        Page {
            timeline,
            breaker,
            calls,
            settings,
            faults,
            go_demo: GoDemo::new(breaker, calls, settings, faults),
            fleet: SharedFleet::new(&config.server),
        }
    }
}

/// The page's state, for the settings panel, which reads it from the
/// context the app provides.
pub fn page() -> Page {
    expect_context::<Page>()
}

/// The local time of day, `HH:MM:SS.mmm`.
fn wall_clock() -> String {
    let now = js_sys::Date::new_0();
    crate::log::time_of_day(
        now.get_hours(),
        now.get_minutes(),
        now.get_seconds(),
        now.get_milliseconds(),
    )
}
