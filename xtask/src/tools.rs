//! Idempotent installs of what the browser build and tests need: each tool
//! is checked first and installed only if missing or at the wrong version.

use crate::process::{cmd, output, root, run, run_step};
use anyhow::{Context, bail};
use clap::ValueEnum;
use std::path::{Path, PathBuf};

/// trunk's version: the newest that builds with this toolchain.
pub const TRUNK_VERSION: &str = "0.21.14";
/// The npm package `binaryen` whose wasm-opt works with current Rust wasm.
pub const BINARYEN_VERSION: &str = "132.0.0";
/// Where Debian's Chromium and its WebDriver live.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// See [`CHROMIUM`].
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Debian's Redis server, which the shared-breaker tests start themselves.
pub const REDIS_SERVER: &str = "/usr/bin/redis-server";

/// Where Debian's prometheus package puts the server.
pub const PROMETHEUS: &str = "/usr/bin/prometheus";
/// twiggy's version, for the page's size breakdown in `cargo xtask bench`.
pub const TWIGGY_VERSION: &str = "0.8.0";

/// A tool the project installs when it is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Tool {
    /// The rustup targets listed in rust-toolchain.toml.
    Targets,
    /// Debian's chromium and chromium-driver, for headless browser tests.
    Chromium,
    /// Debian's redis-server, for the tests of the breaker shared on Redis.
    Redis,
    /// Debian's prometheus, which the metrics tests scrape the binaries with.
    Prometheus,
    /// wasm-bindgen-cli at the wasm-bindgen version in Cargo.lock.
    WasmBindgen,
    /// trunk, which builds the page.
    Trunk,
    /// wasm-opt from the npm package binaryen, put beside trunk in cargo's
    /// bin directory so a plain `trunk build --release` finds it.
    WasmOpt,
    /// Every crate the workspace builds with, for every target, so trunk's
    /// offline builds (`trunk serve`, `trunk build`) find them.
    Crates,
    /// twiggy, which breaks the page's wasm down by crate for `cargo xtask
    /// bench`; nothing else needs it.
    Twiggy,
    /// Node.js and the npm packages of `e2e/connect-node` (Connect for
    /// Node and buf, pinned by its package-lock.json), for the test that
    /// reads the fleet's watch stream with a client nobody here wrote.
    ConnectNode,
    /// Debian's Go, grpc-go and protoc (the grpc-go Greeter), h2load and
    /// valgrind, for the comparison with grpc-go (`cargo xtask bench`).
    GrpcGo,
}

/// What `cargo xtask install` installs by default: everything the tests and
/// the demo need (twiggy only when asked for, or by `cargo xtask bench`).
pub const EVERYDAY: &[Tool] = &[
    Tool::Targets,
    Tool::Chromium,
    Tool::Redis,
    Tool::Prometheus,
    Tool::ConnectNode,
    Tool::WasmBindgen,
    Tool::Trunk,
    Tool::WasmOpt,
    Tool::Crates,
];

/// Installs each of `tools` that is missing.
pub fn install(tools: &[Tool]) -> anyhow::Result<()> {
    for tool in tools {
        match tool {
            Tool::Targets => targets()?,
            Tool::Chromium => chromium()?,
            Tool::Redis => redis()?,
            Tool::Prometheus => debian(&[PROMETHEUS], &["prometheus"])?,
            Tool::WasmBindgen => wasm_bindgen()?,
            Tool::Trunk => trunk()?,
            Tool::WasmOpt => wasm_opt().map(|_| ())?,
            Tool::ConnectNode => connect_node()?,
            Tool::Crates => crates()?,
            Tool::Twiggy => twiggy()?,
            Tool::GrpcGo => debian(
                &[
                    "/usr/bin/go",
                    "/usr/bin/protoc",
                    "/usr/bin/protoc-gen-go",
                    "/usr/share/gocode/src/google.golang.org/grpc",
                    "/usr/bin/h2load",
                    "/usr/bin/valgrind",
                ],
                &[
                    "golang-go",
                    "protobuf-compiler",
                    "golang-goprotobuf-dev",
                    "golang-google-grpc-dev",
                    "nghttp2-client",
                    "valgrind",
                ],
            )?,
        }
    }
    Ok(())
}

/// Node.js, then `npm ci` in `e2e/connect-node` unless `npm ls` finds
/// every package there as its lock file pins it.
fn connect_node() -> anyhow::Result<()> {
    debian(&["/usr/bin/node", "/usr/bin/npm"], &["nodejs", "npm"])?;
    let dir = root().join("e2e/connect-node");
    let prefix = dir.to_string_lossy();
    if output("npm", &["ls", "--prefix", &prefix]).is_some() {
        println!("ok: e2e/connect-node's npm packages");
        return Ok(());
    }
    run_step(
        "install-connect-node",
        &mut cmd(
            "npm",
            &["ci", "--no-audit", "--no-fund", "--prefix", &prefix],
        ),
    )
    .context("npm could not install e2e/connect-node's packages")
}

fn targets() -> anyhow::Result<()> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    let missing: Vec<&str> = ["wasm32-unknown-unknown", "thumbv7em-none-eabihf"]
        .into_iter()
        .filter(|t| !installed.lines().any(|line| line == *t))
        .collect();
    if missing.is_empty() {
        println!("ok: rustup targets");
        return Ok(());
    }
    let mut args = vec!["target", "add"];
    args.extend(&missing);
    run(&mut cmd("rustup", &args)).context("rustup could not add the targets")
}

fn chromium() -> anyhow::Result<()> {
    debian(&[CHROMIUM, CHROMEDRIVER], &["chromium", "chromium-driver"])
}

fn redis() -> anyhow::Result<()> {
    debian(&[REDIS_SERVER], &["redis-server"])
}

/// Installs Debian's `packages` with apt-get unless every one of `files`
/// exists (apt's package lists are refreshed once a run).
fn debian(files: &[&str], packages: &[&str]) -> anyhow::Result<()> {
    let names = packages.join(" ");
    if files.iter().all(|file| Path::new(file).exists()) {
        println!("ok: {names}");
        return Ok(());
    }
    if output("id", &["-u"]).as_deref() != Some("0") {
        bail!("{names} missing and this is not root: run `sudo apt-get install {names}`");
    }
    static UPDATED: std::sync::Once = std::sync::Once::new();
    let mut updated = Ok(());
    UPDATED.call_once(|| {
        updated = run_step(
            "apt-update",
            cmd("apt-get", &["update", "-qq"]).env("DEBIAN_FRONTEND", "noninteractive"),
        );
    });
    updated?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(packages);
    run_step(
        &format!("install-{}", packages[0]),
        cmd("apt-get", &args).env("DEBIAN_FRONTEND", "noninteractive"),
    )
    .with_context(|| format!("apt-get could not install {names}"))
}

/// The version of `package` recorded in Cargo.lock.
pub fn locked_version(package: &str) -> anyhow::Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let needle = format!("name = \"{package}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .with_context(|| format!("{package} is not in Cargo.lock"))?
        + needle.len();
    let end = lock[start..].find('"').context("malformed Cargo.lock")?;
    Ok(lock[start..start + end].to_owned())
}

fn wasm_bindgen() -> anyhow::Result<()> {
    let version = locked_version("wasm-bindgen")?;
    let have = output("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have == format!("wasm-bindgen {version}") {
        println!("ok: {have}");
        return Ok(());
    }
    println!("wasm-bindgen-cli {version} is needed (have: {have:?})");
    // Without its default TLS: the test runner talks to a WebDriver on
    // loopback over plain HTTP, and rustls with ring is a third of its build.
    let mut install = tool_build(cmd(
        "cargo",
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--no-default-features",
        ],
    ));
    // Every wasm test and the page pass through these: unoptimised, they
    // make each test binary's bindings take 3 s instead of 1.4 s.
    for krate in WASM_BINDGEN_HOT_CRATES {
        install
            .arg("--config")
            .arg(format!("profile.release.package.{krate}.opt-level=1"));
    }
    run_step("install-wasm-bindgen", &mut install)
        .context("cargo install wasm-bindgen-cli failed (needs crates.io)")
}

/// The crates wasm-bindgen spends its time in (reading, rewriting and
/// writing a module), optimised even though the rest of it is not.
const WASM_BINDGEN_HOT_CRATES: &[&str] = &[
    "walrus",
    "wasmparser",
    "wasm-encoder",
    "gimli",
    "wasm-bindgen-cli-support",
];

fn trunk() -> anyhow::Result<()> {
    let have = output("trunk", &["--version"]).unwrap_or_default();
    let ok = have == format!("trunk {TRUNK_VERSION}");
    // Without its default features (TLS and the update check): trunk runs
    // offline here and proxies to a plain-HTTP server, and rustls' crypto is
    // a third of its build.
    cargo_install(
        "trunk",
        TRUNK_VERSION,
        ok,
        &have,
        &["--no-default-features"],
    )
}

/// `cargo install --locked` of `krate` at `version` with `extra` arguments,
/// unless `ok` (what its `--version` said, `have`, is that version already).
fn cargo_install(
    krate: &str,
    version: &str,
    ok: bool,
    have: &str,
    extra: &[&str],
) -> anyhow::Result<()> {
    if ok {
        println!("ok: {have}");
        return Ok(());
    }
    println!("{krate} {version} is needed (have: {have:?})");
    let mut install = tool_build(cmd(
        "cargo",
        &["install", krate, "--version", version, "--locked"],
    ));
    install.args(extra);
    run_step(&format!("install-{krate}"), &mut install)
        .with_context(|| format!("cargo install {krate} failed (needs crates.io)"))
}

/// A `cargo install` of a tool built for the project's use, not for speed:
/// unoptimised, no LTO, no debug info (trunk's own release profile is fat
/// LTO with one codegen unit), in one target directory that every tool
/// install shares, so crates common to them are built once. Measured on
/// two cores: trunk and wasm-bindgen-cli build in 4 min unoptimised against
/// 6.5 min at opt-level 1, and `trunk build --release` takes as long with
/// either (its time is cargo's and wasm-opt's).
fn tool_build(mut install: std::process::Command) -> std::process::Command {
    install
        .env("CARGO_PROFILE_RELEASE_LTO", "off")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "false")
        .arg("--target-dir")
        .arg(cargo_home().join("target-tools"));
    install
}

/// Cargo's home: where `cargo install` puts trunk and wasm-bindgen.
fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// The directory holding a working wasm-opt (cargo's bin directory, where
/// trunk is), installed if missing: trunk looks for it on `PATH` and, built
/// offline, cannot download its own.
pub fn wasm_opt() -> anyhow::Result<PathBuf> {
    let bin = cargo_home().join("bin");
    let link = bin.join("wasm-opt");
    let have = output(&link.to_string_lossy(), &["--version"]).unwrap_or_default();
    let major = BINARYEN_VERSION.split('.').next().unwrap_or_default();
    if have.contains(&format!("version {major}")) {
        println!("ok: {have}");
        return Ok(bin);
    }
    let prefix = cargo_home().join(format!("binaryen-{BINARYEN_VERSION}"));
    if link.symlink_metadata().is_ok() && !is_link_into(&link, &cargo_home()) {
        bail!(
            "{} is not binaryen {major} ({have:?}) and not ours to replace: \
             remove it, then run `cargo xtask install --only wasm-opt`",
            link.display()
        );
    }
    if output("npm", &["--version"]).is_none() {
        bail!(
            "npm is missing: install Node.js and npm (`apt-get install nodejs npm`) for wasm-opt"
        );
    }
    std::fs::create_dir_all(&prefix)?;
    run_step(
        "install-binaryen",
        &mut cmd(
            "npm",
            &[
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                &prefix.to_string_lossy(),
                &format!("binaryen@{BINARYEN_VERSION}"),
            ],
        ),
    )
    .context("npm could not install binaryen")?;
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(prefix.join("node_modules/.bin/wasm-opt"), &link)
        .with_context(|| format!("cannot link {}", link.display()))?;
    println!(
        "installed: {} -> binaryen {BINARYEN_VERSION}",
        link.display()
    );
    Ok(bin)
}

/// Whether `link` is a symbolic link to somewhere under `dir`.
fn is_link_into(link: &Path, dir: &Path) -> bool {
    std::fs::read_link(link).is_ok_and(|target| target.starts_with(dir))
}

fn twiggy() -> anyhow::Result<()> {
    // It calls itself `twiggy-opt 0.8.0`.
    let have = output("twiggy", &["--version"]).unwrap_or_default();
    let ok = have.starts_with("twiggy") && have.ends_with(&format!(" {TWIGGY_VERSION}"));
    cargo_install("twiggy", TWIGGY_VERSION, ok, &have, &[])
}

fn crates() -> anyhow::Result<()> {
    run(&mut cmd("cargo", &["fetch", "--quiet"])).context("cargo fetch failed (needs crates.io)")
}
