//! BENCHMARKS.md's server throughput block, from loadtest's report: every
//! setup, then gRPC-Web against native gRPC and the bare handler at equal
//! connection counts.

use crate::verdict;
use bench_results::{LoadReport, Protocol, Server, Setup};
use std::fmt::Write;

/// gRPC-Web's target against native gRPC at the same connection count.
const NATIVE_TARGET: f64 = 0.9;
/// gRPC-Web's target against the bare handler at the same connection count
/// and HTTP version.
const BARE_TARGET: f64 = 0.6;

/// One comparison of the ratio table: gRPC-Web on the greeter server over
/// `web`, against `baseline` on `baseline_server`.
struct Comparison {
    heading: &'static str,
    web: Protocol,
    baseline_server: Server,
    baseline: Protocol,
    target: f64,
}

fn comparisons() -> [Comparison; 4] {
    let native = |heading, web| Comparison {
        heading,
        web,
        baseline_server: Server::Greeter,
        baseline: Protocol::NativeGrpc,
        target: NATIVE_TARGET,
    };
    let bare = |heading, web| Comparison {
        heading,
        web,
        baseline_server: Server::BareHyper,
        baseline: web,
        target: BARE_TARGET,
    };
    [
        native("gRPC-Web (HTTP/1.1) / native gRPC", Protocol::GrpcWebHttp1),
        native("gRPC-Web (h2) / native gRPC", Protocol::GrpcWebHttp2),
        bare("gRPC-Web / bare handler, HTTP/1.1", Protocol::GrpcWebHttp1),
        bare("gRPC-Web / bare handler, h2", Protocol::GrpcWebHttp2),
    ]
}

/// A ratio of requests per second between two setups of `load`, when both
/// were measured.
fn ratio(load: &LoadReport, web: &Setup, baseline: &Setup) -> Option<f64> {
    Some(load.stats(web)?.rps / load.stats(baseline)?.rps)
}

/// The block: every setup, then the ratios.
pub fn block(load: &LoadReport) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "{} requests per setup, {} in flight in every setup, server and load generator on the same loopback.\n",
        load.requests, load.concurrency
    );
    let _ = writeln!(
        md,
        "| server | protocol | connections | requests/s | p50 | p99 | errors |\n|---|---|---:|---:|---:|---:|---:|"
    );
    for run in &load.runs {
        let stats = &run.stats;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.0} | {:.0} µs | {:.0} µs | {} |",
            run.setup.server,
            run.setup.protocol,
            run.setup.connections,
            stats.rps,
            stats.p50_us,
            stats.p99_us,
            stats.errors
        );
    }
    ratio_table(&mut md, load);
    md
}

/// Appends the ratios at each connection count, each with its verdict.
fn ratio_table(md: &mut String, load: &LoadReport) {
    let comparisons = comparisons();
    let _ = writeln!(
        md,
        "\nRequests per second, like with like: gRPC-Web on the greeter server against native gRPC \
         at the same connection count (target ≥ {NATIVE_TARGET}x), and against the bare handler at \
         the same connection count and HTTP version (target ≥ {BARE_TARGET}x).\n"
    );
    let headings: Vec<&str> = comparisons.iter().map(|c| c.heading).collect();
    let _ = writeln!(
        md,
        "| connections | {} |\n|---:|{}",
        headings.join(" | "),
        "---:|".repeat(headings.len())
    );
    for connections in load.connection_counts() {
        let _ = write!(md, "| {connections} |");
        for comparison in &comparisons {
            let setup = |server: &Server, protocol| Setup {
                server: server.clone(),
                protocol,
                connections,
            };
            let web = setup(&Server::Greeter, comparison.web);
            let baseline = setup(&comparison.baseline_server, comparison.baseline);
            match ratio(load, &web, &baseline) {
                Some(ratio) => {
                    let met = ratio >= comparison.target;
                    let _ = write!(md, " **{ratio:.2}x** ({}) |", verdict(met));
                }
                None => {
                    let _ = write!(md, " not measured |");
                }
            }
        }
        let _ = writeln!(md);
    }
}

/// The throughput chart's bars: each setup's requests per second, coloured
/// by kind (native gRPC, gRPC-Web, the bare handler, a peer).
pub fn bars(load: &LoadReport) -> Vec<(String, f64, &'static str)> {
    load.runs
        .iter()
        .map(|run| {
            let colour = match (&run.setup.server, run.setup.protocol) {
                (Server::Greeter, Protocol::NativeGrpc) => "#1565c0",
                (Server::Greeter, _) => "#2e7d32",
                (Server::BareHyper, _) => "#90a4ae",
                (Server::Peer { .. }, _) => "#ef6c00",
            };
            (run.setup.to_string(), run.stats.rps, colour)
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use bench_results::{LoadRun, LoadStats};

    /// A run of `setup` measuring `rps`, without errors.
    pub(crate) fn run(server: Server, protocol: Protocol, connections: usize, rps: f64) -> LoadRun {
        LoadRun {
            setup: Setup {
                server,
                protocol,
                connections,
            },
            stats: LoadStats {
                ok: 100,
                errors: 0,
                rps,
                p50_us: 500.0,
                p99_us: 900.0,
            },
        }
    }

    /// At 1 connection gRPC-Web over HTTP/1.1 misses against native gRPC;
    /// everything else is met. 32 connections has no h2 runs.
    fn load() -> LoadReport {
        use Protocol::*;
        use Server::*;
        LoadReport {
            requests: 100,
            concurrency: 32,
            runs: vec![
                run(Greeter, NativeGrpc, 1, 1000.0),
                run(Greeter, GrpcWebHttp1, 1, 500.0),
                run(Greeter, GrpcWebHttp2, 1, 950.0),
                run(BareHyper, GrpcWebHttp1, 1, 800.0),
                run(BareHyper, GrpcWebHttp2, 1, 1500.0),
                run(Greeter, NativeGrpc, 32, 1000.0),
                run(Greeter, GrpcWebHttp1, 32, 2000.0),
                run(BareHyper, GrpcWebHttp1, 32, 3000.0),
            ],
        }
    }

    /// Every setup at 1 and 32 connections, throughput growing with them.
    pub(crate) fn load_at_two_counts() -> LoadReport {
        let runs = [1, 32]
            .into_iter()
            .flat_map(|connections| {
                [
                    (Server::Greeter, Protocol::NativeGrpc),
                    (Server::Greeter, Protocol::GrpcWebHttp1),
                    (Server::Greeter, Protocol::GrpcWebHttp2),
                    (Server::BareHyper, Protocol::GrpcWebHttp1),
                    (Server::BareHyper, Protocol::GrpcWebHttp2),
                ]
                .map(|(server, protocol)| {
                    run(server, protocol, connections, 1000.0 * connections as f64)
                })
            })
            .collect();
        LoadReport {
            requests: 100,
            concurrency: 32,
            runs,
        }
    }

    #[test]
    fn compares_at_equal_connection_counts_only() {
        let mut md = String::new();
        ratio_table(&mut md, &load());
        assert!(
            md.contains(
                "| 1 | **0.50x** (missed) | **0.95x** (met) | **0.62x** (met) | **0.63x** (met) |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| 32 | **2.00x** (met) | not measured | **0.67x** (met) | not measured |"),
            "{md}"
        );
    }

    #[test]
    fn lists_every_setup() {
        let md = block(&load());
        assert!(md.contains("| greeter server | gRPC-Web (h2) | 1 | 950 | 500 µs | 900 µs | 0 |"));
        assert_eq!(md.matches("| greeter server |").count(), 5);
        assert_eq!(md.matches("| bare hyper handler |").count(), 3);
    }

    #[test]
    fn colours_each_kind_of_setup() {
        let mut load = load();
        load.runs.push(run(
            Server::Peer {
                url: "http://127.0.0.1:8080".into(),
            },
            Protocol::GrpcWebHttp1,
            1,
            10.0,
        ));
        let bars = bars(&load);
        assert_eq!(bars.len(), 9);
        assert_eq!(bars[0].0, "greeter server, native gRPC (h2), 1 connection");
        assert_eq!(
            bars[8].0,
            "peer http://127.0.0.1:8080, gRPC-Web (HTTP/1.1), 1 connection"
        );
        let colours: std::collections::HashSet<_> = bars.iter().map(|b| b.2).collect();
        assert_eq!(colours.len(), 4);
    }
}
