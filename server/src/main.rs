//! `cargo run -p server`: parses flags, sets up logs, serves until Ctrl-C or SIGTERM.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use server::cli::Args;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let Args {
        config,
        addr_file,
        initial_fault,
        metrics_addr,
        metrics_public,
    } = Args::parse();
    if let Err(error) = config.validate() {
        Args::command()
            .error(clap::error::ErrorKind::ValueValidation, error)
            .exit();
    }
    let initial_fault = initial_fault.mode();

    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();

    if let Some(addr) = metrics_addr {
        match metrics_endpoint::serve(addr, metrics_public) {
            Ok(()) => tracing::info!("serving metrics at http://{addr}/metrics"),
            Err(error) => {
                tracing::error!("{error}");
                return ExitCode::from(2);
            }
        }
    }

    let faults = server::FaultState::new();
    if initial_fault != server::faults::Mode::Healthy {
        tracing::warn!(
            "SayHello answers {} from the start (--initial-fault)",
            initial_fault.describe()
        );
    }
    faults.set_mode(initial_fault);

    let listener = match tokio::net::TcpListener::bind(config.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!("cannot bind {}: {error}", config.addr);
            return ExitCode::FAILURE;
        }
    };

    if let Some(path) = addr_file
        && let Err(error) = write_addr_file(&path, &listener)
    {
        tracing::error!("cannot write the address to {}: {error}", path.display());
        return ExitCode::FAILURE;
    }

    // First signal: stop accepting, let calls in flight finish. Second: exit now.
    let shutdown = async {
        server::signal::shutdown_signal().await;
        tokio::spawn(async {
            server::signal::shutdown_signal().await;
            tracing::warn!("second signal: exiting without waiting for calls in flight");
            std::process::exit(130);
        });
    };

    match server::serve_with_faults(config, faults, listener, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the address `listener` is bound to into `path`, whole or not at
/// all (written aside, then renamed), for whoever waits for it.
fn write_addr_file(
    path: &std::path::Path,
    listener: &tokio::net::TcpListener,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    std::fs::write(&partial, format!("{addr}\n"))?;
    std::fs::rename(&partial, path)
}
