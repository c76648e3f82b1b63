//! The page in headless Chromium against the live greeter server (its URL
//! baked in from `GREETER_URL`). The test page is on another origin, so
//! every call also goes through the server's CORS. Tests run one after the
//! other in one page; each mounts its own app and heals the shared server
//! first.
#![cfg(target_arch = "wasm32")]

mod support;

use std::time::Duration;
use support::{Page, heal_server, received, set_fault, sleep};
use wasm_bindgen_test::wasm_bindgen_test;
use web::FALLBACK_GREETING;
use web::faults::Fault;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use support::lines::*;

#[wasm_bindgen_test]
async fn clicks_drive_the_badge_through_the_go_demo_cycle() {
    heal_server().await;
    let page = Page::mount("?timeout=300ms");
    assert_eq!(page.state(), "closed");

    assert_eq!(page.call("send-valid").await, GREETING);
    for _ in 0..3 {
        assert_eq!(page.call("send-empty").await, EMPTY_NAME);
    }
    page.wait_for_state("open").await;
    assert_eq!(page.lines("transition-log"), [CLOSED_TO_OPEN]);

    // No click: the timer set from time_to_next_transition() reads the state.
    page.wait_for_state("half-open").await;
    assert_eq!(
        page.lines("transition-log"),
        [CLOSED_TO_OPEN, OPEN_TO_HALF_OPEN]
    );
    assert!(
        page.find("open-countdown").is_none(),
        "the countdown shows only while open"
    );

    for _ in 0..3 {
        assert_eq!(page.call("send-valid").await, GREETING);
    }
    page.wait_for_state("closed").await;
    assert_eq!(
        page.lines("transition-log"),
        [CLOSED_TO_OPEN, OPEN_TO_HALF_OPEN, HALF_OPEN_TO_CLOSED]
    );
    assert_eq!(page.count("requests"), 0, "closing starts a new generation");
    assert_eq!(page.call("send-valid").await, GREETING);
    assert_eq!((page.count("requests"), page.count("successes")), (1, 1));
}

#[wasm_bindgen_test]
async fn an_open_breaker_makes_no_network_request() {
    heal_server().await;
    let page = Page::mount("?timeout=1m");
    page.choose_fault("failing");
    page.wait_until("the server to fail", |page| {
        page.text().contains("failing with Unavailable")
    })
    .await;
    for _ in 0..3 {
        let line = page.call("send-valid").await;
        assert!(
            line.starts_with("Error calling SayHello: rpc error: code = Unavailable desc = "),
            "{line}"
        );
    }
    page.wait_for_state("open").await;
    let countdown = page.get("open-countdown").inner_text();
    assert!(countdown.contains("half-open in"), "{countdown}");

    let before = received().await;
    for _ in 0..3 {
        assert_eq!(page.call("send-valid").await, OPEN);
    }
    page.click("send-burst");
    page.wait_for_lines("call-log", 3 + 3 + web::BURST).await;
    assert!(page.lines("call-log")[3..].iter().all(|line| line == OPEN));
    assert_eq!(
        received().await,
        before,
        "no refused call reached the server"
    );
    let greeting = page.get("greeting").inner_text();
    assert!(greeting.contains(FALLBACK_GREETING), "{greeting}");
    assert_eq!(page.state(), "open");
    heal_server().await;
}

#[wasm_bindgen_test]
async fn a_busy_server_trips_the_breaker_like_a_failing_one() {
    heal_server().await;
    let page = Page::mount("?timeout=1m");
    page.choose_fault("busy");
    page.wait_until("the server to be busy", |page| {
        page.text().contains("failing with ResourceExhausted")
    })
    .await;
    for _ in 0..3 {
        let line = page.call("send-valid").await;
        assert!(
            line.starts_with(
                "Error calling SayHello: rpc error: code = ResourceExhausted desc = the server is busy"
            ),
            "{line}"
        );
    }
    page.wait_for_state("open").await;
    assert_eq!(page.count("failures"), 0, "opening starts a new generation");
    assert_eq!(page.lines("transition-log"), [CLOSED_TO_OPEN]);
    heal_server().await;
}

#[wasm_bindgen_test]
async fn a_half_open_breaker_admits_max_requests_of_a_burst() {
    heal_server().await;
    let page = Page::mount("?timeout=200ms&trip=1&max_requests=3");
    assert_eq!(page.call("send-empty").await, EMPTY_NAME);
    page.wait_for_state("half-open").await;
    page.click("send-burst");
    page.wait_for_lines("call-log", 1 + web::BURST).await;
    let mut lines = page.lines("call-log").split_off(1);
    lines.sort();
    assert_eq!(
        lines,
        [TOO_MANY, TOO_MANY, GREETING, GREETING, GREETING],
        "sorted"
    );
    page.wait_for_state("closed").await;
}

#[wasm_bindgen_test]
async fn html_in_a_name_is_shown_as_text() {
    heal_server().await;
    let page = Page::mount("");
    page.set_name("<b>x</b>");
    assert_eq!(page.call("send-valid").await, "Greeting: Hello <b>x</b>");
    assert!(
        page.query("[data-testid=\"call-log\"] b").is_none(),
        "no <b> element was made"
    );
    assert!(
        page.query("[data-testid=\"greeting\"] b").is_none(),
        "no <b> element was made"
    );
    assert!(page.get("greeting").inner_text().contains("Hello <b>x</b>"));
}

#[wasm_bindgen_test]
async fn the_query_sets_the_scenario_and_bad_values_are_shown() {
    heal_server().await;
    let page = Page::mount("?timeout=2s&max_requests=2&trip=1&retries=lots");
    let problems = page.get("query-problems").inner_text();
    assert!(
        problems.contains("retries: `lots` is not a whole number from 0 to 10 (using 0)"),
        "{problems}"
    );
    let shown =
        |page: &Page| ["timeout", "max_requests", "trip", "retries"].map(|key| page.setting(key));
    page.wait_until("the settings to show", |page| {
        shown(page) == ["2s", "2", "1", "0"]
    })
    .await;
    assert_eq!(page.call("send-empty").await, EMPTY_NAME);
    page.wait_for_state("open").await; // trip=1

    drop(page);
    let page = Page::mount("?client_errors=exclude&trip=1");
    assert!(page.find("query-problems").is_none());
    assert_eq!(page.call("send-empty").await, EMPTY_NAME);
    page.wait_until("an exclusion", |page| page.count("exclusions") == 1)
        .await;
    assert_eq!(
        page.state(),
        "closed",
        "excluded client errors do not trip it"
    );
}

#[wasm_bindgen_test]
async fn changing_a_setting_rebuilds_the_breaker() {
    heal_server().await;
    let page = Page::mount("?trip=1&timeout=1m");
    assert_eq!(page.call("send-empty").await, EMPTY_NAME);
    page.wait_for_state("open").await;
    page.set_setting("timeout", "2m");
    page.wait_for_state("closed").await;
    let note = page.get("settings").inner_text();
    assert!(
        note.contains("Breaker rebuilt with timeout=2m: closed, counts cleared."),
        "{note}"
    );
    assert_eq!(page.count("requests"), 0);
    assert!(page.find("open-countdown").is_none());

    page.set_setting("trip", "0");
    let error = "`0` is not a whole number of at least 1";
    page.wait_until("the field's error", |page| page.text().contains(error))
        .await;
    assert_eq!(page.call("send-empty").await, EMPTY_NAME);
    page.wait_for_state("open").await; // still trip=1
}

#[wasm_bindgen_test]
async fn a_slow_server_misses_the_deadline_and_retries_stop_at_an_open_breaker() {
    heal_server().await;
    let page = Page::mount("?deadline=200ms&retries=3&trip=2&timeout=1m");
    set_fault(Fault::Slow(1_000)).await;
    let before = received().await;
    let line = page.call("send-valid").await;
    assert!(
        line.starts_with("Error calling SayHello: rpc error: code = DeadlineExceeded desc = "),
        "{line}"
    );
    page.wait_for_state("open").await;
    let note = page
        .query("[data-testid=\"call-log\"] li .note")
        .map(|n| n.inner_text());
    assert_eq!(
        note.as_deref(),
        Some("after 1 retry"),
        "the second failure opened it: no third try"
    );
    heal_server().await;
    sleep(Duration::from_millis(50)).await;
    assert_eq!(received().await - before, 2);
}
