//! What the `shared_state` benchmark (`bench/breaker`) measures against a real
//! `redis-server` on loopback.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Commands per guarded call, counted by Redis itself, the time per call
/// of each way to guard it at several client counts, the fleet's calls and
/// Redis' load in steady state, and what a trip costs, exact and fast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedStateReport {
    /// Guarded calls (admit + record) behind `commands`.
    pub calls_counted: u64,
    /// Each command Redis ran, per guarded call (`INFO commandstats`).
    pub commands: Vec<CommandCount>,
    /// One row per client count and way of guarding the call.
    pub rows: Vec<SharedStateRow>,
    /// Fast mode's sync period `T`, in ms.
    pub sync_ms: u64,
    /// Guarded calls a second and Redis' load in steady state, per fleet
    /// and mode.
    pub fleet: Vec<FleetRow>,
    /// What happened after the dependency started failing, per mode.
    pub trip: Vec<TripRow>,
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

/// Who makes the calls of a [`FleetRow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Callers {
    /// Tasks of the benchmark's process, each with its own handle.
    Tasks {
        /// Tasks, and handles.
        tasks: usize,
    },
    /// Processes, each with one handle shared by its tasks.
    Processes {
        /// Processes, and handles.
        processes: usize,
        /// Tasks calling in each process.
        tasks_each: usize,
    },
}

impl std::fmt::Display for Callers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Callers::Tasks { tasks: 1 } => write!(f, "1 task"),
            Callers::Tasks { tasks } => write!(f, "{tasks} tasks, one process"),
            Callers::Processes {
                processes,
                tasks_each,
            } => write!(f, "{processes} processes × {tasks_each} tasks"),
        }
    }
}

/// Guarded calls as fast as the callers go, with the commands Redis ran
/// meanwhile (`INFO commandstats`, read before and after).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetRow {
    /// Who calls.
    pub callers: Callers,
    /// Handles on the breaker, all callers together.
    pub handles: usize,
    /// Exact ([`Guard::Redis`]) or fast ([`Guard::RedisFast`]).
    pub guard: Guard,
    /// Guarded calls (admit + record) a second, all callers together.
    pub calls_per_second: f64,
    /// Script runs (`EVALSHA`, `EVAL`) a second: the round trips.
    pub scripts_per_second: f64,
    /// Every command Redis ran a second, those inside the scripts included.
    pub commands_per_second: f64,
}

impl FleetRow {
    /// Fast mode's script runs a second in steady state, as the crate
    /// documents them: one sync per handle per period, `H / T`.
    pub fn syncs_per_second(&self, sync: Duration) -> f64 {
        self.handles as f64 / sync.as_secs_f64()
    }
}

/// The fleet after the dependency starts failing: `handles` handles, one
/// caller each at `rate_per_handle`, under `ConsecutiveFailures(trip_after)`,
/// over `rounds` trips (each on a fresh key).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TripRow {
    /// Exact ([`Guard::Redis`]) or fast ([`Guard::RedisFast`]).
    pub guard: Guard,
    /// Handles `H`, one caller each.
    pub handles: usize,
    /// `n` of `ConsecutiveFailures(n)`.
    pub trip_after: u32,
    /// Calls a second per handle `λ`, measured before the failures.
    pub rate_per_handle: f64,
    /// One script call's round trip `r` (median), measured meanwhile, in µs.
    pub round_trip_us: f64,
    /// Trips measured.
    pub rounds: usize,
    /// Failures past the trip point (all the fleet's failures but the
    /// first `n`), the most of any round.
    pub past_trip_max: u64,
    /// The same, the mean over the rounds.
    pub past_trip_mean: f64,
    /// From the trip on the handle that tripped it to the first refusal on
    /// each other handle: median, in µs.
    pub reach_p50_us: f64,
    /// The same, 99th percentile.
    pub reach_p99_us: f64,
}

impl TripRow {
    /// The crate's bound on fast mode's failures past the trip point with
    /// this row's `H`, `λ`, `r` and `n` and the sync period `sync`:
    /// `H · min(n, ⌈λ · (T + r)⌉)` (calls in flight come on top).
    ///
    /// ```
    /// # use bench_results::{Guard, TripRow};
    /// # use std::time::Duration;
    /// let row = TripRow { guard: Guard::RedisFast, handles: 16, trip_after: 3,
    ///     rate_per_handle: 1000.0, round_trip_us: 500.0, rounds: 1, past_trip_max: 0,
    ///     past_trip_mean: 0.0, reach_p50_us: 0.0, reach_p99_us: 0.0 };
    /// assert_eq!(row.unsent_per_handle(Duration::from_millis(100)), 101);
    /// assert_eq!(row.fast_bound(Duration::from_millis(100)), 48);
    /// ```
    pub fn fast_bound(&self, sync: Duration) -> u64 {
        self.handles as u64 * u64::from(self.trip_after).min(self.unsent_per_handle(sync))
    }

    /// Exact mode's failures past the trip point with one caller per
    /// handle: the calls in flight when it trips, one per other handle.
    pub fn in_flight_bound(&self) -> u64 {
        self.handles.saturating_sub(1) as u64
    }

    /// `⌈λ · (T + r)⌉`: the calls a handle makes before it hears back.
    pub fn unsent_per_handle(&self, sync: Duration) -> u64 {
        let waited = sync.as_secs_f64() + self.round_trip_us / 1e6;
        (self.rate_per_handle * waited).ceil() as u64
    }
}

impl SharedStateReport {
    /// Fast mode's sync period.
    pub fn sync(&self) -> Duration {
        Duration::from_millis(self.sync_ms)
    }

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
