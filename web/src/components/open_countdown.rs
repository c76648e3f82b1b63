//! The time left until an open breaker lets trial calls through.

use crate::format::{seconds_tenths, whole};
use crate::state::page;
use leptos::prelude::*;

/// While open: the seconds until half-open, and a bar filling up.
#[component]
pub(crate) fn OpenCountdown() -> impl IntoView {
    let remaining_ms = page().breaker.until_half_open;
    let settings = page().settings.settings;
    // Whole milliseconds: an f64 attribute or `{:.1}` would link float printing.
    let left_ms = move || whole(remaining_ms.get().unwrap_or(0.0));
    let timeout_ms = move || settings.with(|s| whole(s.timeout.as_secs_f64() * 1000.0));
    // A memo, so the countdown is built once per opening, not per tick; not
    // `<Show>`, whose fallback is an `AnyView` (none in the page: see BENCHMARKS.md).
    let open = Memo::new(move |_| remaining_ms.with(Option::is_some));
    move || {
        open.get().then(|| {
            view! {
                <span class="countdown" data-testid="open-countdown" role="timer">
                    "half-open in "
                    <strong>{move || format!("{} s", seconds_tenths(left_ms()))}</strong>
                    <progress
                        aria-hidden="true"
                        max=timeout_ms
                        value=move || timeout_ms().saturating_sub(left_ms())
                    ></progress>
                </span>
            }
        })
    }
}
