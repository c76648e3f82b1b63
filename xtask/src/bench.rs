//! `cargo xtask bench`: every benchmark in one run, and BENCHMARKS.md and
//! its chart regenerated from what it measured.

use crate::process::{cmd, root, run};
use crate::report::{self, Measured, PageSize};
use anyhow::Context;
use bench_results::LoadReport;
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// Runs the breaker overhead benchmark, the server load benchmark and the
/// page measurements, then rewrites BENCHMARKS.md and docs/benchmarks.svg.
pub fn bench() -> anyhow::Result<()> {
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out)?;

    run(&mut cmd(
        "cargo",
        &["bench", "-p", "breaker", "--bench", "overhead"],
    ))?;
    let overhead = criterion_means(&root().join("target/criterion"))?;

    run(&mut cmd(
        "cargo",
        &["build", "--release", "-p", "server", "-p", "loadtest"],
    ))?;
    let load_json = out.join("load.json");
    run(&mut cmd(
        "target/release/loadtest",
        &[
            "--requests",
            "20000",
            "--concurrency",
            "32",
            "--connections",
            "1,32",
            "--json",
            &load_json.to_string_lossy(),
        ],
    ))?;
    let load: LoadReport = serde_json::from_str(&std::fs::read_to_string(&load_json)?)
        .with_context(|| format!("{} is not loadtest's report", load_json.display()))?;

    crate::steps::build_page()?;
    let page = page_size(&root().join("dist"))?;
    let timing = crate::steps::page_timing(&out.join("page.json"))?;

    let measured = Measured {
        overhead,
        load,
        page,
        timing,
    };
    std::fs::write(root().join("BENCHMARKS.md"), report::markdown(&measured))?;
    std::fs::create_dir_all(root().join("docs"))?;
    std::fs::write(root().join("docs/benchmarks.svg"), report::chart(&measured))?;
    println!("\nwrote BENCHMARKS.md and docs/benchmarks.svg");
    Ok(())
}

/// Each criterion benchmark's mean, in ns: (group, function, ns).
fn criterion_means(dir: &Path) -> anyhow::Result<Vec<(String, String, f64)>> {
    let mut means = Vec::new();
    for group in std::fs::read_dir(dir).context("no criterion results: did the benchmark run?")? {
        let group = group?.path();
        for bench in std::fs::read_dir(&group)? {
            let new = bench?.path().join("new");
            let (Ok(id), Ok(estimates)) = (
                std::fs::read_to_string(new.join("benchmark.json")),
                std::fs::read_to_string(new.join("estimates.json")),
            ) else {
                continue;
            };
            let id: Value = serde_json::from_str(&id)?;
            let estimates: Value = serde_json::from_str(&estimates)?;
            means.push((
                id["group_id"].as_str().unwrap_or_default().to_owned(),
                // A benchmark named by parameter has it as its value instead.
                id["function_id"]
                    .as_str()
                    .or(id["value_str"].as_str())
                    .unwrap_or_default()
                    .to_owned(),
                estimates["mean"]["point_estimate"]
                    .as_f64()
                    .unwrap_or(f64::NAN),
            ));
        }
    }
    means.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(means)
}

/// The sizes of the built page's `.wasm` and JS glue, raw and gzipped.
fn page_size(dist: &Path) -> anyhow::Result<PageSize> {
    let mut size = PageSize::default();
    for entry in std::fs::read_dir(dist).context("no dist/: build the page first")? {
        let path = entry?.path();
        let bytes = std::fs::read(&path)?;
        let gzip = gzipped_len(&bytes)?;
        match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => size.wasm = (bytes.len(), gzip),
            Some("js") => size.js = (size.js.0 + bytes.len(), size.js.1 + gzip),
            _ => {}
        }
    }
    Ok(size)
}

/// Length of `bytes` compressed with gzip at the best level.
pub fn gzipped_len(bytes: &[u8]) -> anyhow::Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}
