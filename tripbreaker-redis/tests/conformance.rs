//! gobreaker v2's recorded vectors (the core's `tests/vectors/`), replayed
//! through three `RedisBreaker` handles on one real Redis, and again on a
//! real Redis Cluster, each step going to the next handle in turn, on a
//! manual clock: every field of every step must match, as it does for the core.

mod support;
#[allow(dead_code)] // the harness also drives the core, which this test does not
#[path = "../../tripbreaker/tests/vectors/mod.rs"]
mod vectors;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use std::sync::Arc;
use std::time::Duration;
use support::redis_cluster::RedisCluster;
use support::redis_server::RedisServer;
use tokio::runtime::Runtime;
use tripbreaker::{Counts, ManualClock, Outcome, Rejected, Settings, State};
use tripbreaker_redis::{Builder, Mode, RedisBreaker, Ticket};
use vectors::{Recorder, Replay, run_vectors_with};

/// Handles per case: each stands for a process of its own (its own connection).
const HANDLES: usize = 3;

/// Far above any answer time, so no step falls back to the local breaker
/// on a slow machine (the test also checks that none did).
const STORE_TIMEOUT: Duration = Duration::from_secs(10);

/// Several handles on one shared breaker, taking turns.
struct Handles<'r> {
    runtime: &'r Runtime,
    handles: Vec<RedisBreaker<Recorder>>,
    clock: Arc<ManualClock>,
    recorder: Recorder,
    turn: usize,
}

impl Handles<'_> {
    fn next(&mut self) -> RedisBreaker<Recorder> {
        self.turn += 1;
        self.handles[self.turn % self.handles.len()].clone()
    }
}

impl Replay for Handles<'_> {
    type Ticket = Ticket;

    fn advance(&mut self, by: Duration) {
        self.clock.advance(by);
    }

    fn try_acquire(&mut self) -> Result<Ticket, Rejected> {
        let handle = self.next();
        self.runtime.block_on(handle.try_acquire())
    }

    fn record(&mut self, ticket: Ticket, outcome: Outcome) {
        let handle = self.next();
        self.runtime.block_on(handle.record(ticket, outcome));
    }

    fn observe(&mut self) -> (State, Counts) {
        let handle = self.next();
        self.runtime.block_on(handle.snapshot())
    }

    fn transitions(&mut self) -> Vec<tripbreaker::Transition> {
        self.recorder.take()
    }
}

/// Where the handles keep the shared state.
enum Store {
    Server(RedisServer),
    Cluster(RedisCluster),
}

/// One handle's own connection to the store.
enum Connection {
    Server(ConnectionManager),
    Cluster(ClusterConnection),
}

impl Store {
    fn describe(&self) -> &'static str {
        match self {
            Store::Server(_) => "one Redis",
            Store::Cluster(_) => "a Redis Cluster",
        }
    }

    fn connect(&self, runtime: &Runtime) -> Connection {
        match self {
            Store::Server(server) => {
                let client = redis::Client::open(server.url()).expect("a redis URL");
                let config =
                    ConnectionManagerConfig::new().set_response_timeout(Some(STORE_TIMEOUT));
                let connection = runtime
                    .block_on(ConnectionManager::new_with_config(client, config))
                    .expect("a connection to the test redis");
                Connection::Server(connection)
            }
            Store::Cluster(cluster) => {
                let client = ClusterClient::builder(cluster.node_urls())
                    .response_timeout(STORE_TIMEOUT)
                    .build()
                    .expect("the cluster's node URLs");
                let connection = runtime
                    .block_on(client.get_async_connection())
                    .expect("a connection to the test cluster");
                Connection::Cluster(connection)
            }
        }
    }

    fn keys(&self) -> Vec<String> {
        match self {
            Store::Server(server) => server.command(redis::cmd("KEYS").arg("*")),
            Store::Cluster(cluster) => cluster.keys(),
        }
    }

    fn pttl(&self, key: &str) -> i64 {
        let pttl = redis::cmd("PTTL").arg(key).clone();
        match self {
            Store::Server(server) => server.command(&pttl),
            Store::Cluster(cluster) => cluster.command_on(&cluster.master_of(key), &pttl),
        }
    }
}

impl Connection {
    fn handle(&self, builder: Builder<Recorder>) -> RedisBreaker<Recorder> {
        match self {
            Connection::Server(connection) => builder.with_connection(connection.clone()),
            Connection::Cluster(connection) => builder.with_cluster_connection(connection.clone()),
        }
        .expect("settings the script runs")
    }
}

fn replay_file(store: &Store, file: &str, text: &str, cases: usize) {
    let runtime = Runtime::new().expect("a tokio runtime");
    let on = store.describe();
    let connections: Vec<Connection> = (0..HANDLES).map(|_| store.connect(&runtime)).collect();
    let mut all = Vec::new();
    let mut number = 0;
    let result = run_vectors_with(text, |_, settings: Settings| {
        number += 1;
        let clock = Arc::new(ManualClock::new());
        let recorder = Recorder::default();
        let handles: Vec<_> = connections
            .iter()
            .map(|connection| {
                let _runtime = runtime.enter();
                connection.handle(
                    RedisBreaker::builder(settings)
                        .namespace(format!("{file}-{number}"))
                        // The vectors count the breaker's keys; presence is the fleet's (tests/fleet.rs).
                        .presence(None)
                        .store_timeout(STORE_TIMEOUT)
                        .manual_clock(clock.clone())
                        .observer(recorder.clone()),
                )
            })
            .collect();
        all.extend(handles.iter().cloned());
        // A shared breaker begins when first used, a core one when made:
        // read it once at time 0, where the vectors' breaker was made.
        runtime.block_on(handles[0].snapshot());
        Handles {
            runtime: &runtime,
            handles,
            clock,
            recorder,
            turn: 0,
        }
    });
    match result {
        Ok(summary) => {
            println!(
                "{file} ({HANDLES} handles on {on}): {} cases, {} steps, every field matches",
                summary.cases, summary.steps
            );
            assert_eq!(summary.cases, cases, "{file}: cases replayed");
        }
        Err(mismatch) => panic!("{file} ({HANDLES} handles on {on}): {mismatch}"),
    }
    for handle in &all {
        assert_eq!(
            handle.mode(),
            Mode::Shared,
            "{}: no handle fell back",
            handle.key()
        );
    }
    let prefix = format!("{file}-");
    let keys: Vec<String> = store
        .keys()
        .into_iter()
        .filter(|key| key.starts_with(&prefix))
        .collect();
    assert_eq!(keys.len(), cases, "one key per breaker");
    let ttl = store.pttl(&keys[0]);
    assert!(ttl > 0, "{}: keys expire (PTTL {ttl})", keys[0]);
}

/// The four files of recorded vectors: name, text, cases.
const FILES: [(&str, &str, usize); 4] = [
    (
        "gobreaker-fixed-window",
        include_str!("../../tripbreaker/tests/vectors/gobreaker-fixed-window.jsonl"),
        300,
    ),
    (
        "gobreaker-rolling-window",
        include_str!("../../tripbreaker/tests/vectors/gobreaker-rolling-window.jsonl"),
        100,
    ),
    (
        "gobreaker-fixed-late",
        include_str!("../../tripbreaker/tests/vectors/gobreaker-fixed-late.jsonl"),
        200,
    ),
    (
        "gobreaker-rolling-late",
        include_str!("../../tripbreaker/tests/vectors/gobreaker-rolling-late.jsonl"),
        300,
    ),
];

/// Replays `FILES[index]` on a Redis server of its own.
fn replay_on_one_redis(index: usize) {
    let (file, text, cases) = FILES[index];
    replay_file(&Store::Server(RedisServer::start()), file, text, cases);
}

#[test]
fn fixed_window_vectors_match_gobreaker_across_handles() {
    replay_on_one_redis(0);
}

#[test]
fn rolling_window_vectors_match_gobreaker_across_handles() {
    replay_on_one_redis(1);
}

#[test]
fn late_outcomes_in_a_fixed_window_match_gobreaker_across_handles() {
    replay_on_one_redis(2);
}

#[test]
fn late_outcomes_in_a_rolling_window_match_gobreaker_across_handles() {
    replay_on_one_redis(3);
}

/// Every file on one cluster (six processes are too many to start per
/// file on a small machine), at once: each breaker's key on the master of
/// its slot.
#[test]
fn every_vector_matches_gobreaker_across_handles_on_a_cluster() {
    let store = Store::Cluster(RedisCluster::start());
    std::thread::scope(|scope| {
        for (file, text, cases) in FILES {
            let store = &store;
            scope.spawn(move || replay_file(store, file, text, cases));
        }
    });
}
