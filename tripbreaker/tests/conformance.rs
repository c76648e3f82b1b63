//! Runs the state-machine vectors recorded from sony/gobreaker v2 through the
//! public API, on the core `CircuitBreaker` and again through a
//! `SharedBreaker`, and compares every observed field of every step: state,
//! transitions, and all six counts, rolling windows included (format:
//! `tests/vectors/FORMAT.md`).
//!
//! Natively, `BREAKER_VECTORS=/path/file.jsonl` runs that file instead of the
//! bundled ones. Under wasm (`wasm-bindgen-test`, headless Chromium) the
//! bundled vectors run from memory.

mod vectors;

use vectors::{Summary, Target, run_vectors};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Replays one bundled file (or, natively, `BREAKER_VECTORS` when set) and
/// checks it held `cases` cases.
fn check(name: &str, text: &str, cases: usize) {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(path) = std::env::var_os("BREAKER_VECTORS") {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read BREAKER_VECTORS={path:?}: {e}"));
        let summary = replay(&path.to_string_lossy(), &text);
        assert!(summary.cases > 0, "{path:?} holds no cases");
        return;
    }
    assert_eq!(replay(name, text).cases, cases, "{name}: cases replayed");
}

/// Replays `text` on each target; the summary of the last.
fn replay(name: &str, text: &str) -> Summary {
    let mut last = None;
    for target in [Target::Core, Target::Shared] {
        match run_vectors(text, target) {
            Ok(summary) => {
                println!(
                    "{name} ({target:?}): {} cases, {} steps, every field matches",
                    summary.cases, summary.steps
                );
                last = Some(summary);
            }
            Err(failure) => panic!("{name} ({target:?}): {failure}"),
        }
    }
    last.expect("two targets")
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn fixed_window_vectors_match_gobreaker() {
    check(
        "gobreaker-fixed-window.jsonl",
        include_str!("vectors/gobreaker-fixed-window.jsonl"),
        300,
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn rolling_window_vectors_match_gobreaker() {
    check(
        "gobreaker-rolling-window.jsonl",
        include_str!("vectors/gobreaker-rolling-window.jsonl"),
        100,
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn late_outcomes_in_a_fixed_window_match_gobreaker() {
    check(
        "gobreaker-fixed-late.jsonl",
        include_str!("vectors/gobreaker-fixed-late.jsonl"),
        200,
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn late_outcomes_in_a_rolling_window_match_gobreaker() {
    check(
        "gobreaker-rolling-late.jsonl",
        include_str!("vectors/gobreaker-rolling-late.jsonl"),
        300,
    );
}
