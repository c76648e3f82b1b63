//! Accepting connections, with a pause (not a spin) when accepting fails
//! for want of resources.
//!
//! Hand-written because neither tokio nor hyper-util ships an accept loop:
//! `accept` failing with `EMFILE` leaves the pending connection in the
//! backlog, so retrying at once fails again at once and burns a core.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

/// The first pause after a failed `accept`; doubled on each failure in a row.
const FIRST_BACKOFF: Duration = Duration::from_millis(10);

/// The longest pause after a failed `accept`.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Accepts connections from a listener.
#[derive(Debug)]
pub(crate) struct Acceptor {
    listener: TcpListener,
    backoff: Duration,
}

impl Acceptor {
    /// Accepts from `listener`.
    pub(crate) fn new(listener: TcpListener) -> Self {
        Self {
            listener,
            backoff: FIRST_BACKOFF,
        }
    }

    /// The next connection and its peer's address. Never fails: errors are
    /// logged, and those that would recur at once are waited out.
    pub(crate) async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match self.listener.accept().await {
                Ok((stream, peer)) => {
                    self.backoff = FIRST_BACKOFF;
                    // Small gRPC frames go out at once rather than waiting for more.
                    if let Err(error) = stream.set_nodelay(true) {
                        tracing::debug!("cannot set TCP_NODELAY: {error}");
                    }
                    return (stream, peer);
                }
                Err(error) if is_about_one_connection(&error) => {
                    tracing::debug!("a connection failed before it was accepted: {error}");
                }
                Err(error) => {
                    tracing::warn!(
                        "cannot accept connections ({error}); trying again in {:?}",
                        self.backoff
                    );
                    tokio::time::sleep(self.backoff).await;
                    self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }
}

/// Whether `error` concerns only the connection being accepted (the next
/// `accept` may well succeed), rather than the process or the system
/// (out of file descriptors, of memory, of buffers).
fn is_about_one_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_errors_are_not_about_one_connection() {
        assert!(is_about_one_connection(&io::Error::from(
            io::ErrorKind::ConnectionAborted
        )));
        // EMFILE (24) and ENFILE (23) on Linux.
        assert!(!is_about_one_connection(&io::Error::from_raw_os_error(24)));
        assert!(!is_about_one_connection(&io::Error::from_raw_os_error(23)));
        assert!(!is_about_one_connection(&io::Error::from(
            io::ErrorKind::OutOfMemory
        )));
    }
}
