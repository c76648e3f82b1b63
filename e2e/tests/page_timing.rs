//! Measured in headless Chromium, for BENCHMARKS.md (`cargo xtask bench`):
//! time from navigation to the first possible click (on a repeat visit, on
//! a first visit, and on a first visit over an emulated slow connection),
//! and how long an open breaker takes to reject a call compared with a real
//! round trip. Writes its figures as JSON ([`bench_results::PageTiming`])
//! to `PAGE_TIMING_JSON` when set. Nothing here asserts a duration.

mod support;

use bench_results::{PageTiming, Throttle};
use serde_json::json;
use support::browser::Browser;
use support::network;

const SAMPLES: usize = 15;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// In the page: clicks `button` and resolves with the ms until the call log
/// shows one more line.
const CLICK_TO_LINE: &str = "
    const [button, done] = [arguments[0], arguments[arguments.length - 1]];
    const log = document.querySelector(\"[data-testid='call-log']\");
    const before = log.querySelectorAll('li').length;
    const started = performance.now();
    const observer = new MutationObserver(() => {
        if (log.querySelectorAll('li').length > before) {
            observer.disconnect();
            done(performance.now() - started);
        }
    });
    observer.observe(log, { childList: true, subtree: true });
    document.querySelector(`[data-testid='${button}']`).click();
";

async fn click_to_line(browser: &Browser, button: &str) -> f64 {
    browser
        .client
        .execute_async(CLICK_TO_LINE, vec![json!(button)])
        .await
        .expect("the call log grew")
        .as_f64()
        .expect("a number of ms")
}

/// Opens `url` [`SAMPLES`] times; the ms from navigation start to the
/// moment the page could first be clicked, each time.
async fn first_clicks(browser: &Browser, url: &str) -> Vec<f64> {
    let mut first_click = Vec::new();
    for _ in 0..SAMPLES {
        browser.open(url).await;
        browser
            .wait_until("the send button", || async {
                browser.attr("state-badge", "data-state").await.as_deref() == Some("closed")
            })
            .await;
        // When the button could first be clicked: the page marks the
        // moment its app is mounted, handlers wired (`demo-ready`).
        let ready = browser
            .client
            .execute(
                "const mark = performance.getEntriesByName('demo-ready')[0]; \
                 return mark ? mark.startTime : null;",
                vec![],
            )
            .await
            .unwrap();
        first_click.push(
            ready
                .as_f64()
                .expect("the page marks `demo-ready` once mounted"),
        );
    }
    first_click
}

/// The wasm's (bytes on the wire, bytes decoded) in the page's last load.
async fn wasm_transfer(browser: &Browser) -> (u64, u64) {
    let sizes = browser
        .client
        .execute(
            "const wasm = performance.getEntriesByType('resource').find(e => e.name.endsWith('.wasm')); \
             return wasm ? [wasm.encodedBodySize, wasm.decodedBodySize] : null;",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(sizes).expect("the page loaded a .wasm")
}

#[tokio::test(flavor = "multi_thread")]
async fn page_timings() {
    let server = support::serve_page().await;
    let browser = Browser::start("timing").await;
    // Never trips on its own: the round trips stay round trips.
    let url = format!("{}/?trip=1000&timeout=60s", server.url());

    let first_click = first_clicks(&browser, &url).await;

    let mut round_trip = Vec::new();
    for _ in 0..SAMPLES {
        round_trip.push(click_to_line(&browser, "send-valid").await);
    }
    server.faults().reset_counters();
    browser
        .open(&format!("{}/?trip=1&timeout=60s", server.url()))
        .await;
    click_to_line(&browser, "send-empty").await; // trips it
    let mut rejection = Vec::new();
    for _ in 0..SAMPLES {
        rejection.push(click_to_line(&browser, "send-valid").await);
    }
    assert_eq!(
        server.faults().counters().received,
        1,
        "only the tripping call reached the server"
    );

    // First visits: the same page from the same server, nothing cached,
    // over loopback and then over the emulated slow connection.
    network::disable_cache(&browser.client).await;
    let cold = first_clicks(&browser, &url).await;
    let (wasm_wire_bytes, wasm_decoded_bytes) = wasm_transfer(&browser).await;
    assert!(
        wasm_wire_bytes > 0 && wasm_decoded_bytes > 0,
        "a first visit downloads the wasm"
    );
    let throttle = Throttle::SLOW_MOBILE;
    network::emulate(&browser.client, Some(throttle)).await;
    let throttled = first_clicks(&browser, &url).await;
    network::emulate(&browser.client, None).await;

    let figures = PageTiming {
        samples: SAMPLES,
        first_click_ms: median(first_click),
        first_click_cold_ms: median(cold),
        first_click_throttled_ms: median(throttled),
        throttle,
        wasm_wire_bytes,
        wasm_decoded_bytes,
        round_trip_ms: median(round_trip),
        rejection_ms: median(rejection),
    };
    println!("{figures:#?}");
    if let Some(path) = std::env::var_os("PAGE_TIMING_JSON") {
        std::fs::write(path, serde_json::to_string(&figures).unwrap()).unwrap();
    }
    browser.close().await;
    server.shutdown().await.unwrap();
}
