//! The breaker's three states and four arrows, drawn live.

use crate::diagram;
use crate::effect::effect;
use crate::state::{page, set_if_changed};
use leptos::prelude::*;

/// An SVG of closed, open and half-open with the current state lit, each
/// arrow labelled with the rule in force and how often it was taken, and
/// the arrow just taken flashing (a steady highlight when the visitor
/// prefers reduced motion: see `style.css`). Described in words for screen
/// readers.
///
/// Hooks: `data-testid="state-diagram"` with `data-state` (the breaker's
/// state: `closed`, `open`, `half-open`, or `forced-open`, `forced-closed`,
/// `disabled`, which light open, closed and closed); one `[data-edge]` per
/// arrow with `data-taken`, counted since the breaker was built (the page
/// loaded, or a settings change rebuilt it, which clears the counts too).
#[component]
pub(crate) fn StateDiagram() -> impl IntoView {
    let breaker = page().breaker;
    let settings = page().settings.settings;
    // Redrawn (so the arrow's flash starts again) only when what it shows
    // changes: a transition, a settings change.
    let svg = RwSignal::new(String::new());
    effect(move || {
        let settings = settings.get().breaker_settings();
        let drawn = diagram::svg(breaker.state.get(), &settings, &breaker.taken.get());
        set_if_changed(svg, drawn);
    });
    view! { <div inner_html=svg></div> }
}
