//! The calls' results.

use super::LogList;
use crate::state::page;
use leptos::prelude::*;

/// One line per call result, as the Go demo prints it
/// (`Greeting: Hello World`, `Error calling SayHello: …`).
#[component]
pub(crate) fn CallLog() -> impl IntoView {
    let calls = page().calls;
    view! {
        <h3>"Calls"</h3>
        <LogList entries=calls.log testid="call-log" empty="No calls yet." />
    }
}
