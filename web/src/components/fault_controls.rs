//! The server's fault controls and counters.

use crate::faults::{Fault, ServerStatus};
use crate::state::ServerFaults;
use leptos::prelude::*;

/// The slow mode's delay until changed, in milliseconds.
const DEFAULT_DELAY_MS: u32 = 2_000;

/// Makes the server healthy, failing with `Unavailable`, busy (its queue
/// full: `ResourceExhausted`), or slow by N ms (changes apply at once), and
/// shows what it received and answered. Disabled while the Go demo plays.
#[component]
pub(crate) fn FaultControls(
    /// The server's fault controls.
    faults: ServerFaults,
    /// Whether the Go demo plays.
    #[prop(into)]
    playing: Signal<bool>,
) -> impl IntoView {
    let delay_ms = RwSignal::new(DEFAULT_DELAY_MS);
    let on_mode = move |ev: leptos::ev::Event| {
        faults.set_fault(match event_target_value(&ev).as_str() {
            "failing" => Fault::Failing,
            "busy" => Fault::Busy,
            "slow" => Fault::Slow(delay_ms.get_untracked()),
            _ => Fault::Healthy,
        })
    };
    let on_delay = move |ev: leptos::ev::Event| {
        if let Ok(ms) = event_target_value(&ev).trim().parse() {
            delay_ms.set(ms);
            faults.set_fault(Fault::Slow(ms));
        }
    };
    view! {
        <section class="card faults">
            <h2>"Server faults"</h2>
            <p class="subtle">"Make the service itself fail, heal it, and watch the breaker recover."</p>
            <fieldset class="plain" disabled=playing>
                <div class="fault-row">
                    <label class="field">
                        <span class="label">"Mode"</span>
                        <select data-testid="fault-mode" prop:value=faults.chosen on:change=on_mode>
                            <option value="healthy">"healthy"</option>
                            <option value="failing">"failing (Unavailable)"</option>
                            <option value="busy">"busy (ResourceExhausted)"</option>
                            <option value="slow">"slow"</option>
                        </select>
                    </label>
                    <label class="field">
                        <span class="label">"Delay (ms)"</span>
                        <input
                            type="number"
                            min="0"
                            step="100"
                            prop:value=delay_ms
                            disabled=move || faults.chosen.with(|mode| mode != "slow")
                            on:change=on_delay
                        />
                    </label>
                </div>
                <ServerCounters status=faults.status />
                <div class="buttons">
                    <button type="button" on:click=move |_| faults.refresh()>"Refresh"</button>
                    <button type="button" on:click=move |_| faults.reset_counters()>"Reset counters"</button>
                </div>
            </fieldset>
        </section>
    }
}

/// The server's mode and its SayHello counters, or why they are unknown.
#[component]
fn ServerCounters(
    /// What the server last said, or why it did not; `None` until it answers.
    status: ReadSignal<Option<Result<ServerStatus, String>>>,
) -> impl IntoView {
    move || {
        match status.get() {
        None => view! { <p class="subtle">"Asking the server…"</p> }.into_any(),
        Some(Err(problem)) => view! { <p class="error" role="alert">{problem}</p> }.into_any(),
        Some(Ok(status)) => view! {
            <dl class="server-status" data-testid="server-status">
                <div><dt>"Mode"</dt><dd data-mode=status.mode.clone()>{status.mode.clone()}</dd></div>
                <div><dt>"Received"</dt><dd>{status.received}</dd></div>
                <div><dt>"Answered"</dt><dd>{status.answered}</dd></div>
                <div><dt>"Succeeded"</dt><dd>{status.succeeded}</dd></div>
            </dl>
        }
        .into_any(),
    }
    }
}
