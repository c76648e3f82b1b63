//! The breaker's state, as a coloured badge.

use leptos::prelude::*;
use tripbreaker::State;

/// Closed (green), Open (red) or Half-open (amber), redrawn the moment the
/// breaker changes and announced to screen readers.
#[component]
pub(crate) fn StateBadge(
    /// The breaker's state.
    state: ReadSignal<State>,
) -> impl IntoView {
    view! {
        <span
            class="badge"
            data-testid="state-badge"
            data-state=move || state.get().as_str()
            role="status"
            aria-live="polite"
            aria-atomic="true"
        >
            <span class="visually-hidden">"Breaker "</span>
            {move || label(state.get())}
        </span>
    }
}

fn label(state: State) -> &'static str {
    match state {
        State::Closed => "Closed",
        State::Open => "Open",
        State::HalfOpen => "Half-open",
        State::ForcedOpen => "Forced open",
        State::ForcedClosed => "Forced closed",
        State::Disabled => "Disabled",
    }
}
