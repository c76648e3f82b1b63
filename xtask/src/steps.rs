//! The stages of `cargo xtask test`, and `cargo xtask demo`.

use crate::process::{cmd, run};
use crate::test_server::TestServer;
use crate::tools::{self, CHROMEDRIVER, Tool};
use clap::ValueEnum;
use std::time::Instant;

/// A stage of the test run, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Stage {
    /// rustfmt and clippy, native and wasm, warnings denied.
    Lint,
    /// Every native test of the workspace (unit, integration, doc, properties).
    Native,
    /// The breaker builds for a bare-metal target without std.
    NoStd,
    /// The wasm tests in headless Chromium (wasm-bindgen-test), against a live server.
    Wasm,
}

/// Installs what is missing, then runs `only` (or every) stage.
pub fn test(only: &[Stage]) -> anyhow::Result<()> {
    let stages = if only.is_empty() {
        Stage::value_variants()
    } else {
        only
    };
    let needs_browser = stages.contains(&Stage::Wasm);
    let mut needed = vec![Tool::Targets];
    if needs_browser {
        needed.extend([Tool::Chromium, Tool::WasmBindgen]);
    }
    tools::install(&needed)?;

    let started = Instant::now();
    let mut passed = 0;
    for stage in stages {
        println!("\n######## stage {stage:?}");
        let result = match stage {
            Stage::Lint => lint(),
            Stage::Native => native(),
            Stage::NoStd => no_std(),
            Stage::Wasm => wasm(),
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
    run(&mut cmd(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ))?;
    run(&mut cmd(
        "cargo",
        &[
            "clippy",
            "--target",
            WASM,
            "--all-targets",
            "-p",
            "breaker",
            "--features",
            "breaker/browser",
            "-p",
            "breaker-tower",
            "-p",
            "proto",
            "--",
            "-D",
            "warnings",
        ],
    ))
}

fn native() -> anyhow::Result<()> {
    run(&mut cmd("cargo", &["test", "--workspace"]))
}

fn no_std() -> anyhow::Result<()> {
    run(&mut cmd(
        "cargo",
        &[
            "build",
            "-p",
            "breaker",
            "--no-default-features",
            "--target",
            "thumbv7em-none-eabihf",
        ],
    ))
}

fn wasm() -> anyhow::Result<()> {
    let server = TestServer::start(None)?;
    let wasm_test = |args: &[&str]| {
        let mut command = cmd("cargo", &["test", "--target", WASM, "--tests"]);
        command
            .args(args)
            .env("CHROMEDRIVER", CHROMEDRIVER)
            .env("GREETER_URL", server.url());
        run(&mut command)
    };
    wasm_test(&["-p", "breaker", "--features", "browser"])?;
    wasm_test(&["-p", "breaker-tower"])?;
    Ok(())
}

/// Builds the page and serves it with the server, until Ctrl-C.
pub fn demo(addr: &str) -> anyhow::Result<()> {
    tools::install(&[Tool::Targets])?;
    run(&mut cmd(
        "cargo",
        &["run", "--release", "-p", "server", "--", "--addr", addr],
    ))
}
