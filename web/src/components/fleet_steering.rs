//! The controls that force and release one shared breaker.

use crate::fleet_list::Force;
use crate::state::SharedFleet;
use leptos::prelude::*;
use std::time::Duration;

/// The times a force may last, as offered: label and milliseconds.
const TTLS: [(&str, u64); 5] = [
    ("10 s", 10_000),
    ("30 s", 30_000),
    ("1 min", 60_000),
    ("5 min", 300_000),
    ("15 min", 900_000),
];

/// The time offered until changed: long enough to watch, short enough to
/// end by itself if forgotten.
const DEFAULT_TTL_MS: u64 = 60_000;

/// The reason sent when none is typed.
const DEFAULT_REASON: &str = "from the page";

/// A force's time to live and reason, Force open, Force closed, and Release
/// (enabled while forced); each acts at once and the breaker's row shows
/// the answer.
#[component]
pub(crate) fn FleetSteering(
    /// The server's shared breakers.
    fleet: SharedFleet,
    /// The breaker these controls steer.
    name: String,
    /// Whether it is forced now.
    #[prop(into)]
    forced: Signal<bool>,
) -> impl IntoView {
    let ttl_ms = RwSignal::new(DEFAULT_TTL_MS);
    let reason = RwSignal::new(DEFAULT_REASON.to_owned());
    let send = {
        let name = name.clone();
        move |force: Force| {
            let typed = reason.with_untracked(|reason| reason.trim().to_owned());
            let reason = if typed.is_empty() {
                DEFAULT_REASON.to_owned()
            } else {
                typed
            };
            let ttl = Duration::from_millis(ttl_ms.get_untracked());
            fleet.force(name.clone(), force, ttl, reason);
        }
    };
    let open = send.clone();
    let on_ttl = move |ev: leptos::ev::Event| {
        if let Ok(ms) = event_target_value(&ev).parse() {
            ttl_ms.set(ms);
        }
    };
    let release = {
        let name = name.clone();
        move |_| fleet.release(name.clone())
    };
    view! {
        <fieldset class="plain fleet-steer">
            <legend class="visually-hidden">"Steer " {name}</legend>
            <div class="fleet-steer-row">
                <label class="field">
                    <span class="label">"Force for"</span>
                    <select data-testid="fleet-ttl" on:change=on_ttl>
                        {TTLS
                            .into_iter()
                            .map(|(label, ms)| view! {
                                <option value=ms.to_string() selected=ms == DEFAULT_TTL_MS>{label}</option>
                            })
                            .collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="label">"Reason"</span>
                    <input
                        type="text"
                        data-testid="fleet-reason"
                        maxlength="200"
                        autocomplete="off"
                        placeholder=DEFAULT_REASON
                        prop:value=reason
                        on:input=move |ev| reason.set(event_target_value(&ev))
                    />
                </label>
            </div>
            <div class="buttons">
                <button type="button" data-testid="fleet-force-open" on:click=move |_| open(Force::Open)>
                    "Force open"
                </button>
                <button type="button" data-testid="fleet-force-closed" on:click=move |_| send(Force::Closed)>
                    "Force closed"
                </button>
                <button type="button" data-testid="fleet-release" disabled=move || !forced.get() on:click=release>
                    "Release"
                </button>
            </div>
        </fieldset>
    }
}
