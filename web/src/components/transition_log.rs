//! The breaker's state changes.

use super::LogList;
use crate::state::page;
use leptos::prelude::*;

/// One line per state change, as the Go demo prints it
/// (`Circuit Breaker 'greeter' changed from closed to open`).
#[component]
pub(crate) fn TransitionLog() -> impl IntoView {
    let breaker = page().breaker;
    view! {
        <h3>"State changes"</h3>
        <LogList entries=breaker.transitions testid="transition-log" empty="No changes yet." />
    }
}
