//! Why a client could not be built.

/// Why [`Greeter::new`](crate::Greeter::new) (or [`Balanced::new`](crate::Balanced::new))
/// could not build a client.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The breaker refused the settings.
    #[error("invalid breaker settings: {0}")]
    Settings(#[from] tripbreaker::SettingsError),
    /// The server's address is not a URL the transport can use.
    #[error("invalid server address {0}")]
    Server(String),
    /// The shared breaker's store could not be used (feature `shared-state`).
    #[error("{0}")]
    SharedState(String),
    /// A [`Balanced`](crate::Balanced) client was given no endpoint or a
    /// cap past 100%.
    #[error("{0}")]
    Endpoints(String),
}
