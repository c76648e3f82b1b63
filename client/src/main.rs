//! `cargo run -p client`: the Go demo, replayed through the breaker.

use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;

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
    match client::run(&config, Arc::new(|line: &str| println!("{line}"))).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("client: {error:#}");
            ExitCode::FAILURE
        }
    }
}
