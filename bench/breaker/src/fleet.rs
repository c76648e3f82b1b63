//! What the `shared_state` benchmark and its `fleet-process` children say
//! to each other, one line at a time: the child prints [`READY`] once
//! warmed up, calls from [`GO`] to [`STOP`] (on its stdin), then prints
//! [`calls_line`].

/// Child to benchmark: warmed up, waiting for [`GO`].
pub const READY: &str = "ready";
/// Benchmark to child: start calling.
pub const GO: &str = "go";
/// Benchmark to child: stop calling and say how many calls were made.
pub const STOP: &str = "stop";

/// Child to benchmark: the guarded calls made between [`GO`] and [`STOP`].
pub fn calls_line(calls: u64) -> String {
    format!("calls {calls}")
}

/// The count in a [`calls_line`].
///
/// ```
/// use breaker_bench::fleet::{calls_line, parse_calls};
/// assert_eq!(parse_calls(&calls_line(42)), Some(42));
/// assert_eq!(parse_calls("ready"), None);
/// ```
pub fn parse_calls(line: &str) -> Option<u64> {
    line.strip_prefix("calls ")?.parse().ok()
}
