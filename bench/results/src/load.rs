//! What `loadtest` measures: each setup (server, protocol, connections)
//! under the same request count and concurrency.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One `loadtest` run: every setup it measured, under the same load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    /// Requests sent in each setup.
    pub requests: usize,
    /// Requests in flight at once, in every setup.
    pub concurrency: usize,
    /// Each setup's figures, in the order they were measured.
    pub runs: Vec<LoadRun>,
}

impl LoadReport {
    /// The figures measured for `setup`, if it was measured.
    pub fn stats(&self, setup: &Setup) -> Option<&LoadStats> {
        self.runs
            .iter()
            .find(|run| run.setup == *setup)
            .map(|run| &run.stats)
    }

    /// The connection counts measured, ascending, each once.
    pub fn connection_counts(&self) -> Vec<usize> {
        let mut counts: Vec<usize> = self.runs.iter().map(|run| run.setup.connections).collect();
        counts.sort_unstable();
        counts.dedup();
        counts
    }

    /// Failed requests over all setups.
    pub fn errors(&self) -> usize {
        self.runs.iter().map(|run| run.stats.errors).sum()
    }
}

/// One setup and what it measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadRun {
    /// What was driven, and how.
    pub setup: Setup,
    /// What it measured.
    pub stats: LoadStats,
}

/// What is driven, and how: the server, the protocol and the number of
/// connections the requests share.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Setup {
    /// The server answering.
    pub server: Server,
    /// The protocol and HTTP version the calls use.
    pub protocol: Protocol,
    /// Connections opened before the run; the requests in flight share
    /// them evenly.
    pub connections: usize,
}

/// The server a setup drives.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Server {
    /// This project's greeter server (its release binary).
    Greeter,
    /// A bare hyper handler answering the greeter's gRPC-Web bytes and doing
    /// nothing else: the ceiling for gRPC-Web.
    BareHyper,
    /// Another gRPC-Web server serving `greeter.Greeter/SayHello`, by URL.
    Peer {
        /// Its base URL (`http://host:port`).
        url: String,
    },
}

/// The protocol of a setup's calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// gRPC over HTTP/2 (tonic's client).
    NativeGrpc,
    /// gRPC-Web binary over HTTP/1.1: one call at a time per connection.
    GrpcWebHttp1,
    /// gRPC-Web binary over HTTP/2 (cleartext, prior knowledge): calls
    /// multiplexed on each connection.
    GrpcWebHttp2,
}

/// Throughput and latency of one setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadStats {
    /// Requests answered as expected (the name came back with status 0).
    pub ok: usize,
    /// Requests that failed or got a wrong answer.
    pub errors: usize,
    /// Answered requests per second over the setup's wall time.
    pub rps: f64,
    /// Median latency of the answered requests, in µs.
    pub p50_us: f64,
    /// 99th percentile latency of the answered requests, in µs.
    pub p99_us: f64,
}

impl fmt::Display for Setup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.connections == 1 { "" } else { "s" };
        write!(
            f,
            "{}, {}, {} connection{plural}",
            self.server, self.protocol, self.connections
        )
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Server::Greeter => f.write_str("greeter server"),
            Server::BareHyper => f.write_str("bare hyper handler"),
            Server::Peer { url } => write!(f, "peer {url}"),
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::NativeGrpc => "native gRPC (h2)",
            Protocol::GrpcWebHttp1 => "gRPC-Web (HTTP/1.1)",
            Protocol::GrpcWebHttp2 => "gRPC-Web (h2)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report as loadtest writes it: the file format these types pin.
    const REPORT: &str = r#"{
        "requests": 11,
        "concurrency": 32,
        "runs": [
            {"setup": {"server": "greeter", "protocol": "native_grpc", "connections": 32},
             "stats": {"ok": 10, "errors": 1, "rps": 3.0, "p50_us": 1.0, "p99_us": 2.0}},
            {"setup": {"server": "greeter", "protocol": "native_grpc", "connections": 1},
             "stats": {"ok": 10, "errors": 1, "rps": 1.0, "p50_us": 1.0, "p99_us": 2.0}},
            {"setup": {"server": {"peer": {"url": "http://127.0.0.1:8080"}},
                       "protocol": "grpc_web_http2", "connections": 1},
             "stats": {"ok": 10, "errors": 1, "rps": 2.0, "p50_us": 1.0, "p99_us": 2.0}}
        ]
    }"#;

    fn report() -> LoadReport {
        serde_json::from_str(REPORT).expect("loadtest's format")
    }

    #[test]
    fn survives_a_json_round_trip() {
        let report = report();
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(serde_json::from_str::<LoadReport>(&json).unwrap(), report);
    }

    #[test]
    fn finds_a_setup_by_every_field() {
        let report = report();
        let find = |server, protocol, connections| {
            report
                .stats(&Setup {
                    server,
                    protocol,
                    connections,
                })
                .map(|stats| stats.rps)
        };
        assert_eq!(find(Server::Greeter, Protocol::NativeGrpc, 1), Some(1.0));
        assert_eq!(find(Server::Greeter, Protocol::NativeGrpc, 32), Some(3.0));
        assert_eq!(find(Server::Greeter, Protocol::GrpcWebHttp2, 1), None);
        let peer = |url: &str| Server::Peer { url: url.into() };
        assert_eq!(
            find(peer("http://127.0.0.1:8080"), Protocol::GrpcWebHttp2, 1),
            Some(2.0)
        );
        assert_eq!(
            find(peer("http://127.0.0.1:9090"), Protocol::GrpcWebHttp2, 1),
            None
        );
    }

    #[test]
    fn sums_errors_and_lists_connection_counts_once() {
        let report = report();
        assert_eq!(report.errors(), 3);
        assert_eq!(report.connection_counts(), vec![1, 32]);
    }
}
