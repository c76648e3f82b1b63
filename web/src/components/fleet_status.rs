//! How the live watch of the shared breakers stands.

use crate::format::time_left;
use crate::state::{Link, SharedFleet};
use leptos::prelude::*;
use std::time::Duration;

/// Live, connecting, or reconnecting (why, and after how long), announced
/// politely; once the page stopped trying, a button to try again.
#[component]
pub(crate) fn FleetStatus(
    /// The server's shared breakers.
    fleet: SharedFleet,
) -> impl IntoView {
    // Said again only when the words change: each failed try sets the link.
    let said = Memo::new(move |_| fleet.link.with(words));
    let kind = move || fleet.link.with(Link::as_str);
    view! {
        <div class="fleet-link-row">
            <p class="fleet-link" data-testid="fleet-status" data-link=kind role="status">
                {said}
            </p>
            <Show when=move || kind() == "stopped">
                <button type="button" data-testid="fleet-reconnect" on:click=move |_| fleet.reconnect()>
                    "Reconnect"
                </button>
            </Show>
        </div>
    }
}

fn words(link: &Link) -> String {
    match link {
        Link::Connecting => "Connecting…".to_owned(),
        Link::Live => "Live: changes show as they happen.".to_owned(),
        Link::Reconnecting { reason, wait } => {
            format!("Reconnecting after {}: {reason}", wait_words(*wait))
        }
        Link::Stopped { reason } => format!("Not watching: too many tries failed ({reason})."),
    }
}

/// A wait as `250 ms` under a second, else as [`time_left`] says it.
fn wait_words(wait: Duration) -> String {
    let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        time_left(ms)
    }
}
