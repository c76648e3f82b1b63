//! The breaker in a browser: `BrowserClock` and `SharedBreaker` on
//! wasm32-unknown-unknown, run by wasm-bindgen-test in headless Chromium
//! (`cargo test -p tripbreaker --target wasm32-unknown-unknown --features browser`).
#![cfg(all(target_arch = "wasm32", feature = "browser"))]

use core::time::Duration;
use tripbreaker::{BrowserClock, Clock, Outcome, Settings, SharedBreaker, State, TripRule};
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn browser_clock_reads_performance_now_and_never_goes_back() {
    let clock = BrowserClock::new();
    let first = clock.now();
    let mut last = first;
    for _ in 0..1_000 {
        let now = clock.now();
        assert!(now >= last, "performance.now() went back");
        last = now;
    }
    assert!(
        first > tripbreaker::Instant::ZERO,
        "the page has been up for some time"
    );
}

#[wasm_bindgen_test]
async fn shared_breaker_runs_on_the_browser_clock() {
    let settings = Settings {
        timeout: Duration::from_millis(30),
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..Settings::new("browser")
    };
    let breaker = SharedBreaker::new(settings, BrowserClock::new()).unwrap();
    breaker.acquire().unwrap().record(Outcome::Failure);
    assert_eq!(breaker.state(), State::Open);
    let reopen_in = breaker
        .next_transition_at()
        .unwrap()
        .saturating_duration_since(BrowserClock::new().now());
    assert!(reopen_in <= Duration::from_millis(30));
    // Wait on the browser's own timer, then the breaker lets a trial through.
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 40)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(wait).await.unwrap();
    assert_eq!(breaker.state(), State::HalfOpen);
    let greeting = breaker.call(|| async { Ok::<_, ()>("Hello World") }).await;
    assert_eq!(greeting, Ok("Hello World"));
    assert_eq!(breaker.state(), State::Closed);
}
