//! The strip's markup, written as text: the page sets it as the inner HTML
//! of the strip (one string costs the wasm far less than a typed view per
//! mark). Each mark and band carries its times as CSS custom properties
//! (`--t`, `--from`, `--to`; a mark's `--row`, and its `--shift` left
//! when it gives way to later marks) in `data-css`, which the page applies through
//! the CSSOM (the page's Content-Security-Policy refuses `style`
//! attributes); the stylesheet places them against the strip's `--now`
//! and `--span`, so the strip moves on each second by changing the
//! strip's own two properties, not by redrawing. Call lines come from the
//! server and are escaped.

use super::{Drawn, Outcome};
use std::fmt::Write as _;
use tripbreaker::State;

/// Each outcome's shape (readable without colour), centred on 0 0, in the
/// order of [`Outcome::ALL`]: a disc, a cross, a diamond, a square.
const SHAPES: [&str; 4] = [
    "M-5 0a5 5 0 1 0 10 0a5 5 0 1 0-10 0",
    "M-4.5-4.5L4.5 4.5M4.5-4.5L-4.5 4.5",
    "M0-6L6 0L0 6L-6 0z",
    "M-4.5-4.5h9v9h-9z",
];

/// The strip for `drawn`: a `.track` of one `.band` per state shown and
/// one `.mark` per call with `data-outcome`, its log line as its name
/// (shown by the stylesheet on hover and focus), `tabindex="0"`, its
/// call's id in `data-call` (so the page can give focus back to it when
/// the strip is redrawn), and `↻n` when it was retried; then the time
/// axis and the legend.
pub fn strip(drawn: &Drawn) -> String {
    let mut html = String::with_capacity(1_500 + drawn.marks.len() * 320);
    html.push_str(r#"<div class="track"><div class="bands" aria-hidden="true">"#);
    for band in &drawn.bands {
        let (name, from) = (band.state.as_str(), band.from);
        let to = band.to.map(|to| format!(";--to:{to}")).unwrap_or_default();
        let _ = write!(
            html,
            r#"<div class="band {name}" data-css="--from:{from}{to}"><span>{name}</span></div>"#
        );
    }
    html.push_str("</div>");
    for mark in &drawn.marks {
        let call = &mark.call;
        let (key, id, t, row, shift) = (
            call.outcome.key(),
            call.id,
            call.ended_at,
            mark.row,
            mark.shift,
        );
        let line = escape(&call.line);
        let _ = write!(
            html,
            r#"<span class="mark {key}" data-outcome="{key}" tabindex="0" role="img" aria-label="{line}" data-call="{id}" data-css="--t:{t};--row:{row};--shift:{shift}">"#
        );
        html.push_str(&shape(call.outcome));
        if call.retries > 0 {
            let retries = call.retries;
            let _ = write!(
                html,
                r#"<b class="retries" aria-hidden="true">↻{retries}</b>"#
            );
        }
        html.push_str("</span>");
    }
    let since = match drawn.by_calls {
        true => format!("−{} s: the last 50 calls", drawn.span.div_ceil(1000)),
        false => "−1 min".to_owned(),
    };
    let _ = write!(
        html,
        r#"</div><p class="axis" aria-hidden="true"><span>{since}</span><span>now</span></p><ul class="legend">"#
    );
    legend(&mut html);
    html.push_str("</ul>");
    html
}

/// The legend's items: each outcome's shape, retries, and each state's band.
fn legend(html: &mut String) {
    for outcome in Outcome::ALL {
        let key = outcome.key();
        let _ = write!(html, r#"<li class="mark {key}">"#);
        html.push_str(&shape(outcome));
        html.push_str(outcome.label());
        html.push_str("</li>");
    }
    html.push_str(r#"<li><b class="retries">↻2</b>retried twice</li>"#);
    for state in [State::Closed, State::Open, State::HalfOpen] {
        let name = state.as_str();
        let _ = write!(html, r#"<li><i class="band {name}"></i>{name}</li>"#);
    }
}

/// An outcome's shape as a small inline SVG.
fn shape(outcome: Outcome) -> String {
    let path = SHAPES[outcome as usize];
    format!(r#"<svg viewBox="-7 -7 14 14" aria-hidden="true"><path d="{path}"/></svg>"#)
}

/// `text` safe inside an HTML attribute or element.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::super::{Band, CallMark, window};
    use super::*;

    #[test]
    fn marks_carry_their_outcome_time_and_escaped_line() {
        let calls = [
            CallMark {
                id: 0,
                ended_at: 1_500,
                outcome: Outcome::Success,
                retries: 0,
                line: r#"12:00:00.000 Greeting: Hello <b>"x"</b> & 'y'"#.to_owned(),
            },
            CallMark {
                id: 1,
                ended_at: 2_000,
                outcome: Outcome::Failure,
                retries: 2,
                line: "x".to_owned(),
            },
        ];
        let bands = [
            Band {
                from: 0,
                state: State::Closed,
            },
            Band {
                from: 1_800,
                state: State::Open,
            },
        ];
        let html = strip(&window(&calls, &bands, 3_000, 1_020));
        assert!(html.contains(
            r#"<span class="mark success" data-outcome="success" tabindex="0" role="img" aria-label="12:00:00.000 Greeting: Hello &lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; &#39;y&#39;""#
        ));
        assert!(!html.contains("<b>"), "no markup from the server");
        assert!(html.contains(r#"data-call="0" data-css="--t:1500;--row:1;--shift:0">"#));
        assert!(html.contains(r#"data-call="1" data-css="--t:2000;--row:0;--shift:0">"#));
        assert!(html.contains(r#"data-outcome="failure""#));
        assert!(html.contains(r#"<b class="retries" aria-hidden="true">↻2</b>"#));
        assert!(html.contains(r#"<div class="band closed" data-css="--from:0;--to:1800">"#));
        assert!(html.contains(r#"<div class="band open" data-css="--from:1800">"#));
        assert_eq!(html.matches("data-outcome=").count(), 2);
        assert!(html.contains("<span>−1 min</span><span>now</span>"));
    }

    #[test]
    fn the_legend_names_every_outcome_and_state() {
        let mut legend = String::new();
        super::legend(&mut legend);
        for word in [
            "succeeded",
            "failed",
            "excluded",
            "refused by the breaker",
            "closed",
            "half-open",
        ] {
            assert!(legend.contains(word), "{word}");
        }
    }
}
