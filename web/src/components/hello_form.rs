//! The name field and the buttons that call the greeter.

use crate::state::{BURST, Calls};
use leptos::prelude::*;

/// A name (default `World`), sent with the submit button or Enter; an
/// empty name; and a burst of concurrent calls. Disabled while the Go
/// demo plays.
#[component]
pub(crate) fn HelloForm(
    /// Where the calls go.
    calls: Calls,
    /// Whether the Go demo plays.
    #[prop(into)]
    playing: Signal<bool>,
) -> impl IntoView {
    let name = RwSignal::new("World".to_owned());
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        calls.send(name.get_untracked());
    };
    view! {
        <form class="hello" on:submit=send>
            <fieldset class="plain" disabled=playing>
            <label class="name">
                <span>"Name"</span>
                <input data-testid="name-input" type="text" autocomplete="off" spellcheck="false" bind:value=name />
            </label>
            <div class="buttons">
                <button type="submit" class="primary" data-testid="send-valid">"Say hello"</button>
                <button type="button" data-testid="send-empty" on:click=move |_| calls.send(String::new())>
                    "Send an empty name"
                </button>
                <button type="button" data-testid="send-burst" on:click=move |_| calls.burst(name.get_untracked())>
                    {format!("Burst of {BURST}")}
                </button>
            </div>
            </fieldset>
            <p class="in-flight">
                {move || match calls.in_flight.get() {
                    0 => String::new(),
                    n => format!("{n} in flight…"),
                }}
            </p>
        </form>
    }
}
