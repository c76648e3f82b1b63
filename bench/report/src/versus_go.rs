//! BENCHMARKS.md's block comparing the server with a grpc-go Greeter, from
//! `versus-go`: medians of the calls per second at each spread, and
//! callgrind's instructions per call against a bare tonic Greeter.

use bench_results::{Contender, VersusGoReport};
use std::fmt::Write;

/// The block: the throughput table, then the instruction counts.
pub fn block(report: &VersusGoReport) -> String {
    let mut md = String::new();
    let mut spreads: Vec<_> = report.rows.iter().map(|row| row.streams).collect();
    spreads.dedup();
    let repetitions = report.rows.first().map_or(0, |row| row.per_second.len());
    let _ = writeln!(
        md,
        "{} calls a run, {repetitions} runs of each alternating, medians in calls/s; every \
         call of every run answered. The machine was shared with other work: the ratio \
         compares figures of the same run.\n",
        report.requests
    );
    let _ = writeln!(
        md,
        "| setup | {} | {} | ratio | {} |\n|---|---:|---:|---:|---:|",
        Contender::Server.label(),
        Contender::GrpcGo.label(),
        Contender::ServerGrpcWeb.label()
    );
    for streams in spreads {
        let median = |c| report.median(streams, c).unwrap_or(f64::NAN);
        let (ours, go) = (median(Contender::Server), median(Contender::GrpcGo));
        let setup = match (streams.connections, streams.per_connection) {
            (1, m) => format!("1 connection, {m} streams"),
            (c, 1) => format!("{c} connections, 1 stream each"),
            (c, m) => format!("{c} connections, {m} streams each"),
        };
        let _ = writeln!(
            md,
            "| {setup} | {ours:.0} | {go:.0} | **{:.2}×** | {:.0} |",
            ours / go,
            median(Contender::ServerGrpcWeb)
        );
    }
    if let (Some(bare), Some(server)) = (
        report.per_call(Contender::BareTonic),
        report.per_call(Contender::Server),
    ) {
        let calls = report.instructions.first().map_or(0, |count| count.calls);
        let _ = writeln!(
            md,
            "\nInstructions per call, counted by callgrind over {calls} native gRPC calls \
             (1 connection, 32 streams):\n\n| server | instructions per call | / bare tonic |\n\
             |---|---:|---:|\n| {} | {bare:.0} | 1.00× |\n| {} | {server:.0} | {:.2}× |",
            Contender::BareTonic.label(),
            Contender::Server.label(),
            server / bare
        );
        let partial: Vec<_> = report
            .instructions
            .iter()
            .filter(|count| count.contender == Contender::Server && !count.without.is_empty())
            .collect();
        if !partial.is_empty() {
            let _ = writeln!(
                md,
                "\nWhat each layer costs: the server run without it (`--bench-without`, \
                 a benchmark-only switch), the same count:\n\n\
                 | server without | instructions per call | / bare tonic | the layer's share |\n\
                 |---|---:|---:|---:|"
            );
            for count in partial {
                let _ = writeln!(
                    md,
                    "| {} | {:.0} | {:.2}× | {:.0} |",
                    count.without.join(", "),
                    count.per_call,
                    count.per_call / bare,
                    server - count.per_call
                );
            }
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;
    use bench_results::{InstructionCount, Streams, VersusGoRow};

    #[test]
    fn compares_medians_and_instruction_counts() {
        let one = Streams {
            connections: 1,
            per_connection: 32,
        };
        let row = |contender, per_second: Vec<f64>| VersusGoRow {
            streams: one,
            contender,
            per_second,
        };
        let count = |contender, per_call| InstructionCount {
            contender,
            without: vec![],
            calls: 5000,
            per_call,
        };
        let report = VersusGoReport {
            requests: 1000,
            rows: vec![
                row(Contender::Server, vec![60.0, 90.0, 75.0]),
                row(Contender::GrpcGo, vec![100.0, 150.0, 90.0]),
                row(Contender::ServerGrpcWeb, vec![70.0]),
            ],
            instructions: vec![
                count(Contender::BareTonic, 100_000.0),
                count(Contender::Server, 150_000.0),
                InstructionCount {
                    without: vec!["cors".into()],
                    ..count(Contender::Server, 140_000.0)
                },
            ],
        };
        let md = block(&report);
        assert!(
            md.contains("| 1 connection, 32 streams | 75 | 100 | **0.75×** | 70 |"),
            "{md}"
        );
        assert!(
            md.contains("| this server (native gRPC) | 150000 | 1.50× |"),
            "{md}"
        );
        assert!(md.contains("| cors | 140000 | 1.40× | 10000 |"), "{md}");
    }
}
