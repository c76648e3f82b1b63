//! What the `shared_state` benchmark (`bench/breaker`) measures against a real
//! `redis-server` on loopback.

use serde::{Deserialize, Serialize};

/// Commands per guarded call, counted by Redis itself, and the time per call
/// of each way to guard it at several client counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedStateReport {
    /// Guarded calls (admit + record) behind `commands`.
    pub calls_counted: u64,
    /// Each command Redis ran, per guarded call (`INFO commandstats`).
    pub commands: Vec<CommandCount>,
    /// One row per client count and way of guarding the call.
    pub rows: Vec<SharedStateRow>,
}

/// How often Redis ran one command per guarded call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandCount {
    /// The command, as `INFO commandstats` names it (`evalsha`, `time`, …).
    pub name: String,
    /// Runs per guarded call.
    pub per_call: f64,
    /// Sent by the client (a round trip), rather than run inside the script.
    pub from_client: bool,
}

/// What one measured call does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Guard {
    /// The in-process `SharedBreaker`: admit + record.
    Local,
    /// `RedisBreaker`: admit + record, one script run each.
    Redis,
    /// `RedisBreaker` in fast mode: admit + record while closed, counted by
    /// the handle and synced every 100 ms.
    RedisFast,
    /// A plain `GET`: one round trip, for scale.
    PlainGet,
}

impl Guard {
    /// How BENCHMARKS.md names it.
    pub fn label(self) -> &'static str {
        match self {
            Guard::Local => "local `SharedBreaker`",
            Guard::Redis => "`RedisBreaker` (2 round trips)",
            Guard::RedisFast => "`RedisBreaker`, fast mode (no round trip while closed)",
            Guard::PlainGet => "plain `GET` (1 round trip)",
        }
    }
}

/// The time per call of `guard` with `clients` concurrent clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedStateRow {
    /// Concurrent clients, each on its own connection.
    pub clients: usize,
    /// What each call does.
    pub guard: Guard,
    /// Mean time per call, in µs.
    pub mean_us: f64,
    /// Median, in µs.
    pub p50_us: f64,
    /// 99th percentile, in µs.
    pub p99_us: f64,
    /// Calls per second, all clients together.
    pub per_second: f64,
}

impl SharedStateReport {
    /// The row of `guard` at `clients`.
    pub fn row(&self, clients: usize, guard: Guard) -> Option<&SharedStateRow> {
        self.rows
            .iter()
            .find(|row| row.clients == clients && row.guard == guard)
    }

    /// Round trips per guarded call: the commands the client sent.
    pub fn round_trips(&self) -> f64 {
        self.commands
            .iter()
            .filter(|c| c.from_client)
            .map(|c| c.per_call)
            .sum()
    }
}
