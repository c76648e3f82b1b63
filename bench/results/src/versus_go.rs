//! What `versus-go` measures: the project's server against a grpc-go
//! Greeter under h2load, and the instructions per call callgrind counts for
//! the server and a bare tonic Greeter.

use serde::{Deserialize, Serialize};

/// A server under load, and the protocol it is driven with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Contender {
    /// This project's server, native gRPC.
    Server,
    /// This project's server, gRPC-Web over h2.
    ServerGrpcWeb,
    /// The grpc-go Greeter (bench/go-greeter), native gRPC.
    GrpcGo,
    /// A tonic Greeter with no layers (bench/versus-go's `bare-greeter`), native gRPC.
    BareTonic,
}

impl Contender {
    /// How BENCHMARKS.md names it.
    pub fn label(self) -> &'static str {
        match self {
            Contender::Server => "this server (native gRPC)",
            Contender::ServerGrpcWeb => "this server, gRPC-Web over h2",
            Contender::GrpcGo => "grpc-go",
            Contender::BareTonic => "bare tonic (no layers)",
        }
    }
}

/// How h2load spreads its calls: connections, and streams in flight on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streams {
    /// Connections h2load opens.
    pub connections: u32,
    /// Streams in flight per connection.
    pub per_connection: u32,
}

/// The calls per second of one contender at one spread, one per repetition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersusGoRow {
    /// The spread of the calls.
    pub streams: Streams,
    /// The server and protocol.
    pub contender: Contender,
    /// Calls per second of each repetition, every call answered.
    pub per_second: Vec<f64>,
}

impl VersusGoRow {
    /// The median of the repetitions (NaN with none).
    pub fn median(&self) -> f64 {
        let mut sorted = self.per_second.clone();
        sorted.sort_by(f64::total_cmp);
        match sorted.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => sorted[n / 2],
            n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        }
    }
}

/// The instructions one contender runs per call, counted by callgrind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstructionCount {
    /// The server counted.
    pub contender: Contender,
    /// The layers the server ran without (its `--bench-without`, as
    /// written there); empty for the whole server.
    #[serde(default)]
    pub without: Vec<String>,
    /// Calls between the two counts the figure is the difference of.
    pub calls: u64,
    /// Instructions per call, start-up and shutdown taken out.
    pub per_call: f64,
}

/// Everything one `versus-go` run measured.
///
/// ```
/// use bench_results::{Contender, Streams, VersusGoReport, VersusGoRow};
///
/// let streams = Streams { connections: 1, per_connection: 32 };
/// let row = |contender, per_second: Vec<f64>| VersusGoRow { streams, contender, per_second };
/// let report = VersusGoReport {
///     requests: 100_000,
///     rows: vec![row(Contender::Server, vec![3.0, 1.0, 2.0]), row(Contender::GrpcGo, vec![4.0])],
///     instructions: vec![],
/// };
/// assert_eq!(report.median(streams, Contender::Server), Some(2.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersusGoReport {
    /// Calls per repetition.
    pub requests: u64,
    /// One row per spread and contender.
    pub rows: Vec<VersusGoRow>,
    /// Instructions per call, one per contender counted.
    pub instructions: Vec<InstructionCount>,
}

impl VersusGoReport {
    /// The median calls per second of `contender` at `streams`.
    pub fn median(&self, streams: Streams, contender: Contender) -> Option<f64> {
        self.rows
            .iter()
            .find(|row| row.streams == streams && row.contender == contender)
            .map(VersusGoRow::median)
    }

    /// The instructions per call of `contender`, whole.
    pub fn per_call(&self, contender: Contender) -> Option<f64> {
        self.instructions
            .iter()
            .find(|count| count.contender == contender && count.without.is_empty())
            .map(|count| count.per_call)
    }
}
