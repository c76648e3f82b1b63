//! The machine a run measured on, kept with its results so a report
//! written later still names it.

use serde::{Deserialize, Serialize};

/// The cores and CPU of the machine the benchmarks ran on.
///
/// ```
/// let machine = bench_results::Machine::this();
/// assert!(!machine.cpu.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// The cores the run could use.
    pub cores: usize,
    /// The CPU's model name (`/proc/cpuinfo`), or "unknown CPU".
    pub cpu: String,
}

impl Machine {
    /// The machine this runs on.
    pub fn this() -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        Machine {
            cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu,
        }
    }
}
