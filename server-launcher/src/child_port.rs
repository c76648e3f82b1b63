//! A loopback port for a child process that must be told its port and
//! cannot report one it chose (redis-server, chromedriver, `trunk serve`).

use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};

/// Where the ports handed out are taken from: below Linux's default
/// ephemeral range (32768 to 60999), from which every port-0 bind of the
/// tests and their servers comes.
const RANGE: std::ops::Range<u32> = 20_000..32_000;

/// Ports tried before giving up.
const TRIES: u32 = 2_000;

/// How far into [`RANGE`] this process has got.
static NEXT: AtomicU32 = AtomicU32::new(0);

/// A loopback port that is free now, for a child process to bind.
///
/// A port freed by a dropped listener is from the ephemeral range: a
/// server another test starts meanwhile on port 0 may be given it before
/// the child binds it. The ports here are outside that range, so only
/// another caller of this function could race for one, and each process
/// walks the range from its own starting point, one port per call.
///
/// ```
/// let port = server_launcher::child_port().expect("a free port");
/// assert!(std::net::TcpListener::bind(("127.0.0.1", port)).is_ok());
/// ```
pub fn child_port() -> std::io::Result<u16> {
    let span = RANGE.end - RANGE.start;
    let start = std::process::id().wrapping_mul(7_919) % span;
    let candidates = (0..TRIES).map(|_| {
        let offset = (start + NEXT.fetch_add(1, Ordering::Relaxed)) % span;
        (RANGE.start + offset) as u16
    });
    first_free(candidates, |port| {
        TcpListener::bind(("127.0.0.1", port)).is_ok()
    })
}

/// The first of `candidates` that is `free`.
fn first_free(
    mut candidates: impl Iterator<Item = u16>,
    free: impl Fn(u16) -> bool,
) -> std::io::Result<u16> {
    candidates.find(|&port| free(port)).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            format!("no free loopback port in {RANGE:?} after {TRIES} tries"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_free_outside_the_ephemeral_range_and_not_handed_out_twice() {
        let ports: Vec<u16> = (0..50).map(|_| child_port().unwrap()).collect();
        for &port in &ports {
            assert!(RANGE.contains(&u32::from(port)), "{port}");
            assert!(
                bindable_soon(port),
                "{port} was handed out but cannot be bound"
            );
        }
        let mut unique = ports.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ports.len(), "{ports:?}");
    }

    /// Whether `port` can be bound within a second. The other tests here
    /// spawn processes: a child forked while `child_port` probes a port holds
    /// a copy of the probe's socket until it execs, for a moment.
    fn bindable_soon(port: u16) -> bool {
        (0..100).any(|_| {
            let bound = TcpListener::bind(("127.0.0.1", port)).is_ok();
            if !bound {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            bound
        })
    }

    #[test]
    fn ports_in_use_are_skipped_and_none_free_is_an_error() {
        let in_use = [20_000, 20_001];
        let free = |port| !in_use.contains(&port);
        assert_eq!(first_free(20_000..20_003, free).unwrap(), 20_002);
        let err = first_free(20_000..20_002, free).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    }
}
