//! Runs the state-machine vectors recorded from sony/gobreaker v2 through the
//! public API and compares every observed field (format: `tests/vectors/FORMAT.md`).
//!
//! Natively, `BREAKER_VECTORS=/path/file.jsonl` runs that file instead of the
//! bundled ones. Under wasm (`wasm-bindgen-test`, headless Chromium) the
//! bundled vectors run from memory.

mod vectors;

use vectors::{Summary, Window, run_vectors};

const FIXED: &str = include_str!("vectors/gobreaker-fixed-window.jsonl");
const ROLLING: &str = include_str!("vectors/gobreaker-rolling-window.jsonl");

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn check(name: &str, text: &str, window: Window) -> Summary {
    match run_vectors(text, window) {
        Ok(summary) => {
            println!(
                "{name}: {} cases, {} steps compared, all match",
                summary.cases, summary.steps
            );
            summary
        }
        Err(mismatch) => panic!("{name}: {mismatch}"),
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn fixed_window_vectors_match_gobreaker() {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(path) = std::env::var_os("BREAKER_VECTORS") {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read BREAKER_VECTORS={path:?}: {e}"));
        let summary = check(&path.to_string_lossy(), &text, Window::Detect);
        assert!(summary.cases > 0, "{path:?} holds no cases");
        return;
    }
    let summary = check("gobreaker-fixed-window.jsonl", FIXED, Window::Detect);
    assert_eq!(summary.cases, 300);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn rolling_window_vectors_match_gobreaker() {
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("BREAKER_VECTORS").is_some() {
        return; // the fixed-window test runs the chosen file
    }
    let summary = check("gobreaker-rolling-window.jsonl", ROLLING, Window::Detect);
    assert_eq!(summary.cases, 100);
}
