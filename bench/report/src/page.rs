//! BENCHMARKS.md's blocks on the page: its size on the wire beside the
//! floor pages, where the wasm's bytes go now and before the size cuts,
//! and its timings in headless Chromium.

use bench_results::{
    FileSize, Floor, PageSizeRecord, PageTiming, PageWeight, Share, SizeBreakdown,
};
use std::fmt::Write;

/// Crates listed in the breakdown table; the rest are summed in one row.
const TOP_CRATES: usize = 14;

/// What one run measured of the page.
pub struct PageMeasured {
    /// What `page-weight` measured: the page's files, its wasm's
    /// breakdown, the floor pages.
    pub weight: PageWeight,
    /// What e2e's `page_timing` test measured.
    pub timing: PageTiming,
}

/// A table row: `name`, then `size` raw, gzip and brotli in KiB.
fn size_row(md: &mut String, name: &str, size: FileSize) {
    let _ = writeln!(
        md,
        "| {name} | {:.1} KiB | {:.1} KiB | {:.1} KiB |",
        kib(size.raw),
        kib(size.gzip),
        kib(size.brotli)
    );
}

fn kib(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

/// The page's blocks, compared with `before`; `alone` when the page was
/// measured in a run of its own, after the rest of the file.
pub fn blocks(
    page: &PageMeasured,
    before: &PageSizeRecord,
    alone: bool,
) -> Vec<(&'static str, String)> {
    let size = page.weight.size;
    let mut weight = String::new();
    sizes(&mut weight, size, before);
    floors(&mut weight, &page.weight.floors, size.wasm);
    let mut breakdown_md = String::new();
    breakdown(&mut breakdown_md, &page.weight.breakdown, before);
    let mut timing_md = String::new();
    timing(&mut timing_md, &page.timing, size.wasm.brotli);
    if alone {
        timing_md.push_str(
            "\nThis section was measured in a run of its own \
             (`cargo xtask bench --only page`), after the rest of this file.\n",
        );
    }
    vec![
        ("page-weight", weight),
        ("page-breakdown", breakdown_md),
        ("page-timing", timing_md),
    ]
}

/// The files' table, `before` the size cuts and now.
fn sizes(md: &mut String, size: bench_results::PageSize, before: &PageSizeRecord) {
    let _ = writeln!(
        md,
        "| file | raw | gzip | brotli (on the wire to a browser that accepts `br`) |\n|---|---:|---:|---:|"
    );
    for (name, size) in [
        ("`.wasm` before the size cuts", before.wasm),
        ("`.wasm`", size.wasm),
        ("JS glue", size.js),
    ] {
        size_row(md, name, size);
    }
    let _ = writeln!(
        md,
        "\nThe server sends the brotli (or gzip) copy made when the page was built, as the \
         browser accepts.\n"
    );
}

/// The by-crate table (now beside before) and the largest items of each.
fn breakdown(md: &mut String, now: &SizeBreakdown, before: &PageSizeRecord) {
    let then = &before.breakdown;
    let _ = writeln!(
        md,
        "Where the wasm's bytes go (`twiggy top` on the shipped module with its \
         names kept, the names not counted), by crate, before the size cuts ({}) \
         and now:\n",
        before.how
    );
    let _ = writeln!(
        md,
        "| crate or part | before | now | change |\n|---|---:|---:|---:|"
    );
    let bytes_of =
        |list: &[Share], name: &str| list.iter().find(|s| s.name == name).map_or(0, |s| s.bytes);
    let mut shown: Vec<&str> = Vec::new();
    for share in now
        .crates
        .iter()
        .take(TOP_CRATES)
        .chain(then.crates.iter().take(TOP_CRATES))
    {
        if !shown.contains(&share.name.as_str()) {
            shown.push(&share.name);
        }
    }
    shown.sort_by_key(|name| std::cmp::Reverse(bytes_of(&now.crates, name)));
    let row = |md: &mut String, name: &str, was: usize, is: usize| {
        let _ = writeln!(
            md,
            "| {name} | {:.1} KiB | {:.1} KiB | {:+.1} KiB |",
            kib(was),
            kib(is),
            kib(is) - kib(was)
        );
    };
    for name in &shown {
        row(
            md,
            name,
            bytes_of(&then.crates, name),
            bytes_of(&now.crates, name),
        );
    }
    let rest = |list: &[Share]| {
        list.iter()
            .filter(|s| !shown.contains(&s.name.as_str()))
            .map(|s| s.bytes)
            .sum::<usize>()
    };
    row(md, "everything else", rest(&then.crates), rest(&now.crates));
    row(md, "**total**", then.total, now.total);
    let _ = writeln!(
        md,
        "\nRust's float printing in the wasm: {} before, {} now{}.",
        float(then.float_printing),
        float(now.float_printing),
        if now.float_printing > 0 {
            " (an `f64` reaches `Display` or `Debug`: see `web/src/format.rs`)"
        } else {
            ""
        }
    );
    for (title, list) in [
        ("The largest items before the size cuts", &then.items),
        ("The largest items now", &now.items),
    ] {
        let _ = writeln!(md, "\n{title}:\n\n| bytes | item |\n|---:|---|");
        for item in list {
            let _ = writeln!(
                md,
                "| {} | `{}` |",
                item.bytes,
                item.name.replace('|', "\\|")
            );
        }
    }
    let _ = writeln!(md);
}

/// Bytes of float printing, in words.
fn float(bytes: usize) -> String {
    if bytes == 0 {
        "none".to_owned()
    } else {
        format!("{:.1} KiB of code", kib(bytes))
    }
}

/// What the stack weighs without the page's own features, and what those
/// add: the floor pages beside the page.
fn floors(md: &mut String, floors: &[Floor], wasm: FileSize) {
    let Some(last) = floors.last() else {
        return;
    };
    let _ = writeln!(
        md,
        "**What the stack weighs by itself.** The floor pages (`bench/floor`) are \
         built in the same run exactly as the page is (its profile, allocator \
         and wasm-opt flags), each holding a little more of the page's stack \
         and none of its features:\n\n\
         | wasm of | raw | gzip | brotli |\n|---|---:|---:|---:|"
    );
    let rows = floors
        .iter()
        .enumerate()
        .map(|(i, floor)| (format!("{}. {}", i + 1, floor.what), floor.size.wasm))
        .chain([("the page".to_owned(), wasm)]);
    for (name, size) in rows {
        size_row(md, &name, size);
    }
    let floor = last.size.wasm.gzip;
    let _ = writeln!(
        md,
        "\nThe page's own features (its views, state and logs, the settings \
         panel and link, the fault controls, the counters, the countdown, the \
         state diagram, the timeline and the Go demo player) add {:.1} KiB gzip \
         to the last floor.\n",
        kib(wasm.gzip.saturating_sub(floor))
    );
}

/// The timings table.
fn timing(md: &mut String, t: &PageTiming, wasm_brotli: usize) {
    let _ = writeln!(
        md,
        "In headless Chromium, the page served by the release server from one \
         run (median of {} samples each):\n",
        t.samples
    );
    let _ = writeln!(md, "| measure | ms |\n|---|---:|");
    for (what, ms) in [
        (
            "navigation start → first possible click, repeat visit (files cached)".to_owned(),
            t.first_click_ms,
        ),
        (
            "navigation start → first possible click, first visit (cache off), loopback".to_owned(),
            t.first_click_cold_ms,
        ),
        (
            format!(
                "navigation start → first possible click, first visit, throttled to {}",
                t.throttle
            ),
            t.first_click_throttled_ms,
        ),
    ] {
        let _ = writeln!(md, "| {what} | {ms:.1} |");
    }
    let _ = writeln!(
        md,
        "| click → reply shown, real round trip to the server | {:.2} |",
        t.round_trip_ms
    );
    let _ = writeln!(
        md,
        "| click → rejection shown, breaker open (no network) | {:.2} |",
        t.rejection_ms
    );
    let encoding = if t.wasm_wire_bytes as usize == wasm_brotli {
        " (the brotli copy)"
    } else if t.wasm_wire_bytes >= t.wasm_decoded_bytes {
        " (uncompressed)"
    } else {
        ""
    };
    let _ = writeln!(
        md,
        "\nOn a first visit the wasm crossed the wire as {:.1} KiB{encoding}, \
         {:.1} KiB decoded (Resource Timing). Throttled, the same page from the \
         same server: Chromium's network emulation, which delays every request \
         by the round trip and paces bodies at the rate.",
        kib(t.wasm_wire_bytes as usize),
        kib(t.wasm_decoded_bytes as usize),
    );
    let _ = writeln!(
        md,
        "\nAn open breaker answers in **{:.2}x** the time of a round trip.",
        t.rejection_ms / t.round_trip_ms
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use bench_results::{PageSize, Throttle};

    fn measured() -> PageMeasured {
        let size = |raw, gzip, brotli| FileSize { raw, gzip, brotli };
        PageMeasured {
            weight: PageWeight {
                size: PageSize {
                    wasm: size(400_000, 170_000, 140_000),
                    js: size(46_000, 8_000, 7_000),
                },
                breakdown: SizeBreakdown {
                    total: 400_000,
                    crates: vec![
                        Share {
                            name: "web".into(),
                            bytes: 300_000,
                        },
                        Share {
                            name: "core".into(),
                            bytes: 100_000,
                        },
                    ],
                    items: vec![Share {
                        name: "web::main".into(),
                        bytes: 30_000,
                    }],
                    float_printing: 0,
                },
                floors: vec![Floor {
                    what: "with the page's client around it".into(),
                    size: PageSize {
                        wasm: size(200_000, 90_000, 75_000),
                        js: FileSize::default(),
                    },
                }],
            },
            timing: PageTiming {
                samples: 15,
                first_click_ms: 50.0,
                first_click_cold_ms: 80.0,
                first_click_throttled_ms: 1500.0,
                throttle: Throttle::SLOW_MOBILE,
                wasm_wire_bytes: 140_000,
                wasm_decoded_bytes: 400_000,
                round_trip_ms: 6.0,
                rejection_ms: 2.0,
            },
        }
    }

    #[test]
    fn writes_each_block_from_the_typed_results() {
        let blocks = blocks(&measured(), &PageSizeRecord::before_cuts(), false);
        let names: Vec<&str> = blocks.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ["page-weight", "page-breakdown", "page-timing"]);
        let md: String = blocks.into_iter().map(|(_, text)| text).collect();
        for expected in [
            "| `.wasm` before the size cuts | 421.7 KiB |",
            "as the browser accepts.\n",
            "| 1. with the page's client around it | 195.3 KiB | 87.9 KiB | 73.2 KiB |",
            "add 78.1 KiB gzip to the last floor.\n",
            "| web | ",
            "float printing in the wasm: 12.2 KiB of code before, none now.",
            "(median of 15 samples each)",
            "first visit, throttled to 1.6 Mbit/s down, 1.6 Mbit/s up, 150 ms round trip | 1500.0 |",
            "| click → reply shown, real round trip to the server | 6.00 |",
            "crossed the wire as 136.7 KiB (the brotli copy)",
        ] {
            assert!(md.contains(expected), "{expected} missing from {md}");
        }
        assert!(!md.contains("run of its own"), "{md}");
    }

    #[test]
    fn a_page_measured_alone_says_so() {
        let blocks = blocks(&measured(), &PageSizeRecord::before_cuts(), true);
        assert!(blocks[2].1.contains("(`cargo xtask bench --only page`)"));
    }
}
