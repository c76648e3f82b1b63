//! The calls and the breaker's states over time, as the timeline shows them.

use crate::timeline::{self, Band, CallMark, Drawn, MAX_MARKS, Outcome, WINDOW_MS};
use leptos::prelude::*;
use std::time::Duration;
use tripbreaker::{BrowserClock, State};

/// How often the strip moves on while nothing happens.
const TICK: Duration = Duration::from_secs(1);

/// The most bands kept, however often the breaker changes in a minute.
const MAX_BANDS: usize = 200;

/// The timeline as the page shows it: what the strip shows, a read
/// signal written only by [`redraw`](Self::redraw), each second and after
/// every change. What it draws is recorded only through
/// [`call_ended`](Self::call_ended) (where a call's result is shown, for
/// every call the page makes) and [`state_changed`](Self::state_changed)
/// (by the breaker's observer).
#[derive(Clone, Copy)]
pub struct Timeline {
    /// The strip as of the last redraw ([`timeline::window`]).
    pub drawn: ReadSignal<Drawn>,
    set_drawn: WriteSignal<Drawn>,
    history: StoredValue<History>,
}

/// What is kept: just enough for the window.
#[derive(Default)]
struct History {
    calls: Vec<CallMark>,
    bands: Vec<Band>,
    ended: u64,
    /// The strip's width in CSS px, as last measured (0: not yet).
    strip_px: u32,
}

impl Timeline {
    /// A closed breaker from now on and no calls; the strip moves on each
    /// second while the current owner lives.
    pub fn new() -> Self {
        let (drawn, set_drawn) = signal(Drawn::default());
        let history = StoredValue::new(History {
            bands: vec![Band {
                from: now_ms(),
                state: State::Closed,
            }],
            ..History::default()
        });
        let timeline = Timeline {
            drawn,
            set_drawn,
            history,
        };
        timeline.redraw();
        let ticker = set_interval_with_handle(move || timeline.redraw(), TICK);
        on_cleanup(move || _ = ticker.map(|ticker| ticker.clear()));
        timeline
    }

    /// A call ended now with `outcome` after `retries`; `line` is what the
    /// call log says of it.
    pub fn call_ended(self, outcome: Outcome, retries: u32, line: String) {
        let now = now_ms();
        self.history.try_update_value(|history| {
            if history.calls.len() >= MAX_MARKS {
                history.calls.remove(0);
            }
            history.calls.push(CallMark {
                id: history.ended,
                ended_at: now,
                outcome,
                retries,
                line,
            });
            history.ended += 1;
        });
        self.redraw();
    }

    /// The strip is now `strip_px` CSS px wide: marks are spread for it.
    pub fn resized(self, strip_px: u32) {
        let changed = self.history.try_update_value(|history| {
            std::mem::replace(&mut history.strip_px, strip_px) != strip_px
        });
        if changed == Some(true) {
            self.redraw();
        }
    }

    /// The breaker entered `state` now.
    pub fn state_changed(self, state: State) {
        let now = now_ms();
        self.history.try_update_value(|history| {
            let bands = &mut history.bands;
            if bands.last().is_some_and(|last| last.state == state) {
                return;
            }
            // Bands that ended before the window began are never drawn.
            let since = now.saturating_sub(WINDOW_MS);
            let over = bands.iter().skip(1).take_while(|b| b.from <= since).count();
            bands.drain(..over.max(bands.len().saturating_sub(MAX_BANDS - 1)));
            bands.push(Band { from: now, state });
        });
        self.redraw();
    }

    /// Draws the window as of now.
    fn redraw(self) {
        let drawn = self
            .history
            .try_with_value(|h| timeline::window(&h.calls, &h.bands, now_ms(), h.strip_px));
        if let Some(drawn) = drawn {
            self.set_drawn.try_set(drawn);
        }
    }
}

fn now_ms() -> u64 {
    BrowserClock::now_millis() as u64
}
