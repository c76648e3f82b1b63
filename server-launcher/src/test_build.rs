//! The one `cargo build` of the binaries the tests start.

use std::path::Path;
use std::process::Command;

/// The workspace packages whose binaries the tests start, named together in
/// every debug build of either: cargo resolves features over the packages a
/// command names, so built together they share one build of their
/// dependencies (built one package at a time, the client's are compiled
/// again with its own features: 28 s of a fresh test run).
const TESTED_PACKAGES: [&str; 2] = ["server", "client"];

/// The cargo that runs this build or test (`$CARGO`), else `cargo` on `PATH`.
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo build --quiet` of the debug binary `bin` (`server` or `client`)
/// of the workspace at `workspace`, with both packages named: xtask's test
/// server and the end-to-end tests build with it, so that whichever runs
/// first builds for both.
///
/// ```no_run
/// let status = server_launcher::test_build(std::path::Path::new("."), "server")
///     .status()
///     .expect("cargo runs");
/// assert!(status.success());
/// ```
pub fn test_build(workspace: &Path, bin: &str) -> Command {
    let mut build = cargo();
    build.current_dir(workspace).args(["build", "--quiet"]);
    for package in TESTED_PACKAGES {
        build.args(["-p", package]);
    }
    build.args(["--bin", bin]);
    build
}
