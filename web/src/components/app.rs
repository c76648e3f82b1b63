//! The whole page.

use super::*;
use crate::Config;
use crate::state::Page;
use leptos::prelude::*;

/// The whole page for `config`: the timeline across the top, the calls on
/// one side, the breaker and its state diagram on the other, then the Go
/// demo, the settings, the server's fault controls and, when the server
/// shares breakers with a fleet, those breakers. It owns the page's
/// state and gives each part what it shows or changes.
#[component]
pub fn App(
    /// Where the server is and how the breaker starts out.
    config: Config,
) -> impl IntoView {
    let page = Page::new(&config);
    // The settings panel reads the state from the context.
    provide_context(page);
    let Page {
        timeline,
        breaker,
        calls,
        settings,
        faults,
        go_demo,
        fleet,
    } = page;
    let settings = settings.settings;
    let playing = Memo::new(move |_| go_demo.playing());
    view! {
        <header class="top">
            <h1>"Greeter " <span class="subtle">"· circuit breaker"</span></h1>
            <p class="server">"Server " <code>{config.server.clone()}</code></p>
        </header>
        <QueryProblems problems=config.problems />
        <main class="grid">
            <TimelineStrip timeline />
            <section class="card calls">
                <h2>"Call the greeter"</h2>
                <HelloForm calls playing />
                <GreetingCard greeting=calls.greeting />
                <CallLog log=calls.log />
            </section>
            <section class="card breaker">
                <h2>"Circuit breaker " <code>"'greeter'"</code></h2>
                <div class="state-row">
                    <StateBadge state=breaker.state />
                    <OpenCountdown remaining_ms=breaker.until_half_open settings />
                </div>
                <StateDiagram state=breaker.state settings taken=breaker.taken />
                <CountsPanel counts=breaker.counts />
                <TransitionLog log=breaker.transitions />
            </section>
            <GoDemoPlayer demo=go_demo settings />
            <SettingsPanel server=config.server.clone() />
            <FaultControls faults playing />
            <FleetPanel fleet />
        </main>
    }
}
