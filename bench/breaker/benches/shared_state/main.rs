//! What sharing a breaker through Redis costs, exact and in fast mode, on a
//! `redis-server` it starts on loopback: round trips per call, from Redis'
//! own `INFO commandstats`; the time per guarded call (admit + record)
//! against the local `SharedBreaker` and a plain `GET`, at 1, 4 and 16
//! concurrent clients (each its own connection and handle); the guarded
//! calls a second of those and of 4 `fleet-process` children, with the
//! commands Redis ran a second meanwhile ([`processes`]); and what a trip
//! costs after the dependency starts failing ([`trip`]). Run:
//! `cargo bench -p breaker-bench --bench shared_state`; with
//! `SHARED_STATE_JSON=path` it also writes what it measured there, as
//! `bench_results::SharedStateReport` (what `bench-report` reads).

mod commands;
mod processes;
#[allow(dead_code)] // the benchmark uses part of the tests' support
#[path = "../../../../tripbreaker-redis/tests/support/redis_server.rs"]
mod redis_server;
mod trip;

use bench_results::{
    Callers, CommandCount, FleetRow, Guard, SharedStateReport, SharedStateRow, TripRow,
};
use breaker_bench::{Sharing, guarded_call, handle, settings, warm_up_all};
use commands::{Reading, is_script_call};
use redis::aio::ConnectionManager;
use redis_server::RedisServer;
use std::time::{Duration, Instant};
use tripbreaker::{BreakerRef, MonotonicClock, Outcome, SharedBreaker};
use tripbreaker_redis::DEFAULT_SYNC;

/// How long each measurement runs.
const RUN: Duration = Duration::from_secs(2);
const CALLS_COUNTED: u64 = 10_000;

async fn count_round_trips(server: &RedisServer) -> Vec<CommandCount> {
    let breaker = handle(&server.url(), Sharing::Exact);
    // The first call loads the script (NOSCRIPT, SCRIPT LOAD, EVALSHA): once per server.
    guarded_call(&breaker).await;
    let before = Reading::now(server);
    for _ in 0..CALLS_COUNTED {
        guarded_call(&breaker).await;
    }
    let ran = Reading::now(server).since(&before);
    println!(
        "\n{CALLS_COUNTED} guarded calls (admit + record), commands per call from INFO commandstats:"
    );
    let mut commands = Vec::new();
    for (name, calls) in ran {
        let per_call = calls as f64 / CALLS_COUNTED as f64;
        let from_client = is_script_call(&name);
        let from = if from_client {
            "from the client (round trips)"
        } else {
            "inside the script"
        };
        println!("  {name:<10} {per_call:.2}  {from}");
        commands.push(CommandCount {
            name,
            per_call,
            from_client,
        });
    }
    commands
}

/// The `p`-th percentile of `sorted`.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// Per-call times of `clients` tasks running `call` for [`RUN`].
async fn measure<F, Fut>(clients: usize, make: impl Fn() -> F) -> (f64, f64, f64, f64)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let deadline = Instant::now() + RUN;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let mut call = make();
            tokio::spawn(async move {
                let mut times = Vec::new();
                while Instant::now() < deadline {
                    let started = Instant::now();
                    call().await;
                    times.push(started.elapsed());
                    // A fast call never waits: let the syncs and the
                    // subscriptions have their turn.
                    tokio::task::coop::consume_budget().await;
                }
                times
            })
        })
        .collect();
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.expect("a benchmark task"));
    }
    times.sort();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let mean = times.iter().map(|d| micros(*d)).sum::<f64>() / times.len() as f64;
    let p50 = micros(percentile(&times, 50));
    let p99 = micros(percentile(&times, 99));
    let per_second = times.len() as f64 / RUN.as_secs_f64();
    (mean, p50, p99, per_second)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = RedisServer::start();
    let commands = count_round_trips(&server).await;
    let mut rows = Vec::new();
    let mut fleet = Vec::new();

    println!("\n| clients | what | mean µs/call | p50 µs | p99 µs | calls/s |");
    println!("|---:|---|---:|---:|---:|---:|");
    for clients in [1, 4, 16] {
        let local = SharedBreaker::new(settings(), MonotonicClock::new()).expect("settings");
        let row = measure(clients, || {
            let local = local.clone();
            move || {
                let local = local.clone();
                async move {
                    let ticket = BreakerRef::try_acquire(&local).expect("closed");
                    BreakerRef::record(&local, ticket, Outcome::Success);
                }
            }
        })
        .await;
        rows.push(print_row(clients, Guard::Local, row));

        for sharing in Sharing::BOTH {
            let (row, load) = measure_handles(&server, clients, sharing).await;
            let row = print_row(clients, sharing.guard(), row);
            fleet.push(FleetRow {
                callers: Callers::Tasks { tasks: clients },
                handles: clients,
                guard: sharing.guard(),
                calls_per_second: row.per_second,
                scripts_per_second: load.scripts_per_second,
                commands_per_second: load.commands_per_second,
            });
            rows.push(row);
        }

        let mut connections = Vec::new();
        for _ in 0..clients {
            let client = redis::Client::open(server.url()).expect("a URL");
            connections.push(ConnectionManager::new(client).await.expect("a connection"));
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let row = measure(clients, || {
            let connection =
                connections[next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)].clone();
            move || {
                let mut connection = connection.clone();
                async move {
                    let _: Option<String> = redis::cmd("GET")
                        .arg("nothing")
                        .query_async(&mut connection)
                        .await
                        .expect("GET");
                }
            }
        })
        .await;
        rows.push(print_row(clients, Guard::PlainGet, row));
    }
    for sharing in Sharing::BOTH {
        fleet.push(processes::fleet(&server, sharing, RUN).await);
    }
    let mut trips = Vec::new();
    for sharing in Sharing::BOTH {
        trips.push(trip::trips(&server.url(), sharing).await);
    }
    print_fleet_and_trips(&fleet, &trips);
    if let Some(path) = std::env::var_os("SHARED_STATE_JSON") {
        let report = SharedStateReport {
            calls_counted: CALLS_COUNTED,
            commands,
            rows,
            sync_ms: DEFAULT_SYNC.as_millis() as u64,
            fleet,
            trip: trips,
        };
        let json = serde_json::to_string_pretty(&report).expect("serializable");
        std::fs::write(&path, json).unwrap_or_else(|e| panic!("cannot write {path:?}: {e}"));
    }
}

fn print_row(
    clients: usize,
    guard: Guard,
    (mean_us, p50_us, p99_us, per_second): (f64, f64, f64, f64),
) -> SharedStateRow {
    let what = guard.label();
    println!("| {clients} | {what} | {mean_us:.1} | {p50_us:.1} | {p99_us:.1} | {per_second:.0} |");
    SharedStateRow {
        clients,
        guard,
        mean_us,
        p50_us,
        p99_us,
        per_second,
    }
}

/// `clients` tasks, each with its own handle shared as `sharing` says and
/// warmed up first: their times per call, and Redis' load meanwhile.
async fn measure_handles(
    server: &RedisServer,
    clients: usize,
    sharing: Sharing,
) -> ((f64, f64, f64, f64), commands::Load) {
    let handles: Vec<_> = (0..clients)
        .map(|_| handle(&server.url(), sharing))
        .collect();
    warm_up_all(&handles, sharing).await;
    let before = Reading::now(server);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let row = measure(clients, || {
        let breaker = handles[next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)].clone();
        move || {
            let breaker = breaker.clone();
            async move { guarded_call(&breaker).await }
        }
    })
    .await;
    (row, Reading::now(server).load_since(&before))
}

/// What the report will show of `fleet` and `trips`, for the console.
fn print_fleet_and_trips(fleet: &[FleetRow], trips: &[TripRow]) {
    println!("\nGuarded calls a second, and Redis' load meanwhile:");
    for row in fleet {
        let expected = row.syncs_per_second(DEFAULT_SYNC);
        println!("  {row:?}; fast mode's H/T: {expected:.0}");
    }
    println!("\nAfter the dependency starts failing:");
    for row in trips {
        let bound = row.fast_bound(DEFAULT_SYNC);
        println!("  {row:?}; fast mode's bound: {bound}");
    }
}
