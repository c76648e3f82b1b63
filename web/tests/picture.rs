//! The state diagram and the timeline in headless Chromium against the live
//! greeter server (its URL baked in from `GREETER_URL`): the diagram's lit
//! state, arrows, labels and counts as the breaker moves, and the
//! timeline's marks; and their pure parts (labels for settings the page
//! cannot set, the timeline's window) under wasm.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{Page, heal_server, set_fault};
use tripbreaker::{State, TripRule};
use wasm_bindgen_test::wasm_bindgen_test;
use web::diagram::{self, Edge, Taken};
use web::faults::Fault;
use web::timeline::{self, Band, CallMark, MAX_MARKS, Outcome, WINDOW_MS};

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const EDGES: [&str; 4] = [
    "closed-open",
    "open-half-open",
    "half-open-closed",
    "half-open-open",
];

/// The diagram's `data-state`.
fn lit(page: &Page) -> String {
    page.get("state-diagram")
        .get_attribute("data-state")
        .unwrap_or_default()
}

/// How often each arrow was taken, in [`EDGES`]' order.
fn taken(page: &Page) -> Vec<u32> {
    EDGES
        .iter()
        .map(|edge| {
            let arrow = page
                .query(&format!(
                    "[data-testid=\"state-diagram\"] [data-edge=\"{edge}\"]"
                ))
                .unwrap_or_else(|| panic!("no arrow {edge}"));
            let taken = arrow.get_attribute("data-taken").unwrap_or_default();
            taken.parse().expect("data-taken is a count")
        })
        .collect()
}

/// The rule written on `edge`'s arrow.
fn rule(page: &Page, edge: &str) -> String {
    let text = page
        .query(&format!("[data-edge=\"{edge}\"] text"))
        .unwrap_or_else(|| panic!("no label on {edge}"));
    text.text_content().unwrap_or_default()
}

/// The timeline's marks' `data-outcome`, oldest first.
fn outcomes(page: &Page) -> Vec<String> {
    page.all("[data-testid=\"timeline\"] [data-outcome]")
        .iter()
        .map(|mark| mark.get_attribute("data-outcome").unwrap_or_default())
        .collect()
}

/// Waits until the diagram lights `state` with its arrows taken `expected` times.
async fn wait_for_diagram(page: &Page, state: &str, expected: [u32; 4]) {
    page.wait_until(
        &format!("the diagram to light {state} with arrows taken {expected:?}"),
        |page| {
            page.find("state-diagram").is_some() && lit(page) == state && taken(page) == expected
        },
    )
    .await;
}

#[wasm_bindgen_test]
async fn the_diagram_follows_every_arrow_with_one_trial_call() {
    heal_server().await;
    let page = Page::mount("?timeout=300ms&trip=1&max_requests=1");
    wait_for_diagram(&page, "closed", [0, 0, 0, 0]).await;
    assert_eq!(
        EDGES.map(|edge| rule(&page, edge)),
        ["1 failure", "after 300 ms", "1 success", "any failure"]
    );
    let half_open = page.get("state-diagram").inner_html();
    assert!(half_open.contains(">1 trial call<"), "{half_open}");

    page.call("send-empty").await;
    wait_for_diagram(&page, "open", [1, 0, 0, 0]).await;
    wait_for_diagram(&page, "half-open", [1, 1, 0, 0]).await;
    // The trial fails: back to open, then half-open again.
    page.call("send-empty").await;
    wait_for_diagram(&page, "open", [1, 1, 0, 1]).await;
    wait_for_diagram(&page, "half-open", [1, 2, 0, 1]).await;
    page.call("send-valid").await;
    wait_for_diagram(&page, "closed", [1, 2, 1, 1]).await;
    let lit_nodes: Vec<_> = page
        .all("[data-testid=\"state-diagram\"] .node.lit")
        .iter()
        .map(|node| node.get_attribute("data-node").unwrap_or_default())
        .collect();
    assert_eq!(lit_nodes, ["closed"], "the state the breaker is in is lit");
    let last: Vec<_> = page
        .all("[data-testid=\"state-diagram\"] .edge.last")
        .iter()
        .map(|arrow| arrow.get_attribute("data-edge").unwrap_or_default())
        .collect();
    assert_eq!(
        last,
        ["half-open-closed"],
        "the arrow just taken is highlighted"
    );
    let words = page.get("state-diagram").inner_html();
    assert!(
        words.contains("From half-open to open: any failure, taken 1 time."),
        "described for screen readers: {words}"
    );

    // A settings change rebuilds the breaker: new rules, counts cleared.
    page.set_setting("trip", "2");
    page.wait_until("the new rule", |page| {
        rule(page, "closed-open") == "2 failures in a row"
    })
    .await;
    wait_for_diagram(&page, "closed", [0, 0, 0, 0]).await;
}

#[wasm_bindgen_test]
fn the_diagram_words_rules_the_page_cannot_set() {
    let go_demo = greeter_client::Settings::default().breaker_settings();
    let rate = tripbreaker::Settings {
        ready_to_trip: TripRule::FailureRate {
            min_requests: 10,
            ratio: 0.5,
        },
        max_requests: 1,
        ..go_demo
    };
    assert_eq!(
        Edge::ALL.map(|edge| diagram::label(edge, &rate)),
        [
            "50% of 10+ calls fail",
            "after 5 s",
            "1 success",
            "any failure"
        ]
    );
    let mut taken = Taken::default();
    taken.record(State::Closed, State::ForcedOpen);
    let words = diagram::describe(State::ForcedOpen, &rate, &taken);
    assert!(words.contains("From closed to open: 50% of 10+ calls fail, taken 0 times."));
    assert!(words.starts_with("The breaker is forced-open."), "{words}");
    assert_eq!(diagram::lit(State::ForcedOpen), State::Open);
    assert_eq!(taken.last(), None, "forcing open has no arrow");
}

#[wasm_bindgen_test]
async fn the_timeline_marks_each_call_by_outcome() {
    heal_server().await;
    let page = Page::mount("?client_errors=exclude&trip=1&timeout=1m");
    assert!(outcomes(&page).is_empty());
    page.set_name("<b>x</b>");
    page.call("send-valid").await;
    page.call("send-empty").await;
    set_fault(Fault::Failing).await;
    page.call("send-valid").await;
    page.wait_for_state("open").await;
    page.call("send-valid").await;
    heal_server().await;
    page.wait_until("four marks", |page| outcomes(page).len() == 4)
        .await;
    assert_eq!(
        outcomes(&page),
        ["success", "excluded", "failure", "rejected"]
    );
    let marks = page.all("[data-testid=\"timeline\"] [data-outcome]");
    let line = marks[0].get_attribute("aria-label").unwrap_or_default();
    assert!(line.ends_with(" Greeting: Hello <b>x</b>"), "{line}");
    assert!(
        page.query("[data-testid=\"timeline\"] b:not(.retries)")
            .is_none(),
        "the server's text is never markup"
    );
    assert!(marks.iter().all(|mark| mark.tab_index() == 0), "focusable");
    assert!(
        page.query("[data-testid=\"timeline\"] .band.open")
            .is_some(),
        "the open state is a band"
    );
    let summary = page.text();
    assert!(
        summary.contains("4 calls: 1 succeeded, 1 failed, 1 excluded, 1 refused by the breaker."),
        "{summary}"
    );
    let legend = page
        .query("[data-testid=\"timeline\"] .legend")
        .expect("a legend")
        .inner_text();
    for word in [
        "succeeded",
        "failed",
        "excluded",
        "refused by the breaker",
        "retried twice",
        "half-open",
    ] {
        assert!(legend.contains(word), "{word} in {legend}");
    }
}

#[wasm_bindgen_test]
async fn a_focused_mark_keeps_the_focus_when_the_strip_is_redrawn() {
    heal_server().await;
    let page = Page::mount("");
    page.call("send-valid").await;
    page.wait_until("one mark", |page| outcomes(page).len() == 1)
        .await;
    let mark = page.query("[data-testid=\"timeline\"] [data-outcome]");
    let mark = mark.expect("the call's mark");
    let call = mark.get_attribute("data-call");
    assert!(call.is_some(), "a mark names its call");
    mark.focus().unwrap();
    page.call("send-empty").await;
    page.wait_until("two marks", |page| outcomes(page).len() == 2)
        .await;
    let focused = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.active_element());
    assert_eq!(
        focused.and_then(|element| element.get_attribute("data-call")),
        call,
        "the first call's mark, redrawn, has the focus back"
    );
}

/// A `<style>` in the test document, removed when dropped.
struct Stylesheet(web_sys::Element);

impl Stylesheet {
    fn add(css: &str) -> Stylesheet {
        let document = web_sys::window().unwrap().document().unwrap();
        let style = document.create_element("style").unwrap();
        style.set_text_content(Some(css));
        document.head().unwrap().append_child(&style).unwrap();
        Stylesheet(style)
    }
}

impl Drop for Stylesheet {
    fn drop(&mut self) {
        self.0.remove();
    }
}

#[wasm_bindgen_test]
async fn a_burst_is_a_block_of_marks_that_do_not_overlap() {
    heal_server().await;
    // The page's stylesheet places the marks; the test page has none.
    let _style = Stylesheet::add(include_str!("../style.css"));
    let page = Page::mount("");
    page.click("send-burst");
    page.wait_for_lines("call-log", web::BURST).await;
    page.wait_until("a mark per call", |page| outcomes(page).len() == web::BURST)
        .await;
    let boxes: Vec<_> = page
        .all("[data-testid=\"timeline\"] [data-outcome]")
        .iter()
        .map(|mark| mark.get_bounding_client_rect())
        .collect();
    for (i, a) in boxes.iter().enumerate() {
        assert!(a.width() > 0.0, "mark {i} is drawn");
        for (j, b) in boxes.iter().enumerate().skip(i + 1) {
            let apart = a.right() <= b.left() + 0.5
                || b.right() <= a.left() + 0.5
                || a.bottom() <= b.top() + 0.5
                || b.bottom() <= a.top() + 0.5;
            assert!(apart, "marks {i} and {j} overlap");
        }
    }
}

#[wasm_bindgen_test]
async fn a_retried_call_shows_its_retries() {
    heal_server().await;
    let page = Page::mount("?deadline=200ms&retries=1&retry_backoff=10ms&trip=5");
    set_fault(Fault::Slow(1_000)).await;
    page.call("send-valid").await;
    heal_server().await;
    page.wait_until("a failed mark", |page| outcomes(page) == ["failure"])
        .await;
    let retries = page.query("[data-outcome=\"failure\"] .retries");
    assert_eq!(retries.map(|r| r.inner_text()).as_deref(), Some("↻1"));
}

#[wasm_bindgen_test]
async fn more_than_fifty_calls_leave_the_last_fifty_marks() {
    heal_server().await;
    let page = Page::mount("");
    for _ in 0..11 {
        page.click("send-burst");
    }
    page.wait_for_lines("call-log", 11 * web::BURST).await;
    page.wait_until("50 marks", |page| outcomes(page).len() == MAX_MARKS)
        .await;
    assert!(outcomes(&page).iter().all(|outcome| outcome == "success"));
    assert!(
        page.text().contains("the last 50 calls"),
        "the strip spans the last 50 calls"
    );
}

#[wasm_bindgen_test]
fn the_window_keeps_the_last_minute_and_at_most_fifty_calls() {
    let call = |id: u64, ended_at| CallMark {
        id,
        ended_at,
        outcome: Outcome::Success,
        retries: 0,
        line: String::new(),
    };
    let bands = [Band {
        from: 0,
        state: State::Closed,
    }];
    let now = 200_000;
    // A call every two seconds for two minutes: the last minute's 30.
    let sparse: Vec<_> = (0..60).map(|i| call(i, 80_000 + i * 2_000)).collect();
    let drawn = timeline::window(&sparse, &bands, now, 960);
    assert_eq!(drawn.marks.len(), 30);
    assert!(
        drawn
            .marks
            .iter()
            .all(|m| m.call.ended_at >= now - WINDOW_MS)
    );
    assert!(!drawn.by_calls);
    assert_eq!(drawn.span, WINDOW_MS);
    // Ten a second: the last fifty, over their own five seconds.
    let dense: Vec<_> = (0..100).map(|i| call(i, 190_000 + i * 100)).collect();
    let drawn = timeline::window(&dense, &bands, now, 960);
    assert_eq!(drawn.marks.len(), MAX_MARKS);
    assert_eq!(drawn.marks[0].call.id, 50);
    assert!(drawn.by_calls);
    assert_eq!(drawn.span, 5_000);
    // Older than a minute: nothing.
    assert!(
        timeline::window(&dense, &bands, now + WINDOW_MS + 10_000, 960)
            .marks
            .is_empty()
    );
}
