//! `cargo run -p client`: the Go demo, replayed through the breaker (or,
//! with `--calls N`, N calls at a steady pace; or, with `force …`, the
//! shared breaker steered).

use clap::{CommandFactory, Parser};
use std::io::{ErrorKind, Write};
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use tokio::sync::Notify;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let config = client::Config::parse();
    if let Some(client::Command::Force(command)) = &config.command {
        return match client::force::run(command).await {
            Ok(done) => {
                println!("{done}");
                ExitCode::SUCCESS
            }
            Err(error) => failed(&error),
        };
    }
    if let Some(addr) = config.metrics_addr {
        match metrics_endpoint::serve(addr, config.metrics_public) {
            Ok(()) => tracing::info!("serving metrics at http://{addr}/metrics"),
            Err(error) => {
                eprintln!("client: {error}");
                return ExitCode::from(2);
            }
        }
    }
    let stdout = Stdout::default();
    let printer = stdout.printer();
    let run = async {
        match config.calls {
            Some(calls) => client::repeat(&config, calls, printer).await.map(drop),
            None => client::run(&config, printer).await.map(drop),
        }
    };
    tokio::select! {
        result = run => match result {
            Ok(_) => ExitCode::SUCCESS,
            Err(error) => failed(&error),
        },
        () = stdout.closed.notified() => match stdout.error.get() {
            // The reader went away (`client | head -1`): nothing is wrong.
            Some(ErrorKind::BrokenPipe) | None => ExitCode::SUCCESS,
            Some(kind) => {
                eprintln!("client: cannot write to stdout: {kind}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Reports `error` on stderr: a [`client::UsageError`] as clap reports the
/// flags it refuses, with its exit code (2); anything else with exit code 1.
fn failed(error: &anyhow::Error) -> ExitCode {
    match error.downcast_ref::<client::UsageError>() {
        Some(usage) => {
            let error =
                client::Config::command().error(clap::error::ErrorKind::ArgumentConflict, usage);
            let _ = error.print();
            ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2))
        }
        None => {
            eprintln!("client: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The demo's lines go to stdout; the first failed write stops the demo
/// (the `println!` macro would panic instead).
#[derive(Default, Clone)]
struct Stdout {
    closed: Arc<Notify>,
    error: Arc<OnceLock<ErrorKind>>,
}

impl Stdout {
    fn printer(&self) -> client::demo::Printer {
        let this = self.clone();
        Arc::new(move |line: &str| {
            let mut out = std::io::stdout().lock();
            if let Err(error) = writeln!(out, "{line}").and_then(|()| out.flush()) {
                let _ = this.error.set(error.kind());
                this.closed.notify_one();
            }
        })
    }
}
