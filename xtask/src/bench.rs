//! `cargo xtask bench`: installs what the benchmarks need, runs each of them
//! (their code is in `bench/`) with its results kept in `target/bench`
//! ([`bench_results::ResultFiles`]), then has `bench-report` rewrite
//! BENCHMARKS.md and its chart from them.

use crate::process::{cmd, root, run};
use crate::tools::{CHROMEDRIVER, Tool};
use bench_results::{Machine, ResultFiles};
use clap::ValueEnum;

/// A part of the benchmarks that can be run and reported alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Part {
    /// The page: build it, weigh it, break its wasm down, time it in
    /// headless Chromium; only BENCHMARKS.md's page blocks are rewritten.
    Page,
}

/// Runs every benchmark (or `only` one part) unless `report_only`, then
/// rewrites BENCHMARKS.md's blocks from the results.
pub fn bench(only: Option<Part>, report_only: bool) -> anyhow::Result<()> {
    let files = ResultFiles::under(&root().join("target"));
    if !report_only {
        std::fs::create_dir_all(files.dir())?;
        match only {
            None => everything(&files)?,
            Some(Part::Page) => page(&files)?,
        }
    }
    let mut report = cmd("cargo", &["run", "-p", "bench-report", "--"]);
    if only == Some(Part::Page) {
        report.args(["--only", "page"]);
    }
    run(&mut report)
}

/// The page's benchmarks: built with trunk, weighed with the floor pages
/// beside it (`page-weight`), and timed in headless Chromium (e2e's
/// `page_timing`).
fn page(files: &ResultFiles) -> anyhow::Result<()> {
    crate::tools::install(&[Tool::Twiggy, Tool::Chromium, Tool::WasmOpt])?;
    crate::steps::build_page()?;
    let path = crate::steps::path_with(&crate::tools::wasm_opt()?);
    run(cmd("cargo", &["run", "--release", "-p", "page-weight"]).env("PATH", path))?;
    run(cmd(
        "cargo",
        &[
            "test",
            "--release",
            "-p",
            "e2e",
            "--features",
            "browser",
            "--test",
            "page_timing",
            "--",
            "--nocapture",
        ],
    )
    .env("CHROMEDRIVER", CHROMEDRIVER)
    .env("PAGE_TIMING_JSON", files.page_timing()))
}

/// The breaker overhead benchmark, the server load benchmark, the page's
/// and the Redis-shared breaker's.
fn everything(files: &ResultFiles) -> anyhow::Result<()> {
    crate::tools::install(&[Tool::Redis])?;
    std::fs::write(files.machine(), serde_json::to_string(&Machine::this())?)?;
    run(&mut cmd(
        "cargo",
        &["bench", "-p", "breaker-bench", "--bench", "overhead"],
    ))?;
    run(&mut cmd(
        "cargo",
        &["build", "--release", "-p", "server", "-p", "loadtest"],
    ))?;
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
            &files.load().to_string_lossy(),
        ],
    ))?;
    page(files)?;
    run(cmd(
        "cargo",
        &["bench", "-p", "breaker-bench", "--bench", "shared_state"],
    )
    .env("SHARED_STATE_JSON", files.shared_state()))
}
