//! The stages of `cargo xtask test`, and `cargo xtask demo`.

use crate::process::{cmd, run};
use crate::test_server;
use crate::tools::{self, CHROMEDRIVER, Tool};
use clap::ValueEnum;
use std::time::Instant;

/// A stage of the test run, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Stage {
    /// rustfmt and clippy, native and wasm, warnings denied; the published
    /// crates packaged.
    Lint,
    /// Every native test of the workspace (unit, integration, doc, properties).
    Native,
    /// The shared breaker's lock-free path, model-checked by loom.
    Loom,
    /// The breaker builds for a bare-metal target without std.
    NoStd,
    /// The wasm tests in headless Chromium (wasm-bindgen-test), against a live server.
    Wasm,
    /// The release page, clicked through in headless Chromium (WebDriver),
    /// served by the server and through `trunk serve`.
    E2e,
}

/// Installs what is missing, then runs `only` (or every) stage.
pub fn test(only: &[Stage]) -> anyhow::Result<()> {
    let stages = if only.is_empty() {
        Stage::value_variants()
    } else {
        only
    };
    let mut needed = vec![Tool::Targets];
    if stages.contains(&Stage::Native) {
        needed.push(Tool::Redis);
    }
    if stages.contains(&Stage::Wasm) || stages.contains(&Stage::E2e) {
        needed.extend([Tool::Chromium, Tool::WasmBindgen]);
    }
    if stages.contains(&Stage::E2e) {
        needed.extend([Tool::Trunk, Tool::WasmOpt, Tool::Crates]);
    }
    tools::install(&needed)?;

    let started = Instant::now();
    let mut passed = 0;
    for stage in stages {
        println!("\n######## stage {stage:?}");
        let result = match stage {
            Stage::Lint => lint(),
            Stage::Native => native(),
            Stage::Loom => loom(),
            Stage::NoStd => no_std(),
            Stage::Wasm => wasm(),
            Stage::E2e => e2e(),
        };
        if let Err(error) = result {
            println!("\nstages: {passed} passed, 1 failed");
            return Err(error.context(format!("stage {stage:?} failed")));
        }
        passed += 1;
    }
    println!(
        "\nall stages passed in {:.0}s\nstages: {passed} passed, 0 failed",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

const WASM: &str = "wasm32-unknown-unknown";

fn lint() -> anyhow::Result<()> {
    run(&mut cmd("cargo", &["fmt", "--all", "--", "--check"]))?;
    let deny = ["--", "-D", "warnings"];
    run(cmd("cargo", &["clippy", "--workspace", "--all-targets"]).args(deny))?;
    // The crates that build for the browser, as the browser builds them.
    let wasm_crates = [
        "-p",
        "tripbreaker",
        "-p",
        "tripbreaker-tower",
        "-p",
        "proto",
        "-p",
        "greeter-client",
        "-p",
        "web",
        "-p",
        "web-floor",
    ];
    run(cmd(
        "cargo",
        &[
            "clippy",
            "--target",
            WASM,
            "--all-targets",
            "--features",
            "tripbreaker/browser",
        ],
    )
    .args(wasm_crates)
    .args(deny))?;
    // The published crates package and build as crates.io would see them.
    run(&mut cmd(
        "cargo",
        &[
            "package",
            "--offline",
            "-p",
            "tripbreaker",
            "-p",
            "tripbreaker-tower",
            "-p",
            "tripbreaker-redis",
        ],
    ))
}

fn native() -> anyhow::Result<()> {
    run(&mut cmd("cargo", &["test", "--workspace"]))
}

/// In a target directory of its own: `--cfg loom` would otherwise
/// invalidate the normal build.
fn loom() -> anyhow::Result<()> {
    run(cmd(
        "cargo",
        &["test", "-p", "tripbreaker", "--test", "loom", "--release"],
    )
    .env("RUSTFLAGS", "--cfg loom")
    .env("CARGO_TARGET_DIR", "target/loom"))
}

fn no_std() -> anyhow::Result<()> {
    run(&mut cmd(
        "cargo",
        &[
            "build",
            "-p",
            "tripbreaker",
            "--no-default-features",
            "--target",
            "thumbv7em-none-eabihf",
        ],
    ))
}

fn wasm() -> anyhow::Result<()> {
    let server = test_server::start(None)?;
    let wasm_test = |args: &[&str]| {
        let mut command = cmd("cargo", &["test", "--target", WASM, "--tests"]);
        command
            .args(args)
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("GREETER_URL", server.url());
        run(&mut command)
    };
    wasm_test(&["-p", "tripbreaker", "--features", "browser"])?;
    wasm_test(&["-p", "tripbreaker-tower"])?;
    wasm_test(&["-p", "greeter-client"])?;
    wasm_test(&["-p", "web"])?;
    Ok(())
}

/// Builds the release page into `dist/` with trunk, offline, with the
/// project's wasm-bindgen and wasm-opt.
pub fn build_page() -> anyhow::Result<()> {
    tools::install(&[Tool::Targets, Tool::WasmBindgen, Tool::Trunk, Tool::Crates])?;
    let wasm_opt = tools::wasm_opt()?;
    run(cmd("trunk", &["build", "--release", "--offline"]).env("PATH", path_with(&wasm_opt)))
}

/// `PATH` with `dir` in front.
pub fn path_with(dir: &std::path::Path) -> std::ffi::OsString {
    let mut paths = vec![dir.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("PATH entries without separators")
}

fn e2e() -> anyhow::Result<()> {
    build_page()?;
    run(
        cmd("cargo", &["test", "-p", "e2e", "--features", "browser"])
            .env("CHROMEDRIVER", CHROMEDRIVER),
    )
}

/// Measures the page in headless Chromium; returns the figures written to `out`.
pub fn page_timing(out: &std::path::Path) -> anyhow::Result<bench_results::PageTiming> {
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
    .env("PAGE_TIMING_JSON", out))?;
    Ok(serde_json::from_str(&std::fs::read_to_string(out)?)?)
}

/// Builds the page and serves it with the server, until Ctrl-C.
pub fn demo(addr: &str) -> anyhow::Result<()> {
    build_page()?;
    println!(
        "\nThe demo will be at http://{addr}/ (Ctrl-C stops it). The CLI demo, in another terminal: cargo run -p client"
    );
    run(&mut cmd(
        "cargo",
        &[
            "run",
            "--release",
            "-p",
            "server",
            "--",
            "--addr",
            addr,
            "--static-dir",
            "dist",
        ],
    ))
}
