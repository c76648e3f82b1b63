//! Why a shared breaker could not be made, and why a call to the store did
//! not answer.

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
}

/// Why one call to the store did not answer: the handle then uses its local breaker.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    #[error("no answer within the store timeout of {0:?}")]
    Timeout(std::time::Duration),
    #[error("{0}")]
    Redis(#[from] redis::RedisError),
    #[error("unexpected reply from the breaker script: {0}")]
    Reply(String),
    #[error("the store task ended without an answer")]
    Lost,
}
