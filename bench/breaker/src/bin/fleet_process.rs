//! One process of the `shared_state` benchmark's fleet: one handle on the
//! benchmark's breaker, and `TASKS` tasks making guarded calls through it
//! from `go` to `stop` on stdin (see `breaker_bench::fleet`).
//!
//! Usage: `fleet-process REDIS_URL exact|fast TASKS`

use breaker_bench::fleet::{GO, READY, STOP, calls_line};
use breaker_bench::{Sharing, guarded_call, handle, warm_up};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A child left running by a benchmark that died stops by then.
const LIMIT: Duration = Duration::from_secs(60);

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: fleet-process REDIS_URL exact|fast TASKS";
    let [url, sharing, tasks] = args.as_slice() else {
        panic!("{usage}");
    };
    let sharing = Sharing::from_arg(sharing).expect(usage);
    let tasks: usize = tasks.parse().expect(usage);
    let breaker = handle(url, sharing);
    warm_up(&breaker, sharing).await;

    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdout = tokio::io::stdout();
    say(&mut stdout, READY).await;
    wait_for(&mut lines, GO).await;
    let stop = Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..tasks)
        .map(|_| {
            let (breaker, stop) = (breaker.clone(), stop.clone());
            tokio::spawn(async move {
                let mut calls = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    guarded_call(&breaker).await;
                    calls += 1;
                    // A fast call never waits: let the sync, the
                    // subscription and stdin have their turn.
                    tokio::task::coop::consume_budget().await;
                }
                calls
            })
        })
        .collect();
    let _ = tokio::time::timeout(LIMIT, wait_for(&mut lines, STOP)).await;
    stop.store(true, Ordering::Relaxed);
    let mut calls = 0;
    for caller in callers {
        calls += caller.await.expect("a caller");
    }
    say(&mut stdout, &calls_line(calls)).await;
}

async fn say(stdout: &mut tokio::io::Stdout, line: &str) {
    stdout
        .write_all(format!("{line}\n").as_bytes())
        .await
        .expect("the benchmark reads");
    stdout.flush().await.expect("the benchmark reads");
}

/// Until `expected` comes, or stdin ends (the benchmark is gone).
async fn wait_for(lines: &mut tokio::io::Lines<BufReader<tokio::io::Stdin>>, expected: &str) {
    while let Ok(Some(line)) = lines.next_line().await {
        if line == expected {
            return;
        }
    }
}
