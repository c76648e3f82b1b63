//! Waiting for the signals that stop the server.

/// Completes on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
///
/// If a signal handler cannot be installed, that signal is logged and
/// ignored (the other one still works).
///
/// ```no_run
/// # async fn run() {
/// server::signal::shutdown_signal().await;
/// println!("stopping");
/// # }
/// ```
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {error}");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::error!("cannot listen for SIGTERM: {error}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received: finishing calls in flight, then stopping"),
        () = terminate => tracing::info!("SIGTERM received: finishing calls in flight, then stopping"),
    }
}
