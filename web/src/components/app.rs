//! The whole page.

use super::*;
use crate::{Config, state};
use leptos::prelude::*;

/// The whole page for `config`: the timeline across the top, the calls on
/// one side, the breaker and its state diagram on the other, then the Go
/// demo, the settings and the server's fault controls.
#[component]
pub fn App(
    /// Where the server is and how the breaker starts out.
    config: Config,
) -> impl IntoView {
    state::provide(&config);
    view! {
        <header class="top">
            <h1>"Greeter " <span class="subtle">"· circuit breaker"</span></h1>
            <p class="server">"Server " <code>{config.server.clone()}</code></p>
        </header>
        <QueryProblems problems=config.problems />
        <main class="grid">
            <TimelineStrip />
            <section class="card calls">
                <h2>"Call the greeter"</h2>
                <HelloForm />
                <GreetingCard />
                <CallLog />
            </section>
            <section class="card breaker">
                <h2>"Circuit breaker " <code>"'greeter'"</code></h2>
                <div class="state-row">
                    <StateBadge />
                    <OpenCountdown />
                </div>
                <StateDiagram />
                <CountsPanel />
                <TransitionLog />
            </section>
            <GoDemoPlayer />
            <SettingsPanel server=config.server.clone() />
            <FaultControls />
        </main>
    }
}
