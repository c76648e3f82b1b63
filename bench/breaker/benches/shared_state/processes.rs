//! The fleet as processes: `fleet-process` children (`src/bin/fleet_process.rs`),
//! each with one handle and a few calling tasks, started together on one
//! Redis, and the guarded calls they made in all while Redis' commands
//! were counted.

use crate::commands::Reading;
use crate::redis_server::RedisServer;
use bench_results::{Callers, FleetRow};
use breaker_bench::Sharing;
use breaker_bench::fleet::{GO, READY, STOP, parse_calls};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// Processes in the fleet, each with one handle.
const PROCESSES: usize = 4;
/// Calling tasks in each, sharing its handle: 16 callers in all, as the
/// largest fleet of tasks.
const TASKS_EACH: usize = 4;
/// Every wait on a child ends by then.
const LIMIT: Duration = Duration::from_secs(30);

/// One `fleet-process`, killed on drop.
struct FleetProcess {
    _child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl FleetProcess {
    fn spawn(url: &str, sharing: Sharing) -> FleetProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fleet-process"))
            .args([url, sharing.arg(), &TASKS_EACH.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("cargo builds fleet-process for the benchmark");
        FleetProcess {
            stdin: child.stdin.take().expect("piped"),
            stdout: BufReader::new(child.stdout.take().expect("piped")).lines(),
            _child: child,
        }
    }

    async fn send(&mut self, line: &str) {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("the child reads");
    }

    async fn line(&mut self) -> String {
        tokio::time::timeout(LIMIT, self.stdout.next_line())
            .await
            .expect("the child answers in time")
            .expect("the child's output")
            .expect("the child is alive")
    }
}

/// The fleet's guarded calls a second over `run`, and Redis' load meanwhile.
pub async fn fleet(server: &RedisServer, sharing: Sharing, run: Duration) -> FleetRow {
    let mut children: Vec<_> = (0..PROCESSES)
        .map(|_| FleetProcess::spawn(&server.url(), sharing))
        .collect();
    for child in &mut children {
        assert_eq!(child.line().await, READY);
    }
    let before = Reading::now(server);
    for child in &mut children {
        child.send(GO).await;
    }
    tokio::time::sleep(run).await;
    let after = Reading::now(server);
    for child in &mut children {
        child.send(STOP).await;
    }
    let mut calls = 0;
    for child in &mut children {
        let line = child.line().await;
        calls += parse_calls(&line).unwrap_or_else(|| panic!("not a count of calls: {line:?}"));
    }
    let load = after.load_since(&before);
    FleetRow {
        callers: Callers::Processes {
            processes: PROCESSES,
            tasks_each: TASKS_EACH,
        },
        handles: PROCESSES,
        guard: sharing.guard(),
        calls_per_second: calls as f64 / load.elapsed.as_secs_f64(),
        scripts_per_second: load.scripts_per_second,
        commands_per_second: load.commands_per_second,
    }
}
