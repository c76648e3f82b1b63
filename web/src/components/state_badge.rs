//! A breaker's state, as a coloured badge.

use leptos::prelude::*;
use tripbreaker::State;

/// Closed (green), Open (red) or Half-open (amber), redrawn the moment the
/// breaker changes and announced to screen readers.
#[component]
pub(crate) fn StateBadge(
    /// The breaker's state.
    #[prop(into)]
    state: Signal<State>,
    /// The test hook (`data-testid`): the page's own breaker keeps
    /// `state-badge`, the only element with it, as its tests expect.
    #[prop(default = "state-badge")]
    testid: &'static str,
    /// Which breaker, as it is announced ("Breaker payments Open"); the
    /// page's own by default.
    #[prop(optional, into)]
    name: Option<String>,
) -> impl IntoView {
    let lead = match name {
        Some(name) => format!("Breaker {name} "),
        None => "Breaker ".to_owned(),
    };
    view! {
        <span
            class="badge"
            data-testid=testid
            data-state=move || state.get().as_str()
            role="status"
            aria-live="polite"
            aria-atomic="true"
        >
            <span class="visually-hidden">{lead}</span>
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
