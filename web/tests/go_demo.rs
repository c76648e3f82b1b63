//! The "Play the Go demo" button in headless Chromium against the live
//! greeter server (its URL baked in from `GREETER_URL`): the story of
//! `greeter_client::go_demo`, with the Go demo's settings and its 5 s
//! wait, shown in the page's own logs; and stopped halfway.
#![cfg(target_arch = "wasm32")]

mod support;

use std::time::Duration;
use support::lines::*;
use support::{Page, heal_server, received, set_fault, sleep};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test;
use web::faults::Fault;
use web_sys::Element;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The Go demo's call lines, in its order.
const CALLS: [&str; 13] = [
    GREETING, EMPTY_NAME, GREETING, EMPTY_NAME, // valid and empty alternate
    EMPTY_NAME, EMPTY_NAME, // the third failure in a row trips it
    OPEN, OPEN, OPEN, // refused while open
    GREETING, GREETING, GREETING, // three trials close it
    GREETING, // one more
];

/// The Go demo's state changes, in its order.
const TRANSITIONS: [&str; 3] = [CLOSED_TO_OPEN, OPEN_TO_HALF_OPEN, HALF_OPEN_TO_CLOSED];

/// The play takes the Go demo's 5 s open timeout and some calls: far more
/// than enough.
const PLAY_PATIENCE: Duration = Duration::from_secs(30);

/// Whether the element matching `selector` is disabled (by itself or by
/// its fieldset).
fn disabled(page: &Page, selector: &str) -> bool {
    let element: Element = page
        .query(selector)
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into();
    element.matches(":disabled").unwrap()
}

/// The controls the play disables.
const CONTROLS: [&str; 6] = [
    "[data-testid=\"send-valid\"]",
    "[data-testid=\"send-empty\"]",
    "[data-testid=\"send-burst\"]",
    "[data-testid=\"fault-mode\"]",
    "[data-setting=\"timeout\"] input",
    ".faults button",
];

fn play_button(page: &Page) -> String {
    page.get("play-go-demo").inner_text()
}

/// Waits until the button says `label` and the other controls are
/// disabled while it says "Stop", enabled otherwise.
async fn wait_for_button(page: &Page, label: &str) {
    let playing = label == "Stop";
    page.wait_until(&format!("the button to say {label}"), |page| {
        play_button(page) == label
            && CONTROLS
                .iter()
                .all(|control| disabled(page, control) == playing)
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_button_plays_the_go_demo_with_its_settings_on_a_healed_server() {
    heal_server().await;
    // Other settings than the Go demo's, calls already logged, and a
    // failing server: the play starts from scratch all the same.
    let page = Page::mount("?timeout=1m&trip=1&max_requests=1");
    assert_eq!(page.call("send-empty").await, EMPTY_NAME);
    page.wait_for_state("open").await;
    set_fault(Fault::Failing).await;

    page.click("play-go-demo");
    wait_for_button(&page, "Stop").await;
    page.wait_until("the Go demo's settings", |page| {
        ["max_requests", "interval", "timeout", "trip"].map(|key| page.setting(key))
            == ["3", "10s", "5s", "3"]
    })
    .await;
    assert_eq!(
        page.get("go-demo-settings").inner_text(),
        "max_requests=3 interval=10s timeout=5s trip=3"
    );
    page.wait_until("the wait for the timeout", |page| {
        page.get("go-demo-step")
            .inner_text()
            .starts_with("Step 4 of 6: waiting")
    })
    .await;
    assert!(page.find("open-countdown").is_some(), "the countdown shows");
    page.wait_within("the play to end", PLAY_PATIENCE, |page| {
        play_button(page) == "Play the Go demo"
    })
    .await;
    wait_for_button(&page, "Play the Go demo").await;

    assert_eq!(page.lines("call-log"), CALLS);
    assert_eq!(page.lines("transition-log"), TRANSITIONS);
    assert_eq!(page.state(), "closed");
    let note = page.get("go-demo-note").inner_text();
    assert!(
        note.contains("The server was failing with Unavailable: made healthy for the recovery.")
            && note.ends_with("recovered: the breaker is closed again"),
        "{note}"
    );
    assert!(
        page.get("go-demo-step")
            .inner_text()
            .starts_with("Step 6 of 6: one more call")
    );
}

#[wasm_bindgen_test]
async fn stopping_it_in_the_wait_ends_its_calls_and_frees_the_page() {
    heal_server().await;
    let page = Page::mount("");
    page.click("play-go-demo");
    page.wait_until("the wait for the timeout", |page| {
        page.get("go-demo-step")
            .inner_text()
            .starts_with("Step 4 of 6")
    })
    .await;
    page.click("play-go-demo");
    wait_for_button(&page, "Play the Go demo").await;
    let note = page.get("go-demo-note").inner_text();
    assert!(note.contains("Stopped at step 4 of 6."), "{note}");
    let calls = page.lines("call-log");
    assert_eq!(calls, CALLS[..9]);
    let before = received().await;

    // Past the 5 s timeout the story would have made its trial calls.
    page.wait_for_state("half-open").await;
    sleep(Duration::from_millis(500)).await;
    assert_eq!(page.lines("call-log"), calls, "no call after stopping");
    assert_eq!(received().await, before, "nothing reached the server");

    // The page is the visitor's again.
    assert_eq!(page.call("send-valid").await, GREETING);
}
