//! The calls' results.

use super::LogList;
use crate::log::Log;
use leptos::prelude::*;

/// One line per call result, as the Go demo prints it
/// (`Greeting: Hello World`, `Error calling SayHello: …`).
#[component]
pub(crate) fn CallLog(
    /// The calls' results.
    log: ReadSignal<Log>,
) -> impl IntoView {
    view! {
        <h3>"Calls"</h3>
        <LogList entries=log testid="call-log" empty="No calls yet." />
    }
}
