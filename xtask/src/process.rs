//! Running commands with their command line and duration shown.

use crate::progress::{self, minutes};
use anyhow::{Context, bail};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root (the parent of this crate).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// A command run from the workspace root.
pub fn cmd(program: &str, args: &[&str]) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(root());
    command
}

/// Runs `command`, showing it first and how long it took; fails unless it succeeds.
pub fn run(command: &mut Command) -> anyhow::Result<()> {
    let shown = show(command);
    println!("\n==> {shown}");
    let started = Instant::now();
    let status = command
        .status()
        .with_context(|| format!("cannot start `{shown}`"))?;
    println!("<== {shown} ({:.1}s)", started.elapsed().as_secs_f64());
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

/// Runs `command` as the long step `name` (a tool install, a release
/// build): its output goes to `target/xtask/<name>.log` instead of the
/// terminal, and the progress line (shared by the steps running at once)
/// says how long it has run and, from its last run's time, about how long
/// is left. On failure the log's last lines are shown.
pub fn run_step(name: &str, command: &mut Command) -> anyhow::Result<()> {
    let shown = show(command);
    let dir = root().join("target/xtask");
    std::fs::create_dir_all(&dir)?;
    let log_path = dir.join(format!("{name}.log"));
    let log = std::fs::File::create(&log_path)?;
    let expected = step_times().remove(name);
    match expected {
        Some(secs) => println!("\n==> {name}: {shown} (took {} last time)", minutes(secs)),
        None => println!("\n==> {name}: {shown}"),
    }
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .with_context(|| format!("cannot start `{shown}`"))?;
    let step = progress::Step::start(name, expected);
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(200));
        step.tick();
    };
    drop(step);
    let took = started.elapsed().as_secs_f64();
    if !status.success() {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        for line in tail.iter().rev() {
            println!("    | {line}");
        }
        bail!(
            "`{shown}` failed ({status}); its whole output is in {}",
            log_path.display()
        );
    }
    println!("<== {name} ({})", minutes(took));
    record_step_time(name, took);
    Ok(())
}

/// Where the steps' last times are kept: one `name seconds` line each.
fn times_path() -> PathBuf {
    root().join("target/xtask/step-times.txt")
}

fn step_times() -> std::collections::BTreeMap<String, f64> {
    let text = std::fs::read_to_string(times_path()).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let (name, secs) = line.rsplit_once(' ')?;
            Some((name.to_owned(), secs.parse().ok()?))
        })
        .collect()
}

/// Keeps `secs` as the time of `name`; steps may finish on two threads at
/// once, so the file is rewritten under a lock.
fn record_step_time(name: &str, secs: f64) {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _held = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut times = step_times();
    times.insert(name.to_owned(), secs);
    let mut text = Vec::new();
    for (name, secs) in &times {
        let _ = writeln!(text, "{name} {secs:.1}");
    }
    let _ = std::fs::write(times_path(), text);
}

/// The standard output of `program args`, if it runs and succeeds.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn show(command: &Command) -> String {
    let mut shown = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    shown
}
