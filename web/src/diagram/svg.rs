//! The diagram's picture, an `<svg>` written as text. The page sets it as
//! an element's inner HTML: one string costs the wasm far less than a typed
//! view of some forty elements, and every piece of it comes from this
//! module (numbers and fixed words), so there is nothing to escape.

use super::{Edge, Taken, describe, label, lit, trial_calls};
use std::fmt::Write as _;
use tripbreaker::{Settings, State};

/// The arrowheads: one for the arrows, one for the arrow just taken.
const DEFS: &str = r#"<defs><marker id="sd-head" class="head" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto"><path d="M0 0L10 5L0 10z"/></marker><marker id="sd-head-lit" class="head lit" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto"><path d="M0 0L10 5L0 10z"/></marker></defs>"#;

/// Where each arrow is drawn, in [`Edge::ALL`]'s order: its path, then
/// where its rule is written (`x`, `y`, and which way the text runs).
const EDGES: [(&str, &str); 4] = [
    (
        "M96 70Q200 10 304 70",
        r#"x="200" y="32" text-anchor="middle""#,
    ),
    ("M316 122L248 182", r#"x="292" y="160" text-anchor="start""#),
    ("M172 182L104 122", r#"x="140" y="160" text-anchor="end""#),
    ("M228 182L296 122", r#"x="262" y="142" text-anchor="end""#),
];

/// Where each state's box is drawn (its corner), and what the state does
/// (half-open's from the settings).
const NODES: [(State, &str, &str); 3] = [
    (State::Closed, "16 70", "calls go through"),
    (State::Open, "272 70", "calls refused"),
    (State::HalfOpen, "144 182", ""),
];

/// The picture for a breaker in `state` under `settings` that took its
/// arrows as `taken`: `data-testid="state-diagram"` with `data-state`, and
/// its description in words as its `<title>` (its name as an image); the
/// lit state has the class `lit`, the arrow taken last the class `last`;
/// each arrow carries `data-edge` and `data-taken`.
pub fn svg(state: State, settings: &Settings, taken: &Taken) -> String {
    let mut svg = String::with_capacity(3_000);
    let (key, words) = (state.as_str(), describe(state, settings, taken));
    let _ = write!(
        svg,
        r#"<svg class="diagram" data-testid="state-diagram" data-state="{key}" viewBox="0 0 400 244" role="img"><title>{words}</title>"#
    );
    svg.push_str(DEFS);
    for (edge, (path, at)) in Edge::ALL.into_iter().zip(EDGES) {
        let last = if taken.last() == Some(edge) {
            " last"
        } else {
            ""
        };
        let (key, count, rule) = (edge.key(), taken.count(edge), label(edge, settings));
        let _ = write!(
            svg,
            r#"<g class="edge{last}" data-edge="{key}" data-taken="{count}"><path class="line" d="{path}"/><text {at}>{rule}"#
        );
        if count > 0 {
            let _ = write!(svg, r#"<tspan class="taken"> ×{count}</tspan>"#);
        }
        svg.push_str("</text></g>");
    }
    let trials = trial_calls(settings);
    for (node, corner, what) in NODES {
        let on = if lit(state) == node { " lit" } else { "" };
        let name = node.as_str();
        let what = if what.is_empty() { &trials } else { what };
        let _ = write!(
            svg,
            r#"<g class="node{on}" data-node="{name}" transform="translate({corner})"><rect width="112" height="52" rx="14"/><text class="name" x="56" y="23" text-anchor="middle">{name}</text><text class="what" x="56" y="40" text-anchor="middle">{what}</text></g>"#
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go_demo() -> Settings {
        greeter_client::Settings::default().breaker_settings()
    }

    #[test]
    fn the_lit_state_and_the_last_arrow_are_marked() {
        let mut taken = Taken::default();
        taken.record(State::Closed, State::Open);
        taken.record(State::Open, State::HalfOpen);
        let svg = svg(State::HalfOpen, &go_demo(), &taken);
        assert!(svg.starts_with(
            r#"<svg class="diagram" data-testid="state-diagram" data-state="half-open" viewBox="0 0 400 244" role="img"><title>The breaker is half-open. From closed to open"#
        ));
        assert!(svg.ends_with("</g></svg>"));
        assert!(svg.contains(r#"<g class="node lit" data-node="half-open""#));
        assert!(svg.contains(r#"<g class="node" data-node="closed""#));
        assert!(svg.contains(
            r#"<g class="edge last" data-edge="open-half-open" data-taken="1"><path class="line" d="M316 122L248 182"/><text x="292" y="160" text-anchor="start">after 5 s<tspan class="taken"> ×1</tspan></text></g>"#
        ));
        assert!(svg.contains(r#"<g class="edge" data-edge="closed-open" data-taken="1">"#));
        assert!(svg.contains(r#"data-edge="half-open-open" data-taken="0""#));
        assert!(svg.contains(">3 trial calls</text>"));
        assert_eq!(svg.matches("data-edge=").count(), 4);
        assert_eq!(svg.matches("data-node=").count(), 3);
    }

    #[test]
    fn a_forced_open_breaker_lights_open() {
        let svg = svg(State::ForcedOpen, &go_demo(), &Taken::default());
        assert!(svg.contains(r#"data-state="forced-open""#));
        assert!(svg.contains(r#"<g class="node lit" data-node="open""#));
        assert_eq!(svg.matches("node lit").count(), 1);
        assert!(!svg.contains(" last"));
        assert!(!svg.contains("taken\">"), "nothing taken, no count shown");
    }
}
