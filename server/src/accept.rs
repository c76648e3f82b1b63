//! Accepting connections: at most a fixed number open at once, and a
//! pause (not a spin) when accepting fails for want of resources.
//!
//! Hand-written because neither tokio nor hyper-util ships an accept loop:
//! `accept` failing with `EMFILE` leaves the pending connection in the
//! backlog, so retrying at once fails again at once and burns a core.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The first pause after a failed `accept`; doubled on each failure in a row.
const FIRST_BACKOFF: Duration = Duration::from_millis(10);

/// The longest pause after a failed `accept`.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// A connection accepted, holding one of the open-connection slots until dropped.
#[derive(Debug)]
pub(crate) struct Accepted {
    /// The connection.
    pub(crate) stream: TcpStream,
    /// The peer's address.
    pub(crate) peer: SocketAddr,
    /// Frees the slot when the connection is done.
    pub(crate) slot: OwnedSemaphorePermit,
}

/// Accepts connections from a listener, at most `max` open at once.
#[derive(Debug)]
pub(crate) struct Acceptor {
    listener: TcpListener,
    slots: Arc<Semaphore>,
    backoff: Duration,
}

impl Acceptor {
    /// Accepts from `listener`, `max` connections at most (`max` >= 1).
    pub(crate) fn new(listener: TcpListener, max: usize) -> Self {
        Self {
            listener,
            slots: Arc::new(Semaphore::new(max.min(Semaphore::MAX_PERMITS))),
            backoff: FIRST_BACKOFF,
        }
    }

    /// The next connection, once a slot is free. Never fails: errors are
    /// logged, and those that would recur at once are waited out.
    pub(crate) async fn accept(&mut self) -> Accepted {
        let slot = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .expect("the connection semaphore is never closed");
        loop {
            match self.listener.accept().await {
                Ok((stream, peer)) => {
                    self.backoff = FIRST_BACKOFF;
                    // Small gRPC frames go out at once rather than waiting for more.
                    if let Err(error) = stream.set_nodelay(true) {
                        tracing::debug!("cannot set TCP_NODELAY: {error}");
                    }
                    return Accepted { stream, peer, slot };
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
