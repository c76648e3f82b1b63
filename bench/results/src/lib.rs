//! The benchmark results that `loadtest`, `page-weight`, e2e's
//! `page_timing` test, the `shared_state` benchmark and `versus-go` write and
//! `bench-report` reads to regenerate BENCHMARKS.md, where they are kept
//! ([`ResultFiles`]), and the page's size record from before its size cuts.
//!
//! Writer and reader share these types, so a field is renamed in one place
//! and the compiler finds every use; the files are these types serialized
//! with `serde_json`.
//!
//! ```
//! use bench_results::{LoadReport, LoadRun, LoadStats, Protocol, Server, Setup};
//!
//! let setup = Setup { server: Server::Greeter, protocol: Protocol::GrpcWebHttp1, connections: 32 };
//! let stats = LoadStats { ok: 100, errors: 0, rps: 5000.0, p50_us: 600.0, p99_us: 1800.0 };
//! let report = LoadReport { requests: 100, concurrency: 32, runs: vec![LoadRun { setup: setup.clone(), stats }] };
//! assert_eq!(report.stats(&setup).map(|s| s.ok), Some(100));
//! assert_eq!(setup.to_string(), "greeter server, gRPC-Web (HTTP/1.1), 32 connections");
//! ```

mod files;
mod load;
mod machine;
mod page;
mod page_size;
mod shared_state;
mod versus_go;

pub use files::{ResultFiles, workspace_root};
pub use load::{LoadReport, LoadRun, LoadStats, Protocol, Server, Setup};
pub use machine::Machine;
pub use page::{PageTiming, Throttle};
pub use page_size::{FileSize, Floor, PageSize, PageSizeRecord, PageWeight, Share, SizeBreakdown};
pub use shared_state::{
    Callers, CommandCount, FleetRow, Guard, SharedStateReport, SharedStateRow, TripRow,
};
pub use versus_go::{Contender, InstructionCount, Streams, VersusGoReport, VersusGoRow};
