//! The breaker's three states and four arrows, drawn live.

use crate::diagram::{Edge, Taken, describe, label, lit, trial_calls};
use greeter_client::Settings;
use leptos::prelude::*;
use tripbreaker::State;

/// Where each arrow is drawn, in [`Edge::ALL`]'s order: its path, and
/// where its rule is written (`x`, `y`, and which way the text runs).
const ARROWS: [(&str, (u32, u32, &str)); 4] = [
    ("M96 70Q200 10 304 70", (200, 32, "middle")),
    ("M316 122L248 182", (292, 160, "start")),
    ("M172 182L104 122", (140, 160, "end")),
    ("M228 182L296 122", (262, 142, "end")),
];

/// Where each state's box is drawn (its corner), and what the state does
/// (half-open's, `None` here, from the settings).
const BOXES: [(State, &str, Option<&str>); 3] = [
    (State::Closed, "translate(16 70)", Some("calls go through")),
    (State::Open, "translate(272 70)", Some("calls refused")),
    (State::HalfOpen, "translate(144 182)", None),
];

/// An SVG of closed, open and half-open with the current state lit, each
/// arrow labelled with the rule in force and how often it was taken, and
/// the arrow just taken flashing (a steady highlight when the visitor
/// prefers reduced motion: see `style.css`). Described in words for screen
/// readers, as its `<title>`.
///
/// Hooks: `data-testid="state-diagram"` with `data-state` (the breaker's
/// state: `closed`, `open`, `half-open`, or `forced-open`, `forced-closed`,
/// `disabled`, which light open, closed and closed); one `[data-edge]` per
/// arrow with `data-taken`, counted since the breaker was built (the page
/// loaded, or a settings change rebuilt it, which clears the counts too).
#[component]
pub(crate) fn StateDiagram(
    /// The breaker's state.
    state: ReadSignal<State>,
    /// The settings in force, whose rules the arrows are labelled with.
    settings: ReadSignal<Settings>,
    /// How often each arrow was taken, and the last one.
    taken: ReadSignal<Taken>,
) -> impl IntoView {
    let words = move || {
        let rules = settings.with(Settings::breaker_settings);
        describe(state.get(), &rules, &taken.get())
    };
    view! {
        <svg
            class="diagram"
            data-testid="state-diagram"
            data-state=move || state.get().as_str()
            viewBox="0 0 400 244"
            role="img"
        >
            <title>{words}</title>
            <defs>
                <ArrowHead id="sd-head" class="head" />
                <ArrowHead id="sd-head-lit" class="head lit" />
            </defs>
            {Edge::ALL
                .into_iter()
                .zip(ARROWS)
                .map(|(edge, (path, at))| view! { <Arrow edge path at settings taken /> })
                .collect_view()}
            {BOXES
                .into_iter()
                .map(|(node, corner, does)| view! { <StateBox node corner does state settings /> })
                .collect_view()}
        </svg>
    }
}

/// The arrowhead marker `id`, drawn in the colour `class` gives it.
#[component]
fn ArrowHead(id: &'static str, class: &'static str) -> impl IntoView {
    view! {
        <marker
            id=id
            class=class
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerUnits="userSpaceOnUse"
            markerWidth="10"
            markerHeight="10"
            orient="auto"
        >
            <path d="M0 0L10 5L0 10z" />
        </marker>
    }
}

/// One arrow along `path`, its rule written `at` (`x`, `y`, anchor), and
/// how often it was taken once it was; the class `last` while it is the
/// arrow taken last.
#[component]
fn Arrow(
    edge: Edge,
    path: &'static str,
    at: (u32, u32, &'static str),
    settings: ReadSignal<Settings>,
    taken: ReadSignal<Taken>,
) -> impl IntoView {
    let (x, y, anchor) = at;
    let count = move || taken.with(|taken| taken.count(edge));
    let rule = move || settings.with(|s| label(edge, &s.breaker_settings()));
    view! {
        <g
            class="edge"
            class:last=move || taken.with(|taken| taken.last() == Some(edge))
            data-edge=edge.key()
            data-taken=count
        >
            <path class="line" d=path />
            <text x=x y=y text-anchor=anchor>
                {rule}
                <Show when=move || { count() > 0 }>
                    <tspan class="taken">" ×" {count}</tspan>
                </Show>
            </text>
        </g>
    }
}

/// The box of state `node` at `corner`, with its name and what it `does`
/// (half-open's trial calls from the settings when `None`); lit while the
/// breaker is in it ([`lit`]).
#[component]
fn StateBox(
    node: State,
    corner: &'static str,
    does: Option<&'static str>,
    state: ReadSignal<State>,
    settings: ReadSignal<Settings>,
) -> impl IntoView {
    let does = move || match does {
        Some(does) => does.to_owned(),
        None => settings.with(|s| trial_calls(&s.breaker_settings())),
    };
    view! {
        <g
            class="node"
            class:lit=move || lit(state.get()) == node
            data-node=node.as_str()
            transform=corner
        >
            <rect width="112" height="52" rx="14" />
            <text class="name" x="56" y="23" text-anchor="middle">{node.as_str()}</text>
            <text class="what" x="56" y="40" text-anchor="middle">{does}</text>
        </g>
    }
}
