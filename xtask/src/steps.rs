//! The stages of `cargo xtask test`, `cargo xtask demo` and `cargo xtask
//! screenshots`.

use crate::process::{cmd, root, run, run_step};
use crate::test_server;
use crate::tools::{self, CHROMEDRIVER, Tool};
use anyhow::Context;
use clap::ValueEnum;
use std::time::Instant;

/// A stage of the test run, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Stage {
    /// rustfmt, clippy native and wasm and rustdoc, warnings denied; the
    /// published crates packaged.
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
    /// served by the server and through `trunk serve`: the e2e tests that
    /// need the `browser` feature (the others run in the native stage).
    E2e,
}

/// Installs what is missing, then runs `only` (or every) stage.
pub fn test(only: &[Stage]) -> anyhow::Result<()> {
    let stages = if only.is_empty() {
        Stage::value_variants()
    } else {
        only
    };
    let browser = stages.contains(&Stage::Wasm) || stages.contains(&Stage::E2e);
    let mut first = vec![Tool::Targets, Tool::Crates];
    if stages.contains(&Stage::Native) {
        first.extend([Tool::Redis, Tool::Prometheus, Tool::ConnectNode]);
    }
    if browser {
        first.push(Tool::Chromium);
    }
    tools::install(&first)?;
    // The browser tools take minutes to build: they are built while the
    // first stages run, and waited for by the first stage that needs them.
    let mut later = Vec::new();
    if browser {
        later.push(Tool::WasmBindgen);
    }
    if stages.contains(&Stage::E2e) {
        later.extend([Tool::Trunk, Tool::WasmOpt]);
    }

    let started = Instant::now();
    let mut passed = 0;
    std::thread::scope(|scope| {
        let mut installing = Some(scope.spawn(|| tools::install(&later)));
        let mut wait_for_tools = || match installing.take() {
            Some(install) => install.join().expect("the install thread does not panic"),
            None => Ok(()),
        };
        for stage in stages {
            if matches!(stage, Stage::Wasm | Stage::E2e) {
                wait_for_tools()?;
            }
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
        wait_for_tools()
    })?;
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
    // With the e2e tests that need a browser (their feature adds no code).
    run(cmd(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            "e2e/browser",
        ],
    )
    .args(deny))?;
    // Every doc link resolves, none points at a private item.
    run(cmd("cargo", &["doc", "--workspace", "--no-deps"]).env("RUSTDOCFLAGS", "-D warnings"))?;
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
        "bench-floor",
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
    run(&mut cmd("cargo", &["test", "--workspace"]))?;
    // The layer's metrics, which no crate of the workspace turns on yet.
    run(&mut cmd(
        "cargo",
        &[
            "test",
            "-p",
            "tripbreaker-tower",
            "--features",
            "metrics",
            "--test",
            "metrics",
        ],
    ))
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

/// One `cargo test` for every crate with wasm tests: the dependencies they
/// share are built once, their features unified as in the native stage.
///
/// With a temporary directory of its own, removed afterwards:
/// wasm-bindgen-test-runner leaves each test binary's Chromium profile
/// behind (up to 26 MB each, a dozen a run), which fills a machine's `/tmp`
/// over many runs.
fn wasm() -> anyhow::Result<()> {
    let server = test_server::start()?;
    let crates = ["tripbreaker", "tripbreaker-tower", "greeter-client", "web"];
    let mut command = cmd("cargo", &["test", "--target", WASM, "--tests"]);
    for krate in crates {
        command.args(["-p", krate]);
    }
    let tmp = root().join("target/xtask/wasm-tmp");
    std::fs::create_dir_all(&tmp)?;
    let tested = run(command
        .args(["--features", "tripbreaker/browser"])
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("GREETER_URL", server.url())
        .env("TMPDIR", &tmp));
    let _ = std::fs::remove_dir_all(&tmp);
    tested
}

/// Builds the release page into `dist/` with trunk, offline, with the
/// project's wasm-bindgen and wasm-opt.
pub fn build_page() -> anyhow::Result<()> {
    tools::install(&[Tool::Targets, Tool::WasmBindgen, Tool::Trunk, Tool::Crates])?;
    let wasm_opt = tools::wasm_opt()?;
    run(cmd("trunk", &["build", "--release", "--offline"]).env("PATH", path_with(&wasm_opt)))
}

/// Builds the release page, then has e2e's `screenshots` example serve it
/// and drive it in headless Chromium to its three states for README.
pub fn screenshots() -> anyhow::Result<()> {
    tools::install(&[Tool::Chromium])?;
    build_page()?;
    run(&mut cmd(
        "cargo",
        &["run", "-p", "e2e", "--example", "screenshots"],
    ))
}

/// `PATH` with `dir` in front.
pub fn path_with(dir: &std::path::Path) -> std::ffi::OsString {
    let mut paths = vec![dir.to_path_buf()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).expect("PATH entries without separators")
}

/// The browser tests only: the other e2e tests ran in the native stage.
/// Selected across the workspace, so the dependencies are those the native
/// stage built, with the same features (`-p e2e` alone builds 42 again).
fn e2e() -> anyhow::Result<()> {
    build_page()?;
    let mut args = vec!["test", "--workspace", "--features", "e2e/browser"];
    let tests = browser_tests()?;
    for test in &tests {
        args.extend(["--test", test]);
    }
    run(cmd("cargo", &args).env("CHROMEDRIVER", CHROMEDRIVER))
}

/// The e2e tests that need the `browser` feature (its `required-features`),
/// as cargo reads them from `e2e/Cargo.toml`.
fn browser_tests() -> anyhow::Result<Vec<String>> {
    let metadata = crate::process::output(
        "cargo",
        &[
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ],
    )
    .context("cargo metadata failed")?;
    let metadata: serde_json::Value = serde_json::from_str(&metadata)?;
    let targets = metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|package| package["name"] == "e2e"))
        .and_then(|e2e| e2e["targets"].as_array())
        .context("no package e2e in cargo metadata")?;
    let tests: Vec<String> = targets
        .iter()
        .filter(|target| {
            target["required-features"]
                .as_array()
                .is_some_and(|features| features.iter().any(|feature| feature == "browser"))
        })
        .filter_map(|target| target["name"].as_str().map(str::to_owned))
        .collect();
    anyhow::ensure!(
        !tests.is_empty(),
        "e2e has no test that requires the browser feature"
    );
    Ok(tests)
}

/// Builds the page and serves it with the server, until Ctrl-C.
///
/// On a fresh machine most of the wait is building trunk and wasm-bindgen:
/// the server and the page's crates are compiled meanwhile, so that what
/// trunk then builds is already there.
pub fn demo(addr: &str) -> anyhow::Result<()> {
    tools::install(&[Tool::Targets, Tool::Crates])?;
    std::thread::scope(|scope| {
        let server = scope.spawn(|| {
            run_step(
                "build-server",
                &mut cmd("cargo", &["build", "--release", "-p", "server"]),
            )
        });
        let page = scope.spawn(|| {
            run_step(
                "build-page-crates",
                cmd(
                    "cargo",
                    &["build", "--target", WASM, "--profile", "wasm-release"],
                )
                .args(["-p", "web", "--bin", "web"]),
            )?;
            // trunk's post-build hook runs it (`cargo run -p precompress`).
            run_step(
                "build-precompress",
                &mut cmd("cargo", &["build", "-p", "precompress"]),
            )
        });
        let built = build_page();
        for build in [server, page] {
            build.join().expect("the build threads do not panic")?;
        }
        built
    })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_stage_runs_the_tests_that_need_a_browser_and_no_other() {
        let tests = browser_tests().unwrap();
        for browser in ["browser_walk", "page_timing", "fleet_panel"] {
            assert!(tests.iter().any(|test| test == browser), "{tests:?}");
        }
        assert!(
            !tests.iter().any(|test| test == "fleet_service"),
            "{tests:?}"
        );
    }
}
