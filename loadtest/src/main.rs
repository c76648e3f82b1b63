//! `cargo run --release -p loadtest`: the greeter server under load on
//! loopback, one protocol after another with the same request count and
//! concurrency: native gRPC (h2, one multiplexed connection), gRPC-Web
//! binary over HTTP/1.1 (a pool of keep-alive connections), and a bare hyper
//! handler answering the same gRPC-Web bytes over the same client (the
//! ceiling). Prints a table and, with `--json`, writes the figures.

mod bare;
mod drive;
mod grpc_web;
mod stats;

use anyhow::{Context, bail};
use clap::Parser;
use server_launcher::{Launch, Output, ServerProcess};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The load to apply.
#[derive(Debug, Parser)]
struct Args {
    /// Requests per protocol.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// The server binary (built with `cargo build --release -p server`).
    #[arg(long, default_value = "target/release/server")]
    server: PathBuf,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn start_server(binary: &PathBuf) -> anyhow::Result<(ServerProcess, SocketAddr)> {
    let server = Launch::new(binary)
        .args(["--faults", "off", "--max-concurrent-requests", "1024"])
        .env("RUST_LOG", "error")
        .output(Output::Discard)
        .start()
        .with_context(|| {
            format!(
                "cannot start {} (build it with `cargo build --release -p server`)",
                binary.display()
            )
        })?;
    let addr = server.addr();
    Ok((server, addr))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (_server, addr) = start_server(&args.server)?;
    let load = drive::Load {
        requests: args.requests,
        concurrency: args.concurrency,
    };
    println!(
        "{} requests per protocol, {} in flight, server {addr}",
        load.requests, load.concurrency
    );

    let native = drive::native(load, addr).await?;
    let grpc_web = drive::grpc_web(load, addr).await?;
    let bare_addr = bare::spawn(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let bare = drive::grpc_web(load, bare_addr).await?;

    let results = stats::Results {
        requests: load.requests,
        concurrency: load.concurrency,
        native,
        grpc_web,
        bare,
    };
    println!("{}", results.table());
    if let Some(path) = args.json {
        std::fs::write(&path, serde_json::to_string_pretty(&results)?)?;
        println!("written to {}", path.display());
    }
    if results.errors() > 0 {
        bail!("{} requests failed", results.errors());
    }
    Ok(())
}
