//! The calls and the breaker's states over the last minute, as a strip.

use super::{Legend, Mark};
use crate::state::Timeline;
use crate::timeline::{self, DrawnBand};
use leptos::html::Div;
use leptos::prelude::*;

/// The last minute (or the last 50 calls, if that is shorter): the
/// breaker's states as bands (a colour and a pattern each), each call as a
/// mark where it ended (a colour and a shape per outcome, `↻n` for its
/// retries), a legend, and a summary in words announced politely. Pointing
/// at or focusing a mark shows its log line (`style.css`); a mark keeps its
/// element, and so the keyboard focus, for as long as it is shown.
///
/// Every time is a CSS custom property (`--now` and `--span` on the strip,
/// `--from`, `--to` on a band, `--t`, `--row`, `--shift` on a mark), set
/// through the CSSOM, which the page's Content-Security-Policy allows
/// (it refuses `style` attributes); the stylesheet places each band and
/// mark from them, so the strip moves on each second by changing its own
/// two properties.
///
/// Hooks: `data-testid="timeline"`, and in it one `[data-outcome]` per
/// call shown (`success`, `failure`, `excluded` or `rejected`), with its
/// call's number in `data-call`.
#[component]
pub(crate) fn TimelineStrip(
    /// The calls and states over time.
    timeline: Timeline,
) -> impl IntoView {
    let drawn = timeline.drawn;
    let summary = Memo::new(move |_| drawn.with(timeline::summary));
    let marks = Memo::new(move |_| drawn.with(|drawn| drawn.marks.clone()));
    let bands = Memo::new(move |_| drawn.with(|drawn| drawn.bands.clone()));
    let strip = NodeRef::<Div>::new();
    // The strip's width, for which the marks are spread, read each second
    // (a resized window is taken into account within a second) in the
    // next frame, where the browser lays the page out anyway, not right
    // after a call redrew the strip, which would force a layout on the
    // call's path.
    Effect::new(move || {
        drawn.track();
        request_animation_frame(move || {
            if let Some(strip) = strip.try_get_untracked().flatten() {
                timeline.resized(strip.client_width().max(0) as u32);
            }
        });
    });
    view! {
        <section class="card timeline-card">
            <h2>"Calls over time"</h2>
            <p class="timeline-summary" role="status">{summary}</p>
            <div
                data-testid="timeline"
                role="group"
                aria-label="Calls over time, oldest first"
                node_ref=strip
                style:--now=move || drawn.with(|drawn| drawn.now.to_string())
                style:--span=move || drawn.with(|drawn| drawn.span.to_string())
            >
                <div class="track">
                    <div class="bands" aria-hidden="true">
                        <For each=move || bands.get() key=|band| *band let:band>
                            <Band band />
                        </For>
                    </div>
                    <For each=move || marks.get() key=|mark| mark.call.id let:mark>
                        <Mark call=mark.call marks />
                    </For>
                </div>
                <p class="axis" aria-hidden="true">
                    <span>{move || drawn.with(timeline::since)}</span>
                    <span>"now"</span>
                </p>
                <Legend />
            </div>
        </section>
    }
}

/// The breaker's state over a stretch of time, named.
#[component]
fn Band(band: DrawnBand) -> impl IntoView {
    let name = band.state.as_str();
    view! {
        <div
            class=format!("band {name}")
            style:--from=band.from.to_string()
            style:--to=band.to.map(|to| to.to_string())
        >
            <span>{name}</span>
        </div>
    }
}
