//! What sharing a breaker through Redis costs: round trips per call, from
//! Redis' own `INFO commandstats`, and the time per guarded call (admit +
//! record), exact and in fast mode, against the local `SharedBreaker` and a plain `GET`, at 1, 4 and
//! 16 concurrent clients (each its own connection), on a `redis-server` it
//! starts on loopback. Run: `cargo bench -p breaker-bench --bench shared_state`;
//! with `SHARED_STATE_JSON=path` it also writes what it measured there, as
//! `bench_results::SharedStateReport` (what `bench-report` reads).

#[allow(dead_code)] // the benchmark uses part of the tests' support
#[path = "../../../tripbreaker-redis/tests/support/redis_server.rs"]
mod redis_server;

use bench_results::{CommandCount, Guard, SharedStateReport, SharedStateRow};
use redis::aio::ConnectionManager;
use redis_server::RedisServer;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tripbreaker::{BreakerRef, MonotonicClock, Outcome, Settings, SharedBreaker, TripRule};
use tripbreaker_redis::{DEFAULT_SYNC, RedisBreaker, SharedMode};

/// How long each measurement runs.
const RUN: Duration = Duration::from_secs(2);
const CALLS_COUNTED: u64 = 10_000;

fn settings() -> Settings {
    Settings {
        max_requests: 3,
        interval: Duration::from_secs(10),
        timeout: Duration::from_secs(5),
        ready_to_trip: TripRule::ConsecutiveFailures(1_000_000),
        ..Settings::new("bench")
    }
}

fn handle(server: &RedisServer) -> RedisBreaker {
    handle_in(server, SharedMode::Exact)
}

fn handle_in(server: &RedisServer, mode: SharedMode) -> RedisBreaker {
    RedisBreaker::builder(settings())
        .store_timeout(Duration::from_secs(5))
        .shared_mode(mode)
        .connect(&server.url())
        .expect("a valid URL")
}

/// Commands Redis ran between two readings of `INFO commandstats`.
fn difference(after: &HashMap<String, u64>, before: &HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut ran: Vec<_> = after
        .iter()
        .map(|(name, calls)| (name.clone(), calls - before.get(name).copied().unwrap_or(0)))
        .filter(|(name, calls)| *calls > 0 && name != "info")
        .collect();
    ran.sort();
    ran
}

async fn count_round_trips(server: &RedisServer) -> Vec<CommandCount> {
    let breaker = handle(server);
    // The first call loads the script (NOSCRIPT, SCRIPT LOAD, EVALSHA): once per server.
    let ticket = breaker.try_acquire().await.expect("closed");
    breaker.record(ticket, Outcome::Success).await;
    let before = server.command_calls();
    for _ in 0..CALLS_COUNTED {
        let ticket = breaker.try_acquire().await.expect("closed");
        breaker.record(ticket, Outcome::Success).await;
    }
    let ran = difference(&server.command_calls(), &before);
    println!(
        "\n{CALLS_COUNTED} guarded calls (admit + record), commands per call from INFO commandstats:"
    );
    let mut commands = Vec::new();
    for (name, calls) in ran {
        let per_call = calls as f64 / CALLS_COUNTED as f64;
        let from_client = name == "evalsha";
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
    let p50 = micros(times[times.len() / 2]);
    let p99 = micros(times[times.len() * 99 / 100]);
    let per_second = times.len() as f64 / RUN.as_secs_f64();
    (mean, p50, p99, per_second)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let server = RedisServer::start();
    let commands = count_round_trips(&server).await;
    let mut rows = Vec::new();

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

        let fast = SharedMode::Fast { sync: DEFAULT_SYNC };
        for (mode, guard) in [(SharedMode::Exact, Guard::Redis), (fast, Guard::RedisFast)] {
            let handles: Vec<_> = (0..clients).map(|_| handle_in(&server, mode)).collect();
            let next = std::sync::atomic::AtomicUsize::new(0);
            let row = measure(clients, || {
                let breaker =
                    handles[next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)].clone();
                move || {
                    let breaker = breaker.clone();
                    async move {
                        let ticket = breaker.try_acquire().await.expect("closed");
                        breaker.record(ticket, Outcome::Success).await;
                    }
                }
            })
            .await;
            rows.push(print_row(clients, guard, row));
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
    if let Some(path) = std::env::var_os("SHARED_STATE_JSON") {
        let report = SharedStateReport {
            calls_counted: CALLS_COUNTED,
            commands,
            rows,
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
