//! The breaker's state changes.

use super::LogList;
use crate::log::Log;
use leptos::prelude::*;

/// One line per state change, as the Go demo prints it
/// (`Circuit Breaker 'greeter' changed from closed to open`).
#[component]
pub(crate) fn TransitionLog(
    /// The breaker's state changes.
    log: ReadSignal<Log>,
) -> impl IntoView {
    view! {
        <h3>"State changes"</h3>
        <LogList entries=log testid="transition-log" empty="No changes yet." />
    }
}
