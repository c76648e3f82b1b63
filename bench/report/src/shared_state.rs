//! BENCHMARKS.md's block on the breaker shared through Redis, from the
//! `shared_state` benchmark: round trips per call as Redis counted them,
//! and the time per call at each client count.

use bench_results::{Guard, SharedStateReport};
use std::fmt::Write;

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
    md
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use bench_results::{CommandCount, SharedStateRow};

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
}
