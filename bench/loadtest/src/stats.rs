//! Throughput and latency figures from each request's latency.

use bench_results::{LoadRun, LoadStats};
use std::time::Duration;

/// What one setup's run measured, and the first failure seen (to say why
/// requests failed).
#[derive(Debug)]
pub struct Measured {
    /// The figures.
    pub stats: LoadStats,
    /// The first failed request's reason, if any failed.
    pub first_error: Option<String>,
}

/// Figures from each request's latency (`None` for a failed one) and the
/// run's wall time.
pub fn summarize(latencies: &[Option<Duration>], wall: Duration) -> LoadStats {
    let mut ok: Vec<Duration> = latencies.iter().flatten().copied().collect();
    ok.sort_unstable();
    let percentile = |p: f64| {
        ok.get(((ok.len() as f64 * p) as usize).min(ok.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    LoadStats {
        ok: ok.len(),
        errors: latencies.len() - ok.len(),
        rps: ok.len() as f64 / wall.as_secs_f64(),
        p50_us: percentile(0.50),
        p99_us: percentile(0.99),
    }
}

/// One line for the terminal: the setup and its figures.
pub fn line(run: &LoadRun) -> String {
    let LoadStats {
        rps,
        p50_us,
        p99_us,
        errors,
        ..
    } = run.stats;
    format!(
        "{}: {rps:.0} requests/s, p50 {p50_us:.0} µs, p99 {p99_us:.0} µs, {errors} errors",
        run.setup
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_failures_apart_from_the_latencies() {
        let ms = Duration::from_millis;
        let mut latencies: Vec<Option<Duration>> = (1..=100).map(|i| Some(ms(i))).collect();
        latencies.push(None);
        let stats = summarize(&latencies, Duration::from_secs(2));
        assert_eq!((stats.ok, stats.errors), (100, 1));
        assert_eq!(stats.rps, 50.0);
        assert_eq!(stats.p50_us, 51_000.0);
        assert_eq!(stats.p99_us, 100_000.0);
    }

    #[test]
    fn all_failed_is_zero_not_a_panic() {
        let stats = summarize(&[None, None], Duration::from_secs(1));
        assert_eq!((stats.ok, stats.errors, stats.rps), (0, 2, 0.0));
        assert_eq!((stats.p50_us, stats.p99_us), (0.0, 0.0));
    }
}
