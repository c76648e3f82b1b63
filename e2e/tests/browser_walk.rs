//! The demo as a person uses it: the release page, served by the real
//! server, clicked through in headless Chromium using only the page's
//! `data-testid` hooks (and the state diagram's `data-edge`, the timeline's
//! `data-outcome`); then the same walk once through `trunk serve` and its
//! proxy, the dev loop. Each stage saves a screenshot under `target/e2e/`; a
//! failing step prints the page's console and logs.

mod support;

use server::faults::{Counters, FaultState};
use support::browser::Browser;
use support::trunk::TrunkServe;

/// A scenario in the URL: a short open timeout (long enough for the checks
/// and screenshot made while open, through `trunk serve` on a loaded
/// machine too), two trial calls, a 500 ms deadline.
const SCENARIO: &str = "/?timeout=5s&max_requests=2&trip=3&deadline=500ms";
const GREETING: &str = "Greeting: Hello World";
const EMPTY: &str =
    "Error calling SayHello: rpc error: code = InvalidArgument desc = Name cannot be empty";
const OPEN: &str = "Error calling SayHello: circuit breaker is open";

fn changed(from: &str, to: &str) -> String {
    format!("Circuit Breaker 'greeter' changed from {from} to {to}")
}

async fn state(browser: &Browser) -> String {
    browser.state().await
}

async fn wait_for_state(browser: &Browser, expected: &str) {
    browser.wait_for_state(expected).await;
}

/// The state the diagram lights (its `data-state`).
async fn diagram_state(browser: &Browser) -> String {
    browser
        .attr("state-diagram", "data-state")
        .await
        .unwrap_or_default()
}

/// How often each arrow of the diagram was taken: closed→open,
/// open→half-open, half-open→closed, half-open→open.
async fn taken(browser: &Browser) -> Vec<u32> {
    let script = "return ['closed-open', 'open-half-open', 'half-open-closed', 'half-open-open'].map(edge => \
        Number(document.querySelector(`[data-testid='state-diagram'] [data-edge='${edge}']`)?.dataset.taken ?? -1))";
    let value = browser.client.execute(script, vec![]).await.unwrap();
    serde_json::from_value(value).unwrap()
}

/// Waits until the diagram lights `state` with its arrows taken `expected` times.
async fn wait_for_diagram(browser: &Browser, state: &str, expected: [u32; 4]) {
    browser
        .wait_until(
            &format!("the diagram to light {state} with arrows taken {expected:?}"),
            || async { diagram_state(browser).await == state && taken(browser).await == expected },
        )
        .await;
}

/// The timeline's marks' `data-outcome`, oldest first.
async fn outcomes(browser: &Browser) -> Vec<String> {
    let script = "return Array.from(document.querySelectorAll(\"[data-testid='timeline'] [data-outcome]\")).map(e => e.dataset.outcome)";
    let value = browser.client.execute(script, vec![]).await.unwrap();
    serde_json::from_value(value).unwrap()
}

/// Waits until the timeline shows exactly these outcomes, oldest first.
async fn wait_for_outcomes(browser: &Browser, expected: &[&str]) {
    browser
        .wait_until(&format!("the timeline to show {expected:?}"), || async {
            outcomes(browser).await == expected
        })
        .await;
}

/// The outcome a call log line stands for (the walk excludes nothing).
fn outcome_of(line: &str) -> &'static str {
    if line.starts_with("Greeting: ") {
        "success"
    } else if line.ends_with("circuit breaker is open") || line.ends_with("too many requests") {
        "rejected"
    } else {
        "failure"
    }
}

/// Clicks `button` and waits until the call log has one more line; returns it.
async fn call(browser: &Browser, button: &str) -> String {
    let before = browser.texts("call-log").await.len();
    browser.click(button).await;
    browser
        .wait_until(
            &format!("a call log line after clicking {button}"),
            || async { browser.texts("call-log").await.len() > before },
        )
        .await;
    browser.texts("call-log").await.pop().unwrap()
}

/// Clicks `button` and expects `expected` as the new call log line.
async fn expect_call(browser: &Browser, button: &str, expected: &str) {
    let line = call(browser, button).await;
    if line != expected {
        panic!(
            "after clicking {button}: expected {expected:?}, got {line:?}\n{}",
            browser.report().await
        );
    }
}

/// With the server's fault `mode` on, valid calls fail with lines starting
/// with `prefix` until the breaker opens.
async fn trip_with_fault(browser: &Browser, faults: &FaultState, mode: &str, prefix: &str) {
    select_fault(browser, mode).await;
    wait_for_mode(browser, faults, false).await;
    for _ in 0..3 {
        let line = call(browser, "send-valid").await;
        assert!(
            line.starts_with(prefix),
            "{line}\n{}",
            browser.report().await
        );
    }
    wait_for_state(browser, "open").await;
}

async fn select_fault(browser: &Browser, mode: &str) {
    browser
        .by_testid("fault-mode")
        .await
        .select_by_value(mode)
        .await
        .unwrap_or_else(|e| panic!("cannot choose fault mode {mode}: {e}"));
}

async fn set_name(browser: &Browser, name: &str) {
    let input = browser.by_testid("name-input").await;
    input.clear().await.unwrap();
    input.send_keys(name).await.unwrap();
}

/// Waits until the server's mode has taken effect (the select applies it asynchronously).
async fn wait_for_mode(browser: &Browser, faults: &FaultState, healthy: bool) {
    browser
        .wait_until("the server's fault mode to change", || async {
            (faults.mode() == server::faults::Mode::Healthy) == healthy
        })
        .await;
}

fn received(faults: &FaultState) -> u64 {
    let Counters { received, .. } = faults.counters();
    received
}

/// The whole walk against the page at `base`, with `faults` the server's fault state.
async fn walk(browser: &Browser, base: &str, faults: &FaultState) {
    browser.open(&format!("{base}{SCENARIO}")).await;
    wait_for_state(browser, "closed").await;
    wait_for_diagram(browser, "closed", [0, 0, 0, 0]).await;
    assert!(outcomes(browser).await.is_empty(), "no calls yet");
    browser.screenshot("0-loaded").await;

    // 1. A valid name: the greeting, and the breaker stays closed.
    expect_call(browser, "send-valid", GREETING).await;
    assert_eq!(state(browser).await, "closed");
    wait_for_outcomes(browser, &["success"]).await;
    browser.screenshot("1-greeting").await;

    // 2. Three empty names: three InvalidArgument lines, and it trips.
    for _ in 0..3 {
        expect_call(browser, "send-empty", EMPTY).await;
    }
    wait_for_state(browser, "open").await;
    assert_eq!(
        browser.texts("transition-log").await,
        [changed("closed", "open")]
    );
    assert!(
        browser
            .by_testid("open-countdown")
            .await
            .text()
            .await
            .unwrap()
            .contains("half-open in")
    );
    // The diagram lights open and counts the arrow; a mark per call.
    wait_for_diagram(browser, "open", [1, 0, 0, 0]).await;
    wait_for_outcomes(browser, &["success", "failure", "failure", "failure"]).await;
    browser.screenshot("2-open").await;

    // 3. A valid name while open: refused at once; the server never saw it.
    let before = received(faults);
    expect_call(browser, "send-valid", OPEN).await;
    assert_eq!(
        received(faults),
        before,
        "a call reached the server while the breaker was open"
    );
    wait_for_outcomes(
        browser,
        &["success", "failure", "failure", "failure", "rejected"],
    )
    .await;
    browser.screenshot("3-rejected").await;

    // 4. No click: the badge turns half-open by itself after the timeout.
    wait_for_state(browser, "half-open").await;
    wait_for_diagram(browser, "half-open", [1, 1, 0, 0]).await;
    browser.screenshot("4-half-open").await;

    // 5. Two valid names close it again; the transitions are in order.
    for _ in 0..2 {
        expect_call(browser, "send-valid", GREETING).await;
    }
    wait_for_state(browser, "closed").await;
    assert_eq!(
        browser.texts("transition-log").await,
        [
            changed("closed", "open"),
            changed("open", "half-open"),
            changed("half-open", "closed")
        ]
    );
    wait_for_diagram(browser, "closed", [1, 1, 1, 0]).await;
    wait_for_outcomes(
        browser,
        &[
            "success", "failure", "failure", "failure", "rejected", "success", "success",
        ],
    )
    .await;
    browser.screenshot("5-closed").await;

    // 6. The service itself fails: valid calls fail and trip the breaker ...
    let unavailable = "Error calling SayHello: rpc error: code = Unavailable desc = ";
    trip_with_fault(browser, faults, "failing", unavailable).await;
    browser.screenshot("6-service-failing").await;
    // ... it comes back: half-open, then closed after two trials.
    select_fault(browser, "healthy").await;
    wait_for_mode(browser, faults, true).await;
    wait_for_state(browser, "half-open").await;
    for _ in 0..2 {
        expect_call(browser, "send-valid", GREETING).await;
    }
    wait_for_state(browser, "closed").await;
    wait_for_diagram(browser, "closed", [2, 2, 2, 0]).await;
    browser.screenshot("6-recovered").await;
    // A slow service past the 500 ms deadline: failures too.
    let deadline = "Error calling SayHello: rpc error: code = DeadlineExceeded";
    trip_with_fault(browser, faults, "slow", deadline).await;
    select_fault(browser, "healthy").await;
    wait_for_mode(browser, faults, true).await;
    browser.screenshot("6-slow").await;

    // 7. A name with HTML in it is shown literally, never as markup.
    wait_for_state(browser, "half-open").await;
    set_name(browser, "<b>x</b>").await;
    assert_eq!(
        call(browser, "send-valid").await,
        "Greeting: Hello <b>x</b>"
    );
    for (place, selector) in [
        ("the call log", "[data-testid='call-log'] b"),
        ("the timeline", "[data-testid='timeline'] b:not(.retries)"),
    ] {
        let script = format!("return document.querySelector(\"{selector}\") === null");
        let markup = browser.client.execute(&script, vec![]).await.unwrap();
        assert_eq!(
            markup,
            serde_json::Value::Bool(true),
            "the server's text was rendered as HTML in {place}"
        );
    }
    browser.screenshot("7-literal-html").await;

    // One mark per call, each with its call's outcome: the marks are the
    // latest calls (those of the last minute, at most 50).
    let lines = browser.texts("call-log").await;
    let expected: Vec<&str> = lines.iter().map(|line| outcome_of(line)).collect();
    let marks = outcomes(browser).await;
    let marks: Vec<&str> = marks.iter().map(String::as_str).collect();
    assert!(
        !marks.is_empty() && expected.ends_with(&marks),
        "marks {marks:?} are not the latest of the calls' outcomes {expected:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_served_by_the_server_walks_through_every_state() {
    let server = support::serve_page().await;
    let browser = Browser::start("served").await;
    walk(&browser, &server.url(), server.faults()).await;
    browser.close().await;
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dev_loop_trunk_serve_proxies_to_the_server() {
    // Trunk.toml proxies the gRPC-Web paths to the server's default address.
    let server = server::spawn(server::Config {
        addr: "127.0.0.1:50051".parse().unwrap(),
        static_dir: None,
        faults: server::FaultsSetting::On,
        ..server::Config::default()
    })
    .await
    .expect("port 50051 must be free: Trunk.toml's proxy points at the server there (stop any server running on it)");

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut trunk = TrunkServe::start(&root);
    trunk.wait_until_settled().await;

    let browser = Browser::start("trunk-serve").await;
    walk(&browser, &trunk.url(), server.faults()).await;
    browser.close().await;
    drop(trunk);
    server.shutdown().await.unwrap();
}

/// The Go demo's call lines, in its order.
const GO_CALLS: [&str; 13] = [
    GREETING, EMPTY, GREETING, EMPTY, // valid and empty alternate
    EMPTY, EMPTY, // the third failure in a row trips it
    OPEN, OPEN, OPEN, // refused while open
    GREETING, GREETING, GREETING, // three trials close it
    GREETING, // one more
];

/// The controls a play of the Go demo disables.
const PLAY_DISABLES: &str = "[data-testid='send-valid'], [data-testid='send-empty'], \
    [data-testid='send-burst'], [data-testid='fault-mode'], [data-setting] input, \
    [data-setting] select, .faults button";

/// How many of the controls a play disables are disabled, and how many there are.
async fn disabled_controls(browser: &Browser) -> (u64, u64) {
    let script = "const all = [...document.querySelectorAll(arguments[0])]; \
                  return [all.filter(e => e.matches(':disabled')).length, all.length]";
    let counts = browser
        .client
        .execute(script, vec![serde_json::json!(PLAY_DISABLES)])
        .await
        .unwrap();
    serde_json::from_value(counts).unwrap()
}

/// Waits until the button says `label`, with the other controls all
/// disabled while it says "Stop" and all enabled otherwise.
async fn wait_for_play_button(browser: &Browser, label: &str) {
    browser
        .wait_until(&format!("the Go demo button to say {label}"), || async {
            let (disabled, all) = disabled_controls(browser).await;
            let expected = if label == "Stop" { all } else { 0 };
            browser.text("play-go-demo").await == label && all > 0 && disabled == expected
        })
        .await;
}

/// Waits until the Go demo's step line starts with `prefix`.
async fn wait_for_step(browser: &Browser, prefix: &str) {
    browser
        .wait_until(&format!("the Go demo at {prefix:?}"), || async {
            browser.text("go-demo-step").await.starts_with(prefix)
        })
        .await;
}

/// What a setting's input shows.
async fn setting(browser: &Browser, key: &str) -> String {
    let input = browser
        .client
        .find(fantoccini::Locator::Css(&format!(
            "[data-setting='{key}'] input"
        )))
        .await
        .unwrap();
    input.prop("value").await.unwrap().unwrap_or_default()
}

/// The "Play the Go demo" button: from another scenario, with calls
/// already logged and the server failing, one click plays the Go demo with
/// its settings and its 5 s wait, and the logs end up holding exactly its
/// lines; a second play stopped in the wait makes no more calls and gives
/// the page back.
#[tokio::test(flavor = "multi_thread")]
async fn the_go_demo_button_replays_the_go_demo() {
    let server = support::serve_page().await;
    let faults = server.faults();
    let browser = Browser::start("go-demo").await;
    browser.open(&format!("{}{SCENARIO}", server.url())).await;
    wait_for_state(&browser, "closed").await;
    expect_call(&browser, "send-empty", EMPTY).await;
    select_fault(&browser, "failing").await;
    wait_for_mode(&browser, faults, false).await;

    browser.click("play-go-demo").await;
    wait_for_play_button(&browser, "Stop").await;
    wait_for_step(&browser, "Step 4 of 6: waiting").await;
    assert_eq!(state(&browser).await, "open");
    assert!(browser.attr("open-countdown", "role").await.is_some());
    browser.screenshot("go-demo-waiting").await;
    wait_for_play_button(&browser, "Play the Go demo").await;
    browser.screenshot("go-demo-played").await;

    let calls = browser.texts("call-log").await;
    let transitions = browser.texts("transition-log").await;
    let report = browser.report().await;
    assert_eq!(calls, GO_CALLS, "{report}");
    assert_eq!(
        transitions,
        [
            changed("closed", "open"),
            changed("open", "half-open"),
            changed("half-open", "closed")
        ],
        "{report}"
    );
    // The diagram and the timeline saw it happen: each arrow of the story
    // taken once by the rebuilt breaker, one mark per call of the story.
    wait_for_diagram(&browser, "closed", [1, 1, 1, 0]).await;
    let expected: Vec<&str> = GO_CALLS.iter().map(|line| outcome_of(line)).collect();
    let marks = outcomes(&browser).await;
    assert!(
        marks.ends_with(&expected.iter().map(|m| m.to_string()).collect::<Vec<_>>()),
        "marks {marks:?} do not end with the story's {expected:?}"
    );
    let mut settings = Vec::new();
    for key in ["max_requests", "interval", "timeout", "trip"] {
        settings.push(setting(&browser, key).await);
    }
    assert_eq!(settings, ["3", "10s", "5s", "3"], "the Go demo's settings");
    let note = browser.text("go-demo-note").await;
    assert!(
        note.starts_with("The server was failing with Unavailable: made healthy")
            && note.ends_with("recovered: the breaker is closed again"),
        "{note}"
    );
    assert_eq!(faults.mode(), server::faults::Mode::Healthy);
    let menu = browser.by_testid("fault-mode").await.prop("value").await;
    assert_eq!(
        menu.unwrap().as_deref(),
        Some("healthy"),
        "the menu says so too"
    );

    // Stopped in the wait: nothing more is called, the page is usable.
    browser.click("play-go-demo").await;
    wait_for_step(&browser, "Step 4 of 6").await;
    browser.click("play-go-demo").await;
    wait_for_play_button(&browser, "Play the Go demo").await;
    let calls = browser.texts("call-log").await;
    assert_eq!(calls, GO_CALLS[..9], "stopped before the trial calls");
    let before = received(faults);
    wait_for_state(&browser, "half-open").await; // the timeout has passed
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        browser.texts("call-log").await,
        calls,
        "no call after stopping"
    );
    assert_eq!(received(faults), before, "nothing reached the server");
    let note = browser.text("go-demo-note").await;
    assert_eq!(note, "Stopped at step 4 of 6.");
    expect_call(&browser, "send-valid", GREETING).await;
    browser.screenshot("go-demo-stopped").await;

    browser.close().await;
    server.shutdown().await.unwrap();
}
