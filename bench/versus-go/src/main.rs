//! `versus-go`: the server against the grpc-go Greeter as a user choosing
//! between them would measure it. Each server runs pinned to core 0 with
//! one runtime thread, h2load drives it from core 1; repetitions alternate
//! the servers, and every run must have every call answered. Then callgrind
//! counts the instructions per call of the server and of a bare tonic
//! Greeter. Writes a [`bench_results::VersusGoReport`] as JSON.

mod callgrind;
mod h2load;

use bench_results::{Contender, InstructionCount, Streams, VersusGoReport, VersusGoRow};
use clap::Parser;
use std::path::PathBuf;

#[derive(Parser)]
struct Cli {
    /// The project's server binary.
    #[arg(long, default_value = "target/release/server")]
    server: PathBuf,
    /// The grpc-go Greeter binary.
    #[arg(long)]
    grpc_go: PathBuf,
    /// The bare tonic Greeter binary.
    #[arg(long, default_value = "target/release/bare-greeter")]
    bare: PathBuf,
    /// Calls per run.
    #[arg(long, default_value_t = 100_000)]
    requests: u64,
    /// Runs of each server at each spread, alternating.
    #[arg(long, default_value_t = 3)]
    repetitions: usize,
    /// Calls callgrind's count is taken over (the difference of two runs).
    #[arg(long, default_value_t = 5_000)]
    counted_calls: u64,
    /// Where to write the report.
    #[arg(long)]
    json: PathBuf,
}

/// The spreads of the comparison: one connection multiplexed, and many.
const SPREADS: [Streams; 2] = [
    Streams {
        connections: 1,
        per_connection: 32,
    },
    Streams {
        connections: 32,
        per_connection: 1,
    },
];

/// The server's layers (its hidden `--bench-without` values), each left
/// out in turn while callgrind counts: what each one costs.
const LAYERS: [&str; 7] = [
    "guard",
    "cors",
    "grpc-web",
    "body-limits",
    "call-log",
    "deadline",
    "queue-limit",
];

/// The contenders of the throughput comparison.
const RACED: [Contender; 3] = [
    Contender::Server,
    Contender::GrpcGo,
    Contender::ServerGrpcWeb,
];

impl Cli {
    /// The binary serving `contender`.
    fn binary(&self, contender: Contender) -> &PathBuf {
        match contender {
            Contender::Server | Contender::ServerGrpcWeb => &self.server,
            Contender::GrpcGo => &self.grpc_go,
            Contender::BareTonic => &self.bare,
        }
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut rows: Vec<VersusGoRow> = SPREADS
        .iter()
        .flat_map(|&streams| {
            RACED.iter().map(move |&contender| VersusGoRow {
                streams,
                contender,
                per_second: Vec::new(),
            })
        })
        .collect();
    for repetition in 1..=cli.repetitions {
        for row in &mut rows {
            let per_second = h2load::race(
                cli.binary(row.contender),
                row.contender,
                row.streams,
                cli.requests,
            )?;
            println!(
                "run {repetition}: {}, {} x {}: {per_second:.0} calls/s",
                row.contender.label(),
                row.streams.connections,
                row.streams.per_connection
            );
            row.per_second.push(per_second);
        }
    }
    // The bare Greeter, the whole server, the server without each layer in
    // turn, and without all of them.
    let mut counted: Vec<(Contender, Vec<&str>)> =
        vec![(Contender::BareTonic, vec![]), (Contender::Server, vec![])];
    counted.extend(LAYERS.iter().map(|&layer| (Contender::Server, vec![layer])));
    counted.push((Contender::Server, LAYERS.to_vec()));
    let mut instructions = Vec::new();
    for (contender, without) in counted {
        let binary = cli.binary(contender);
        let per_call = callgrind::per_call(binary, contender, &without, cli.counted_calls)?;
        println!(
            "{} without {without:?}: {per_call:.0} instructions per call",
            contender.label()
        );
        instructions.push(InstructionCount {
            contender,
            without: without.iter().map(|layer| layer.to_string()).collect(),
            calls: cli.counted_calls,
            per_call,
        });
    }
    let report = VersusGoReport {
        requests: cli.requests,
        rows,
        instructions,
    };
    std::fs::write(&cli.json, serde_json::to_string_pretty(&report)?)?;
    println!("wrote {}", cli.json.display());
    Ok(())
}
