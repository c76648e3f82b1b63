//! docs/benchmarks.svg: the breaker overhead and the server throughput as
//! bar charts.

use crate::overhead::{DOUBLE, Mean, SINGLE, ns};
use bench_results::LoadReport;
use std::fmt::Write;

/// The chart's longest bar, in px.
const BAR_MAX: f64 = 420.0;

/// A bar chart of the overhead and throughput figures, as SVG.
pub fn chart(overhead: &[Mean], load: &LoadReport) -> String {
    const BREAKER: &str = "#2e7d32";
    const PEER: &str = "#90a4ae";
    let bars = [
        (
            "breaker core, 1 thread",
            SINGLE,
            "breaker (core, &mut)",
            BREAKER,
        ),
        ("failsafe, 1 thread", SINGLE, "failsafe 1.3", PEER),
        ("recloser, 1 thread", SINGLE, "recloser 1.4", PEER),
        (
            "breaker shared, 2 threads",
            DOUBLE,
            "breaker (SharedBreaker)",
            BREAKER,
        ),
        ("failsafe, 2 threads", DOUBLE, "failsafe 1.3", PEER),
        ("recloser, 2 threads", DOUBLE, "recloser 1.4", PEER),
    ]
    .map(|(label, group, function, colour)| (label, ns(overhead, group, function), colour));
    let rps = crate::load::bars(load);
    let longest = (bars.iter().map(|b| b.0.chars().count()))
        .chain(rps.iter().map(|b| b.0.chars().count()))
        .max()
        .unwrap_or(0);
    // Bars start right of the longest label: about 6.5 px a character at
    // 12 px sans-serif.
    let left = 20.0 + longest as f64 * 6.5;
    let width = left + BAR_MAX + 100.0;
    let height = 200 + 10 + rps.len() * 20 + 20;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
    );
    panel(
        &mut svg,
        left,
        20,
        "Breaker overhead, ns per call (lower is better)",
        &bars,
        "ns",
    );
    panel(
        &mut svg,
        left,
        200,
        "Server throughput, requests/s (higher is better)",
        &rps,
        "/s",
    );
    svg.push_str("</svg>\n");
    svg
}

fn panel<L: AsRef<str>>(
    svg: &mut String,
    left: f64,
    top: i32,
    title: &str,
    bars: &[(L, f64, &str)],
    unit: &str,
) {
    let max = bars
        .iter()
        .map(|b| b.1)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .max(1e-9);
    let _ = writeln!(
        svg,
        "<text x=\"10\" y=\"{}\" font-weight=\"bold\">{title}</text>",
        top
    );
    for (i, (label, value, colour)) in bars.iter().enumerate() {
        let y = top + 10 + i as i32 * 20;
        let width = if value.is_finite() {
            (value / max * BAR_MAX).max(1.0)
        } else {
            0.0
        };
        let _ = writeln!(
            svg,
            "<text x=\"10\" y=\"{}\">{}</text>",
            y + 13,
            xml_text(label.as_ref())
        );
        let _ = writeln!(
            svg,
            "<rect x=\"{left:.1}\" y=\"{y}\" width=\"{width:.1}\" height=\"15\" fill=\"{colour}\"/>"
        );
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\">{value:.1} {unit}</text>",
            left + 5.0 + width,
            y + 13
        );
    }
}

/// `text` as SVG character data (a peer's URL may hold `&` or `<`).
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::tests::run;
    use bench_results::{Protocol, Server};

    #[test]
    fn the_chart_is_tall_enough_for_every_setup() {
        let mut load = crate::load::tests::load_at_two_counts();
        let peer = Server::Peer {
            url: "http://127.0.0.1:9/a&b".into(),
        };
        load.runs.push(run(peer, Protocol::GrpcWebHttp1, 1, 10.0));
        let svg = chart(&crate::overhead::tests::overhead(), &load);
        let height: usize = svg
            .split("height=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|h| h.parse().ok())
            .expect("the svg has a height");
        let lowest_bar = svg
            .lines()
            .filter(|l| l.starts_with("<rect x=\""))
            .filter_map(|l| {
                l.split("y=\"")
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse::<usize>()
                    .ok()
            })
            .max()
            .expect("bars");
        assert_eq!(svg.matches("<rect x=\"").count(), 6 + 11);
        assert!(svg.contains("peer http://127.0.0.1:9/a&amp;b, "), "{svg}");
        assert!(
            lowest_bar + 15 < height,
            "bar at {lowest_bar}, height {height}"
        );
    }
}
