//! What can go wrong starting or running the server.

use std::net::SocketAddr;

/// An error starting or running the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be bound (in use, not local, no permission…).
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The listener's own address could not be read.
    #[error("cannot read the listener's address: {0}")]
    LocalAddr(std::io::Error),
    /// An allowed origin in the configuration is not an origin.
    #[error("invalid allowed origin {origin:?}: {reason}")]
    InvalidOrigin {
        /// The origin as configured.
        origin: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Another setting is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The task running a spawned server panicked or was cancelled.
    #[error("server task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}
