//! The time left until an open breaker lets trial calls through.

use crate::format::{seconds_tenths, whole};
use greeter_client::Settings;
use leptos::prelude::*;

/// While open: the seconds until half-open, and a bar filling up.
#[component]
pub(crate) fn OpenCountdown(
    /// While a transition is due: the milliseconds left.
    remaining_ms: Memo<Option<f64>>,
    /// The settings in force (the open timeout fills the bar).
    settings: ReadSignal<Settings>,
) -> impl IntoView {
    // Whole milliseconds: an f64 attribute or `{:.1}` would link float printing.
    let left_ms = move || whole(remaining_ms.get().unwrap_or(0.0));
    let timeout_ms = move || settings.with(|s| whole(s.timeout.as_secs_f64() * 1000.0));
    view! {
        <Show when=move || remaining_ms.with(Option::is_some)>
            <span class="countdown" data-testid="open-countdown" role="timer">
                "half-open in "
                <strong>{move || format!("{} s", seconds_tenths(left_ms()))}</strong>
                <progress
                    aria-hidden="true"
                    max=timeout_ms
                    value=move || timeout_ms().saturating_sub(left_ms())
                ></progress>
            </span>
        </Show>
    }
}
