//! One call on the timeline, and the shape of each outcome.

use crate::timeline::{CallMark, DrawnMark, Outcome};
use leptos::prelude::*;

/// Each outcome's shape (readable without colour), centred on 0 0, in the
/// order of [`Outcome::ALL`]: a disc, a cross, a diamond, a square.
const SHAPES: [&str; 4] = [
    "M-5 0a5 5 0 1 0 10 0a5 5 0 1 0-10 0",
    "M-4.5-4.5L4.5 4.5M4.5-4.5L-4.5 4.5",
    "M0-6L6 0L0 6L-6 0z",
    "M-4.5-4.5h9v9h-9z",
];

/// Call `call`'s mark: its outcome's shape with `data-outcome`, its log
/// line as its name (shown by the stylesheet on hover and focus),
/// focusable, its number in `data-call`, and `↻n` when it was retried.
/// Where it ended is `--t`; its row and how far it gives way to later
/// marks (`--row`, `--shift`) follow `marks` as later calls crowd it.
#[component]
pub(crate) fn Mark(
    /// The call shown.
    call: CallMark,
    /// Every mark as now drawn, this one among them.
    marks: Memo<Vec<DrawnMark>>,
) -> impl IntoView {
    let CallMark {
        id,
        ended_at,
        outcome,
        retries,
        line,
    } = call;
    let placed = move || {
        let mark = marks.with(|marks| {
            let mark = marks.iter().find(|mark| mark.call.id == id);
            mark.map(|mark| (mark.row, mark.shift))
        });
        mark.unwrap_or_default()
    };
    let key = outcome.key();
    view! {
        <span
            class=format!("mark {key}")
            data-outcome=key
            tabindex="0"
            role="img"
            aria-label=line
            data-call=id
            style:--t=ended_at.to_string()
            style:--row=move || placed().0.to_string()
            style:--shift=move || placed().1.to_string()
        >
            <OutcomeShape outcome />
            {(retries > 0).then(|| view! { <b class="retries" aria-hidden="true">"↻" {retries}</b> })}
        </span>
    }
}

/// `outcome`'s shape, as a small inline SVG.
#[component]
pub(crate) fn OutcomeShape(outcome: Outcome) -> impl IntoView {
    view! {
        <svg viewBox="-7 -7 14 14" aria-hidden="true">
            <path d=SHAPES[outcome as usize] />
        </svg>
    }
}
