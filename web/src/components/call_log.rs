//! The calls' results.

use super::LogList;
use crate::Demo;
use leptos::prelude::*;

/// One line per call result, as the Go demo prints it
/// (`Greeting: Hello World`, `Error calling SayHello: …`).
#[component]
pub(crate) fn CallLog() -> impl IntoView {
    let demo = expect_context::<Demo>();
    view! {
        <h3>"Calls"</h3>
        <LogList entries=demo.calls testid="call-log" empty="No calls yet." />
    }
}
