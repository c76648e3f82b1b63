//! BENCHMARKS.md's block on the breaker shared through Redis, from the
//! `shared_state` benchmark: round trips per call as Redis counted them,
//! the time per call at each client count, the fleet's guarded calls and
//! Redis' load in steady state, and what a trip costs, exact and fast.

use crate::verdict;
use bench_results::{Guard, SharedStateReport, TripRow};
use std::fmt::Write;

/// Fast mode's target for a fleet on one Redis: guarded calls a second.
const FAST_TARGET_PER_SECOND: f64 = 1_000_000.0;

/// gobreaker v2.1's `DistributedCircuitBreaker` per call, on paper: lock
/// (`SET NX`), `GET` the state, `SET` it, unlock (a script), before the call
/// and again after it.
const GOBREAKER_ROUND_TRIPS: u32 = 8;

/// The block: commands per call, then the time per call.
pub fn block(report: &SharedStateReport) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Commands per guarded call (admit + record), counted by Redis itself over \
         {} calls (`INFO commandstats`):\n",
        report.calls_counted
    );
    let _ = writeln!(md, "| command | per call | sent by |\n|---|---:|---|");
    for command in &report.commands {
        let by = if command.from_client {
            "the client: a round trip"
        } else {
            "the script, inside Redis"
        };
        let _ = writeln!(
            md,
            "| `{}` | {:.2} | {by} |",
            command.name, command.per_call
        );
    }
    let _ = writeln!(
        md,
        "\nRound trips per guarded call: **{:.2}** here; gobreaker v2.1's \
         `DistributedCircuitBreaker` makes {GOBREAKER_ROUND_TRIPS} on paper (lock `SET NX`, `GET`, \
         `SET`, unlock, before the call and again after it), serialised by its lock across \
         every process.\n",
        report.round_trips()
    );
    let _ = writeln!(
        md,
        "| clients | what | mean µs | p50 µs | p99 µs | calls/s | / plain `GET` (mean) |\n\
         |---:|---|---:|---:|---:|---:|---:|"
    );
    for row in &report.rows {
        let against_get = report
            .row(row.clients, Guard::PlainGet)
            .map_or(f64::NAN, |get| row.mean_us / get.mean_us);
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.0} | {against_get:.2}x |",
            row.clients,
            row.guard.label(),
            row.mean_us,
            row.p50_us,
            row.p99_us,
            row.per_second
        );
    }
    md.push('\n');
    md.push_str(&fleet(report));
    md.push('\n');
    md.push_str(&trips(report));
    md
}

/// "exact" or "fast", as the fleet's tables name a handle's mode.
fn mode(guard: Guard) -> &'static str {
    match guard {
        Guard::RedisFast => "fast",
        _ => "exact",
    }
}

/// The fleet's guarded calls a second and Redis' load meanwhile, against
/// fast mode's `H ÷ T` and its target.
fn fleet(report: &SharedStateReport) -> String {
    let sync = report.sync();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "Guarded calls a second, the callers calling as fast as they can, and the commands \
         Redis ran a second meanwhile (`INFO commandstats`). In fast mode a handle sends one \
         script run per sync period, so Redis should run about H ÷ T scripts a second \
         (T = {} ms) whatever the call rate:\n",
        report.sync_ms
    );
    let _ = writeln!(
        md,
        "| callers | handles H | mode | guarded calls/s | scripts/s (round trips) | \
         scripts/s ÷ (H ÷ T) | all commands/s |\n|---|---:|---|---:|---:|---:|---:|"
    );
    for row in &report.fleet {
        let against = if row.guard == Guard::RedisFast {
            format!(
                "{:.2}×",
                row.scripts_per_second / row.syncs_per_second(sync)
            )
        } else {
            "—".to_owned()
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.0} | {:.1} | {against} | {:.0} |",
            row.callers,
            row.handles,
            mode(row.guard),
            row.calls_per_second,
            row.scripts_per_second,
            row.commands_per_second
        );
    }
    let fast: Vec<String> = report
        .fleet
        .iter()
        .filter(|row| row.guard == Guard::RedisFast && row.handles > 1)
        .map(|row| {
            format!(
                "{} {:.0} ({})",
                row.callers,
                row.calls_per_second,
                verdict(row.calls_per_second >= FAST_TARGET_PER_SECOND)
            )
        })
        .collect();
    let _ = writeln!(
        md,
        "\nFast mode's fleet against its target of {FAST_TARGET_PER_SECOND:.0} guarded calls a \
         second on one Redis: {}.",
        fast.join("; ")
    );
    md
}

/// The failures past the trip point against their bound, and how long the
/// trip takes to reach the other handles.
fn trips(report: &SharedStateReport) -> String {
    let mut md = String::new();
    let Some(first) = report.trip.first() else {
        return md;
    };
    let _ = writeln!(
        md,
        "After the dependency starts failing: H handles in one process, each on its own \
         connection, with one paced caller (λ: the calls a second each made before the \
         failures; r: a script call's round trip meanwhile, median), under \
         `ConsecutiveFailures(n)`; {} trips in each mode, each on a fresh key. Failures past the \
         trip point are all the fleet's failures but the first n (the most of any trip, and the \
         mean); the trip reaches a handle at its first refusal, timed from the tripping handle's \
         reply:\n",
        first.rounds
    );
    let _ = writeln!(
        md,
        "| mode | H | λ (calls/s a handle) | r (µs) | n | failures past the trip point | \
         bound | within it | trip reaches the others: p50 µs | p99 µs |\n\
         |---|---:|---:|---:|---:|---:|---|---|---:|---:|"
    );
    for row in &report.trip {
        let (bound, formula) = bound(row, report);
        let _ = writeln!(
            md,
            "| {} | {} | {:.0} | {:.0} | {} | {} (mean {:.1}) | {formula} | {} | {:.0} | {:.0} |",
            mode(row.guard),
            row.handles,
            row.rate_per_handle,
            row.round_trip_us,
            row.trip_after,
            row.past_trip_max,
            row.past_trip_mean,
            verdict(row.past_trip_max <= bound),
            row.reach_p50_us,
            row.reach_p99_us
        );
    }
    md
}

/// The bound on a trip row's failures past the trip point, and how it is
/// worked out from the row's H, λ, r, n and the report's T.
fn bound(row: &TripRow, report: &SharedStateReport) -> (u64, String) {
    if row.guard != Guard::RedisFast {
        let bound = row.in_flight_bound();
        return (
            bound,
            format!("H − 1 = {bound}: the calls in flight, one per other handle"),
        );
    }
    let sync = report.sync();
    let bound = row.fast_bound(sync);
    let formula = format!(
        "H · min(n, ⌈λ · (T + r)⌉) = {} · min({}, {}) = {bound}",
        row.handles,
        row.trip_after,
        row.unsent_per_handle(sync)
    );
    (bound, formula)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use bench_results::{Callers, CommandCount, FleetRow, SharedStateRow};

    pub(crate) fn report() -> SharedStateReport {
        let row = |clients, guard, mean_us| SharedStateRow {
            clients,
            guard,
            mean_us,
            p50_us: mean_us,
            p99_us: mean_us * 3.0,
            per_second: 1e6 / mean_us,
        };
        SharedStateReport {
            calls_counted: 10_000,
            commands: vec![
                CommandCount {
                    name: "evalsha".into(),
                    per_call: 2.0,
                    from_client: true,
                },
                CommandCount {
                    name: "time".into(),
                    per_call: 2.0,
                    from_client: false,
                },
            ],
            rows: [1, 4, 16]
                .into_iter()
                .flat_map(|clients| {
                    [
                        row(clients, Guard::Local, 0.5),
                        row(clients, Guard::Redis, 100.0),
                        row(clients, Guard::PlainGet, 20.0),
                    ]
                })
                .collect(),
            sync_ms: 100,
            fleet: vec![
                fleet_row(
                    Callers::Tasks { tasks: 16 },
                    16,
                    Guard::Redis,
                    18_000.0,
                    36_000.0,
                ),
                fleet_row(
                    Callers::Tasks { tasks: 16 },
                    16,
                    Guard::RedisFast,
                    2.5e6,
                    168.0,
                ),
                fleet_row(
                    Callers::Processes {
                        processes: 4,
                        tasks_each: 4,
                    },
                    4,
                    Guard::RedisFast,
                    6e5,
                    40.0,
                ),
            ],
            trip: vec![
                trip_row(Guard::Redis, 700.0, 11),
                trip_row(Guard::RedisFast, 1000.0, 50),
            ],
        }
    }

    fn fleet_row(
        callers: Callers,
        handles: usize,
        guard: Guard,
        calls_per_second: f64,
        scripts_per_second: f64,
    ) -> FleetRow {
        FleetRow {
            callers,
            handles,
            guard,
            calls_per_second,
            scripts_per_second,
            commands_per_second: scripts_per_second * 4.0,
        }
    }

    fn trip_row(guard: Guard, rate_per_handle: f64, past_trip_max: u64) -> TripRow {
        TripRow {
            guard,
            handles: 16,
            trip_after: 3,
            rate_per_handle,
            round_trip_us: 500.0,
            rounds: 10,
            past_trip_max,
            past_trip_mean: past_trip_max as f64 / 2.0,
            reach_p50_us: 800.0,
            reach_p99_us: 2400.0,
        }
    }

    #[test]
    fn counts_round_trips_and_compares_with_a_plain_get() {
        let md = block(&report());
        assert!(
            md.contains("Round trips per guarded call: **2.00**"),
            "{md}"
        );
        assert!(
            md.contains("| `time` | 2.00 | the script, inside Redis |"),
            "{md}"
        );
        assert!(
            md.contains(
                "| 16 | `RedisBreaker` (2 round trips) | 100.0 | 100.0 | 300.0 | 10000 | 5.00x |"
            ),
            "{md}"
        );
    }

    #[test]
    fn compares_fast_scripts_with_handles_per_sync_period_and_the_target() {
        let md = block(&report());
        assert!(
            md.contains("| 16 tasks, one process | 16 | fast | 2500000 | 168.0 | 1.05× | 672 |"),
            "{md}"
        );
        assert!(
            md.contains("| 16 tasks, one process | 16 | exact | 18000 | 36000.0 | — | 144000 |"),
            "{md}"
        );
        assert!(
            md.contains(
                "target of 1000000 guarded calls a second on one Redis: 16 tasks, one process \
                 2500000 (met); 4 processes × 4 tasks 600000 (missed)."
            ),
            "{md}"
        );
    }

    #[test]
    fn works_out_each_trip_bound_from_the_run() {
        let md = block(&report());
        assert!(
            md.contains(
                "| exact | 16 | 700 | 500 | 3 | 11 (mean 5.5) | H − 1 = 15: the calls in flight, \
                 one per other handle | met | 800 | 2400 |"
            ),
            "{md}"
        );
        assert!(
            md.contains(
                "| fast | 16 | 1000 | 500 | 3 | 50 (mean 25.0) | H · min(n, ⌈λ · (T + r)⌉) = \
                 16 · min(3, 101) = 48 | missed | 800 | 2400 |"
            ),
            "{md}"
        );
        assert!(md.contains("10 trips in each mode"), "{md}");
    }
}
