//! Instructions per call, counted by callgrind: stable where wall-clock
//! figures are not, on a shared machine. A server runs under callgrind for
//! a few calls and again for more; the difference of the two totals over
//! the difference of calls leaves start-up and shutdown out.

use crate::h2load::{check_one_call, h2load, start};
use anyhow::{Context, ensure};
use bench_results::{Contender, Streams};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Calls of the shorter of the two runs.
const WARM_CALLS: u64 = 1_000;

/// The spread of the counted calls.
const STREAMS: Streams = Streams {
    connections: 1,
    per_connection: 32,
};

/// How long a server under callgrind gets to write its counts once stopped.
const DUMP_WAIT: Duration = Duration::from_secs(120);

/// The instructions per call of `binary`, over `calls` calls, the
/// project's server without the layers `without` names.
pub fn per_call(
    binary: &Path,
    contender: Contender,
    without: &[&str],
    calls: u64,
) -> anyhow::Result<f64> {
    let few = total(binary, contender, without, WARM_CALLS)?;
    let more = total(binary, contender, without, WARM_CALLS + calls)?;
    Ok((more - few) as f64 / calls as f64)
}

/// The instructions `binary` ran in all, answering one checked call and `calls` more.
fn total(binary: &Path, contender: Contender, without: &[&str], calls: u64) -> anyhow::Result<u64> {
    let out = std::env::temp_dir().join(format!("versus-go-{}.callgrind", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let out_flag = format!("--callgrind-out-file={}", out.display());
    let wrapper = ["valgrind", "--tool=callgrind", "--quiet", &out_flag];
    let server = start(&wrapper, binary, contender, without)?;
    check_one_call(&server, contender)?;
    h2load(&server, contender, STREAMS, calls)?;
    // SIGTERM, not the launcher's SIGKILL: callgrind writes its counts on exit.
    let status = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()?;
    ensure!(status.success(), "cannot stop {}", contender.label());
    let started = Instant::now();
    loop {
        if let Some(total) = std::fs::read_to_string(&out)
            .ok()
            .as_deref()
            .and_then(totals)
        {
            return Ok(total);
        }
        ensure!(
            started.elapsed() < DUMP_WAIT,
            "{} under callgrind wrote no counts",
            contender.label()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The instruction total of a callgrind output file, once it is complete.
fn totals(file: &str) -> Option<u64> {
    let line = file.lines().find(|l| l.starts_with("totals:"))?;
    line.split_whitespace()
        .nth(1)?
        .parse()
        .ok()
        .context("")
        .ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_totals_line() {
        assert_eq!(
            super::totals("events: Ir\nfn=main\n1 5\ntotals: 1234\n"),
            Some(1234)
        );
        assert_eq!(super::totals("events: Ir\nfn=main\n"), None);
    }
}
