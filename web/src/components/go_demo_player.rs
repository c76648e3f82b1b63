//! The button that plays the Go demo, and how far it got.

use crate::state::{GoDemo, Progress};
use greeter_client::go_demo::STEPS;
use greeter_client::{SETTINGS, Settings};
use leptos::prelude::*;

/// The breaker's settings the Go demo sets (the first four of `SETTINGS`).
const BREAKER_KEYS: usize = 4;

/// Plays the Go demo with its settings and pacing, or stops it; the
/// settings in force, the step playing, and how it ended.
#[component]
pub(crate) fn GoDemoPlayer(
    /// The player.
    demo: GoDemo,
    /// The settings in force.
    settings: ReadSignal<Settings>,
) -> impl IntoView {
    let in_force = move || {
        settings.with(|settings| {
            let shown: Vec<String> = SETTINGS[..BREAKER_KEYS]
                .iter()
                .map(|setting| format!("{}={}", setting.key, setting.get(settings)))
                .collect();
            shown.join(" ")
        })
    };
    let progress = demo.progress;
    view! {
        <section class="card go-demo">
            <h2>"The Go demo"</h2>
            <p class="subtle">
                "The Go client's story with its settings and pacing: names and empty names, the trip, calls refused while open, the wait for the timeout, the trial calls, the recovery. The logs then read as the Go demo prints them."
            </p>
            <div class="buttons">
                <button type="button" class="primary" data-testid="play-go-demo" on:click=move |_| demo.toggle()>
                    {move || if demo.playing() { "Stop" } else { "Play the Go demo" }}
                </button>
            </div>
            <p>"Settings in force " <code data-testid="go-demo-settings">{in_force}</code></p>
            <p class="step" data-testid="go-demo-step" role="status">
                {move || progress.with(|Progress { step, .. }| {
                    step.map(|step| format!("Step {} of {STEPS}: {step}", step.number()))
                })}
            </p>
            <p data-testid="go-demo-note">{move || progress.with(|progress| progress.note.clone())}</p>
        </section>
    }
}
