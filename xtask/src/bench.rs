//! `cargo xtask bench`: every benchmark in one run, and BENCHMARKS.md and
//! its chart regenerated from what it measured.

use crate::process::{cmd, root, run};
use crate::report::{self, Measured};
use crate::report_page::{self, PageMeasured};
use crate::tools::Tool;
use anyhow::Context;
use bench_results::{LoadReport, PageSizeRecord, SharedStateReport};
use clap::ValueEnum;
use serde::Deserialize;
use std::path::Path;

/// A part of the benchmarks that can be run and reported alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Part {
    /// The page: build it, weigh it, break its wasm down, time it in
    /// headless Chromium; only BENCHMARKS.md's page section is rewritten.
    Page,
}

/// Runs every benchmark and rewrites BENCHMARKS.md and docs/benchmarks.svg,
/// or runs `only` one part and rewrites its section alone.
pub fn bench(only: Option<Part>) -> anyhow::Result<()> {
    match only {
        None => everything(),
        Some(Part::Page) => {
            let page = page()?;
            let path = root().join("BENCHMARKS.md");
            let old = std::fs::read_to_string(&path).unwrap_or_default();
            let mut section = String::new();
            report_page::section(&mut section, &page, &PageSizeRecord::before_cuts());
            section.push_str(
                "\nThis section was measured in a run of its own \
                 (`cargo xtask bench --only page`), after the rest of this file.\n\n",
            );
            std::fs::write(&path, report_page::splice(&old, &section))?;
            println!("\nrewrote the page section of BENCHMARKS.md");
            Ok(())
        }
    }
}

/// The page's measurements: built with trunk, weighed, broken down with
/// twiggy, and timed in headless Chromium.
fn page() -> anyhow::Result<PageMeasured> {
    crate::tools::install(&[Tool::Twiggy, Tool::Chromium, Tool::WasmOpt])?;
    crate::steps::build_page()?;
    let floors = crate::floor::floors(&crate::steps::path_with(&crate::tools::wasm_opt()?))?;
    let dist = root().join("dist");
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out)?;
    Ok(PageMeasured {
        size: crate::page_size::page_size(&dist)?,
        breakdown: crate::page_size::breakdown(&dist)?,
        timing: crate::steps::page_timing(&out.join("page.json"))?,
        floors,
    })
}

/// Runs the breaker overhead benchmark, the server load benchmark, the
/// page measurements and the Redis-shared breaker's benchmark, then rewrites
/// BENCHMARKS.md and docs/benchmarks.svg.
fn everything() -> anyhow::Result<()> {
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out)?;
    crate::tools::install(&[Tool::Redis])?;

    run(&mut cmd(
        "cargo",
        &["bench", "-p", "tripbreaker", "--bench", "overhead"],
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

    let page = page()?;

    let shared_json = out.join("shared_state.json");
    run(cmd(
        "cargo",
        &[
            "bench",
            "-p",
            "tripbreaker-redis",
            "--bench",
            "shared_state",
        ],
    )
    .env("SHARED_STATE_JSON", &shared_json))?;
    let shared_state: SharedStateReport =
        serde_json::from_str(&std::fs::read_to_string(&shared_json)?)
            .with_context(|| format!("{} is not the shared-state report", shared_json.display()))?;

    let measured = Measured {
        overhead,
        load,
        page,
        shared_state,
    };
    std::fs::write(root().join("BENCHMARKS.md"), report::markdown(&measured))?;
    std::fs::create_dir_all(root().join("docs"))?;
    std::fs::write(root().join("docs/benchmarks.svg"), report::chart(&measured))?;
    println!("\nwrote BENCHMARKS.md and docs/benchmarks.svg");
    Ok(())
}

/// What criterion 0.5 writes in a benchmark's `benchmark.json` (the fields read here).
#[derive(Debug, Deserialize)]
struct BenchmarkId {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
}

/// What criterion 0.5 writes in a benchmark's `estimates.json` (the fields read here).
#[derive(Debug, Deserialize)]
struct Estimates {
    mean: Estimate,
}

/// One of criterion's estimates.
#[derive(Debug, Deserialize)]
struct Estimate {
    /// In ns per iteration.
    point_estimate: f64,
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
            let id: BenchmarkId = serde_json::from_str(&id)?;
            let estimates: Estimates = serde_json::from_str(&estimates)?;
            means.push((
                id.group_id,
                // A benchmark named by parameter has it as its value instead.
                id.function_id.or(id.value_str).unwrap_or_default(),
                estimates.mean.point_estimate,
            ));
        }
    }
    means.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(means)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes one benchmark's files as criterion 0.5 does.
    fn bench(dir: &Path, folder: &str, id: &str, mean: f64) {
        let new = dir.join(folder).join("new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join("benchmark.json"), id).unwrap();
        let estimate = format!(
            r#"{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":{mean},"upper_bound":{mean}}},"point_estimate":{mean},"standard_error":0.1}}"#
        );
        std::fs::write(
            new.join("estimates.json"),
            format!(
                r#"{{"mean":{estimate},"median":{estimate},"median_abs_dev":{estimate},"slope":null,"std_dev":{estimate}}}"#
            ),
        )
        .unwrap();
    }

    #[test]
    fn reads_criterion_means_by_function_or_parameter() {
        let dir = std::env::temp_dir().join(format!("xtask-criterion-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        bench(
            &dir,
            "g/f",
            r#"{"group_id":"g","function_id":"f","value_str":null,"throughput":null,"full_id":"g/f","directory_name":"g/f","title":"g/f"}"#,
            2.5,
        );
        bench(
            &dir,
            "g/64",
            r#"{"group_id":"g","function_id":null,"value_str":"64","throughput":null,"full_id":"g/64","directory_name":"g/64","title":"g/64"}"#,
            7.0,
        );
        std::fs::create_dir_all(dir.join("report")).unwrap();
        let means = criterion_means(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            means.unwrap(),
            vec![
                ("g".to_owned(), "64".to_owned(), 7.0),
                ("g".to_owned(), "f".to_owned(), 2.5),
            ]
        );
    }
}
