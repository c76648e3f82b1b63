//! BENCHMARKS.md's section on the page: its size on the wire, where the
//! wasm's bytes go now and before the size cuts, and its timings in
//! headless Chromium.

use crate::floor::Floor;
use crate::page_size::PageSize;
use crate::report::verdict;
use bench_results::{FileSize, PageSizeRecord, PageTiming, Share, SizeBreakdown};
use std::fmt::Write;

/// The section's heading; `cargo xtask bench --only page` replaces the
/// section from here to the next `## ` heading.
pub const HEADING: &str = "## The page (`trunk build --release`)";

/// The wasm's gzip target (issue 14).
pub const WASM_TARGET_GZIP: usize = 150 * 1024;

/// Crates listed in the breakdown table; the rest are summed in one row.
const TOP_CRATES: usize = 14;

/// What one run measured of the page.
pub struct PageMeasured {
    /// The release page's files.
    pub size: PageSize,
    /// Where the wasm's bytes go.
    pub breakdown: SizeBreakdown,
    /// What e2e's `page_timing` test measured.
    pub timing: PageTiming,
    /// The floor pages, smallest first.
    pub floors: Vec<Floor>,
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

/// Writes the section for `page`, compared with `before`.
pub fn section(md: &mut String, page: &PageMeasured, before: &PageSizeRecord) {
    let wasm_gz = page.size.wasm.gzip;
    let _ = writeln!(md, "{HEADING}\n");
    let _ = writeln!(
        md,
        "| file | raw | gzip | brotli (on the wire to a browser that accepts `br`) |\n|---|---:|---:|---:|"
    );
    for (name, size) in [
        (
            format!("`.wasm`, commit {} (before the cuts)", before.commit),
            before.wasm,
        ),
        ("`.wasm`".to_owned(), page.size.wasm),
        ("JS glue".to_owned(), page.size.js),
    ] {
        size_row(md, &name, size);
    }
    let _ = writeln!(
        md,
        "\nThe server sends the brotli (or gzip) copy made when the page was built, as the \
         browser accepts. Target ≤ {} KiB gzip for the wasm: **{}**.\n",
        WASM_TARGET_GZIP / 1024,
        verdict(wasm_gz <= WASM_TARGET_GZIP)
    );
    floors(md, &page.floors, page.size.wasm);
    let _ = writeln!(md, "{}", crate::report_notes::PAGE);
    breakdown(md, &page.breakdown, before);
    let _ = writeln!(md, "{}", crate::report_notes::PAGE_CUTS);
    if wasm_gz > WASM_TARGET_GZIP {
        let _ = writeln!(md, "{}", crate::report_notes::PAGE_MISS);
    }
    timing(md, &page.timing, page.size.wasm.brotli);
}

/// The by-crate table (now beside before) and the largest items of each.
fn breakdown(md: &mut String, now: &SizeBreakdown, before: &PageSizeRecord) {
    let then = &before.breakdown;
    let _ = writeln!(
        md,
        "Where the wasm's bytes go (`twiggy top` on the shipped module with its \
         names kept, the names not counted), by crate, before the cuts ({}: {}) \
         and now:\n",
        before.commit, before.how
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
            " (an `f64` reaches `Display` or `Debug` again: see `web/src/format.rs`)"
        } else {
            ""
        }
    );
    for (title, list) in [
        (
            format!("The largest items before ({})", before.commit),
            &then.items,
        ),
        ("The largest items now".to_owned(), &now.items),
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
        "**What the stack weighs by itself.** The floor pages (`web/floor`) are \
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
         to the last floor; under the target they would have {:.1} KiB.\n",
        kib(wasm.gzip.saturating_sub(floor)),
        kib(WASM_TARGET_GZIP.saturating_sub(floor))
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

/// `md` with its page section replaced by `section` (appended if it had none).
pub fn splice(md: &str, section: &str) -> String {
    let Some(start) = md.find(HEADING) else {
        return format!("{}\n{section}", md.trim_end());
    };
    let after = start + HEADING.len();
    let end = md[after..]
        .find("\n## ")
        .map_or(md.len(), |at| after + at + 1);
    format!("{}{section}{}", &md[..start], &md[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splicing_replaces_only_the_page_section() {
        let md = format!("# B\n\n## A\n\na\n\n{HEADING}\n\nold\n\n## C\n\nc\n");
        let new = format!("{HEADING}\n\nnew\n\n");
        assert_eq!(
            splice(&md, &new),
            format!("# B\n\n## A\n\na\n\n{HEADING}\n\nnew\n\n## C\n\nc\n")
        );
        let last = format!("# B\n\n{HEADING}\n\nold\n");
        assert_eq!(splice(&last, &new), format!("# B\n\n{new}"));
        assert_eq!(splice("# B\n", &new), format!("# B\n{new}"));
    }
}
