//! The calls and the breaker's states over the last minute, as a strip.

use crate::effect::effect;
use crate::state::page;
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The last minute (or the last 50 calls, if that is shorter): the
/// breaker's states as bands (a colour and a pattern each), each call as a
/// mark where it ended (a colour and a shape per outcome, `↻n` for its
/// retries), a legend, and a summary in words announced politely. Pointing
/// at or focusing a mark shows its log line (`style.css`); a focused mark
/// keeps the focus when the strip is redrawn for a new call.
///
/// Hooks: `data-testid="timeline"`, and in it one `[data-outcome]` per
/// call shown: `success`, `failure`, `excluded` or `rejected`.
#[component]
pub(crate) fn TimelineStrip() -> impl IntoView {
    let timeline = page().timeline;
    // Holds the strip's track, axis and legend; its clock (custom
    // properties) places the track's bands and marks.
    let track = NodeRef::<Div>::new();
    // Set by hand, not as attributes: the page's CSP refuses `style`
    // attributes, while the CSSOM may set custom properties.
    effect(move || {
        if let Some(track) = track.get() {
            let focused = focused_call();
            timeline.strip.with(|strip| track.set_inner_html(strip));
            place(&track);
            if let Some(call) = focused {
                refocus(&track, &call);
            }
        }
    });
    // Each second: the strip's clock, and its width, for which the marks
    // are spread (a resized window is taken into account within a second).
    // The width is read in the next frame, where the browser lays the page
    // out anyway, not right after a call redrew the strip, which would
    // force a layout on the call's path.
    effect(move || {
        if let Some(track) = track.get() {
            timeline.clock.with(|clock| set_css(&track, clock));
            request_animation_frame(move || {
                timeline.resized(track.client_width().max(0) as u32);
            });
        }
    });
    view! {
        <section class="card timeline-card">
            <h2>"Calls over time"</h2>
            <p class="timeline-summary" role="status">{timeline.summary}</p>
            <div data-testid="timeline" role="group" aria-label="Calls over time, oldest first" node_ref=track></div>
        </section>
    }
}

/// Gives each band and mark in `track` the custom properties its
/// `data-css` names (its times), which place it.
fn place(track: &web_sys::HtmlElement) {
    let Ok(placed) = track.query_selector_all("[data-css]") else {
        return;
    };
    for i in 0..placed.length() {
        if let Some(element) = placed
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        {
            set_css(
                &element,
                &element.get_attribute("data-css").unwrap_or_default(),
            );
        }
    }
}

/// The `data-call` of the mark that has the keyboard focus, if one has.
fn focused_call() -> Option<String> {
    document().active_element()?.get_attribute("data-call")
}

/// Gives the focus back to call `call`'s mark in `track`, redrawn, if it
/// is still shown (a keyboard user reading the marks keeps their place).
fn refocus(track: &web_sys::HtmlElement, call: &str) {
    let mark = track.query_selector(&format!("[data-call=\"{call}\"]"));
    if let Some(mark) = mark
        .ok()
        .flatten()
        .and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = mark.focus();
    }
}

/// Sets `element`'s inline style through the CSSOM.
fn set_css(element: &web_sys::HtmlElement, css: &str) {
    web_sys::HtmlElement::style(element).set_css_text(css);
}
