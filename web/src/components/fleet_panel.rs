//! The shared breakers of the server's fleet, followed live.

use super::{FleetRow, FleetStatus};
use crate::fleet_list::FleetList;
use crate::state::{Link, SharedFleet};
use leptos::prelude::*;

/// Every breaker the server shares with its fleet, one row each (kept
/// across updates, so a reason being typed survives them), and how the
/// live watch stands (`data-link`; the rows fade while it is down: they
/// are as last heard). Nothing at all when the server has no shared state.
#[component]
pub(crate) fn FleetPanel(
    /// The server's shared breakers.
    fleet: SharedFleet,
) -> impl IntoView {
    view! {
        <Show when=move || fleet.shared.get() == Some(true)>
            <section
                class="card fleet"
                data-testid="fleet-panel"
                data-link=move || fleet.link.with(Link::as_str)
                aria-labelledby="fleet-heading"
            >
                <h2 id="fleet-heading">"Shared breakers"</h2>
                <p class="subtle">
                    "The breakers this server shares with its fleet, as they change. "
                    "Force one open or closed for a while, or release it."
                </p>
                <FleetStatus fleet />
                <Show when=move || fleet.breakers.with(FleetList::is_empty)>
                    <p class="empty subtle" data-testid="fleet-empty">"No shared breaker yet."</p>
                </Show>
                <ul class="fleet-list">
                    <For each=move || fleet.breakers.with(FleetList::names) key=|name| name.clone() let:name>
                        <FleetRow fleet name />
                    </For>
                </ul>
            </section>
        </Show>
    }
}
