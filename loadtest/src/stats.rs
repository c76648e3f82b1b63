//! Throughput and latency figures.

use serde::Serialize;
use std::time::Duration;

/// What one protocol's run measured.
#[derive(Debug, Serialize)]
pub struct Run {
    /// Requests answered as expected (the name came back).
    pub ok: usize,
    /// Requests that failed or got a wrong answer.
    pub errors: usize,
    /// Requests per second over the whole run.
    pub rps: f64,
    /// Median latency, in microseconds.
    pub p50_us: f64,
    /// 99th percentile latency, in microseconds.
    pub p99_us: f64,
}

impl Run {
    /// Figures from each request's latency (`None` for a failed one) and the run's wall time.
    pub fn from_latencies(latencies: Vec<Option<Duration>>, wall: Duration) -> Run {
        let mut ok: Vec<Duration> = latencies.iter().flatten().copied().collect();
        ok.sort_unstable();
        let percentile = |p: f64| {
            ok.get(((ok.len() as f64 * p) as usize).min(ok.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1e6)
        };
        Run {
            ok: ok.len(),
            errors: latencies.len() - ok.len(),
            rps: ok.len() as f64 / wall.as_secs_f64(),
            p50_us: percentile(0.50),
            p99_us: percentile(0.99),
        }
    }
}

/// All three runs.
#[derive(Debug, Serialize)]
pub struct Results {
    /// Requests per protocol.
    pub requests: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Native gRPC over h2.
    pub native: Run,
    /// gRPC-Web over HTTP/1.1.
    pub grpc_web: Run,
    /// The bare hyper handler over HTTP/1.1.
    pub bare: Run,
}

impl Results {
    /// Failed requests over all runs.
    pub fn errors(&self) -> usize {
        self.native.errors + self.grpc_web.errors + self.bare.errors
    }

    /// A Markdown table of the runs and the ratios.
    pub fn table(&self) -> String {
        let row = |name: &str, run: &Run| {
            format!(
                "| {name} | {:.0} | {:.0} | {:.0} | {} |\n",
                run.rps, run.p50_us, run.p99_us, run.errors
            )
        };
        format!(
            "| protocol | requests/s | p50 (µs) | p99 (µs) | errors |\n|---|---:|---:|---:|---:|\n{}{}{}\n\
             gRPC-Web / native gRPC: {:.2}x requests/s; gRPC-Web / bare hyper: {:.2}x",
            row("native gRPC (h2)", &self.native),
            row("gRPC-Web (HTTP/1.1)", &self.grpc_web),
            row("bare hyper handler (HTTP/1.1)", &self.bare),
            self.grpc_web.rps / self.native.rps,
            self.grpc_web.rps / self.bare.rps,
        )
    }
}
