//! Why a shared breaker could not be made, and why a call to the store did
//! not answer.

use crate::fingerprint::SettingsConflict;
use crate::settings::SettingsError;

/// Why [`Builder::connect`](crate::Builder::connect) failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The settings cannot run on Redis.
    #[error("{0}")]
    Settings(#[from] SettingsError),
    /// The Redis URL is not one the client understands.
    #[error("redis URL: {0}")]
    Url(#[from] redis::RedisError),
    /// The `redis-cluster://` URL is malformed: what is wrong with it.
    #[error("redis-cluster URL: {0}")]
    ClusterUrl(String),
    /// Fast mode syncs in a task of its own: build it inside a tokio runtime.
    #[error("fast mode needs a tokio runtime to sync in: build the handle inside one")]
    NoRuntime,
}

/// Why one call to the store gave no answer the handle can use: it then
/// uses its local breaker.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("no answer within the store timeout of {0:?}")]
    Timeout(std::time::Duration),
    #[error("{0}")]
    Redis(#[from] redis::RedisError),
    #[error("unexpected reply from the breaker script: {0}")]
    Reply(String),
    #[error("{0}")]
    Settings(SettingsConflict),
    #[error("the store task ended without an answer")]
    Lost,
}

impl StoreError {
    /// What went wrong, in a few words for the log line of a fallback.
    pub(crate) fn what(&self) -> &'static str {
        match self {
            StoreError::Timeout(_) | StoreError::Lost => "Redis did not answer",
            StoreError::Redis(error) => match error.code() {
                Some("WRONGTYPE") => {
                    "the breaker's key holds another type of value (delete it to share again)"
                }
                Some("OOM") => {
                    "Redis is out of memory (maxmemory) and refuses the breaker's writes"
                }
                Some("NOSCRIPT") => "Redis lost the breaker's script and could not load it again",
                Some("NOPERM") => {
                    "Redis does not let this handle run (or load again) the breaker's script"
                }
                _ if error.is_io_error() || error.is_timeout() || error.is_connection_dropped() => {
                    "Redis did not answer"
                }
                // The script failed: a field it cannot read, a command refused.
                _ => "Redis refused the breaker's script",
            },
            StoreError::Reply(_) => "the breaker's script gave a reply it cannot give",
            StoreError::Settings(_) => "the shared breaker runs other settings than this handle's",
        }
    }
}
