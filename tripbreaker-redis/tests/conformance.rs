//! gobreaker v2's recorded vectors (the core's `tests/vectors/`), replayed
//! through three `RedisBreaker` handles on one real Redis, each step going
//! to the next handle in turn, on a manual clock: every field of every step
//! must match, as it does for the core.

mod support;
#[allow(dead_code)] // the harness also drives the core, which this test does not
#[path = "../../tripbreaker/tests/vectors/mod.rs"]
mod vectors;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::Arc;
use std::time::Duration;
use support::redis_server::RedisServer;
use tokio::runtime::Runtime;
use tripbreaker::{Counts, ManualClock, Outcome, Rejected, Settings, State};
use tripbreaker_redis::{Mode, RedisBreaker, Ticket};
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

fn replay_file(file: &str, text: &str, cases: usize) {
    let runtime = Runtime::new().expect("a tokio runtime");
    let server = RedisServer::start();
    let connections: Vec<ConnectionManager> = (0..HANDLES)
        .map(|_| {
            let client = redis::Client::open(server.url()).expect("a redis URL");
            let config = ConnectionManagerConfig::new().set_response_timeout(Some(STORE_TIMEOUT));
            runtime
                .block_on(ConnectionManager::new_with_config(client, config))
                .expect("a connection to the test redis")
        })
        .collect();
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
                RedisBreaker::builder(settings)
                    .namespace(format!("{file}-{number}"))
                    .store_timeout(STORE_TIMEOUT)
                    .manual_clock(clock.clone())
                    .observer(recorder.clone())
                    .with_connection(connection.clone())
                    .expect("settings the script runs")
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
                "{file} ({HANDLES} handles on one Redis): {} cases, {} steps, every field matches",
                summary.cases, summary.steps
            );
            assert_eq!(summary.cases, cases, "{file}: cases replayed");
        }
        Err(mismatch) => panic!("{file} ({HANDLES} handles on one Redis): {mismatch}"),
    }
    for handle in &all {
        assert_eq!(
            handle.mode(),
            Mode::Shared,
            "{}: no handle fell back",
            handle.key()
        );
    }
    let keys: Vec<String> = server.command(redis::cmd("KEYS").arg("*"));
    assert_eq!(keys.len(), cases, "one key per breaker");
    let ttl: i64 = server.command(redis::cmd("PTTL").arg(&keys[0]));
    assert!(ttl > 0, "{}: keys expire (PTTL {ttl})", keys[0]);
}

#[test]
fn fixed_window_vectors_match_gobreaker_across_handles() {
    replay_file(
        "gobreaker-fixed-window",
        include_str!("../../tripbreaker/tests/vectors/gobreaker-fixed-window.jsonl"),
        300,
    );
}

#[test]
fn rolling_window_vectors_match_gobreaker_across_handles() {
    replay_file(
        "gobreaker-rolling-window",
        include_str!("../../tripbreaker/tests/vectors/gobreaker-rolling-window.jsonl"),
        100,
    );
}

#[test]
fn late_outcomes_in_a_fixed_window_match_gobreaker_across_handles() {
    replay_file(
        "gobreaker-fixed-late",
        include_str!("../../tripbreaker/tests/vectors/gobreaker-fixed-late.jsonl"),
        200,
    );
}

#[test]
fn late_outcomes_in_a_rolling_window_match_gobreaker_across_handles() {
    replay_file(
        "gobreaker-rolling-late",
        include_str!("../../tripbreaker/tests/vectors/gobreaker-rolling-late.jsonl"),
        300,
    );
}
