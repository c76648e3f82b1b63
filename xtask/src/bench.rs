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
    /// The server against a grpc-go Greeter built from Debian's packages
    /// (h2load, pinned cores), and callgrind's instructions per call against
    /// a bare tonic Greeter; only BENCHMARKS.md's `grpc-go` block is rewritten.
    GrpcGo,
    /// The breaker shared through Redis, exact and fast (`redis-server`
    /// on loopback, a fleet of processes, a trip); only BENCHMARKS.md's
    /// `shared-state` block is rewritten.
    SharedState,
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
            Some(Part::GrpcGo) => grpc_go(&files)?,
            Some(Part::SharedState) => shared_state(&files)?,
        }
    }
    let mut report = cmd("cargo", &["run", "-p", "bench-report", "--"]);
    match only {
        Some(Part::Page) => report.args(["--only", "page"]),
        Some(Part::GrpcGo) => report.args(["--only", "grpc-go"]),
        Some(Part::SharedState) => report.args(["--only", "shared-state"]),
        None => &mut report,
    };
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

/// The grpc-go Greeter of bench/go-greeter, built into `target/go-greeter`
/// from Debian's packages in GOPATH mode (no module proxy), then `versus-go`.
fn grpc_go(files: &ResultFiles) -> anyhow::Result<()> {
    crate::tools::install(&[Tool::GrpcGo])?;
    let gopath = root().join("target/go-greeter");
    let package = gopath.join("src/greeterbench");
    for dir in ["greeter", "server"] {
        std::fs::create_dir_all(package.join(dir))?;
    }
    std::fs::copy(
        root().join("bench/go-greeter/main.go"),
        package.join("server/main.go"),
    )?;
    run(&mut cmd(
        "protoc",
        &[
            "-I",
            "proto/proto",
            "--go_out=plugins=grpc,Mgreeter.proto=greeterbench/greeter:target/go-greeter/src/greeterbench/greeter",
            "greeter.proto",
        ],
    ))?;
    let binary = gopath.join("greeter-go");
    run(cmd(
        "go",
        &[
            "build",
            "-o",
            &binary.to_string_lossy(),
            "greeterbench/server",
        ],
    )
    .env("GO111MODULE", "off")
    .env("GOPATH", format!("{}:/usr/share/gocode", gopath.display()))
    .env("GOCACHE", gopath.join("cache"))
    .env("GOFLAGS", "")
    .current_dir(&gopath))?;
    run(&mut cmd(
        "cargo",
        &["build", "--release", "-p", "server", "-p", "versus-go"],
    ))?;
    run(&mut cmd(
        "target/release/versus-go",
        &[
            "--grpc-go",
            &binary.to_string_lossy(),
            "--json",
            &files.versus_go().to_string_lossy(),
        ],
    ))
}

/// The breaker overhead benchmark, the server load benchmark, the page's
/// and the Redis-shared breaker's.
fn everything(files: &ResultFiles) -> anyhow::Result<()> {
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
    grpc_go(files)?;
    shared_state(files)
}

/// The breaker shared through Redis, on a `redis-server` the benchmark starts.
fn shared_state(files: &ResultFiles) -> anyhow::Result<()> {
    crate::tools::install(&[Tool::Redis])?;
    run(cmd(
        "cargo",
        &["bench", "-p", "breaker-bench", "--bench", "shared_state"],
    )
    .env("SHARED_STATE_JSON", files.shared_state()))
}
