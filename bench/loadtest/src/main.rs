//! `cargo run --release -p loadtest`: the greeter server under load on
//! loopback, one setup after another with the same request count and
//! concurrency. At each connection count (`--connections`, 1 and 32 by
//! default): native gRPC (h2), gRPC-Web binary over HTTP/1.1 and over h2;
//! the same gRPC-Web setups on a bare hyper handler answering the same bytes
//! (the ceiling) and on any other gRPC-Web server named with `--peer`.
//! Prints each setup's figures and, with `--json`, writes them as
//! [`bench_results::LoadReport`].

mod bare;
mod drive;
mod grpc_web;
mod plan;
mod stats;
mod web_client;

use anyhow::{Context, bail, ensure};
use bench_results::{LoadReport, LoadRun, Protocol, Server, Setup};
use clap::Parser;
use server_launcher::{Launch, Output, ServerProcess};
use std::net::SocketAddr;
use std::path::PathBuf;
use web_client::Endpoint;

/// The load to apply.
#[derive(Debug, Parser)]
struct Args {
    /// Requests per setup.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Requests in flight at once, in every setup.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Connection counts to measure each protocol at; the requests in flight
    /// share a setup's connections evenly (each at most `--concurrency`).
    #[arg(long, value_delimiter = ',', default_value = "1,32")]
    connections: Vec<usize>,
    /// HTTP versions the gRPC-Web setups use (`1.1`, `2`); leave out `2` for
    /// a peer that serves HTTP/1.1 only.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "1.1,2")]
    web_http: Vec<plan::WebHttp>,
    /// Another gRPC-Web server to drive in every gRPC-Web setup: its base
    /// URL (`http://host:port`), serving `greeter.Greeter/SayHello` and
    /// answering `Hello <name>`. Repeatable.
    #[arg(long = "peer", value_name = "URL", value_parser = peer_url)]
    peers: Vec<String>,
    /// The server binary (built with `cargo build --release -p server`).
    #[arg(long, default_value = "target/release/server")]
    server: PathBuf,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// A `--peer` URL, once it names an endpoint that can be driven.
fn peer_url(url: &str) -> anyhow::Result<String> {
    Endpoint::new(url)?;
    Ok(url.to_owned())
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
    ensure!(
        !args.connections.is_empty(),
        "no connection count to measure"
    );
    for &connections in &args.connections {
        ensure!(
            (1..=args.concurrency).contains(&connections),
            "--connections {connections}: each count must be between 1 and --concurrency ({})",
            args.concurrency
        );
    }
    let bare_addr = bare::spawn().await?;
    println!(
        "{} requests per setup, {} in flight, server {addr}",
        load.requests, load.concurrency
    );

    let mut report = LoadReport {
        requests: load.requests,
        concurrency: load.concurrency,
        runs: Vec::new(),
    };
    for setup in plan::setups(&args.connections, &args.web_http, &args.peers) {
        let measured = measure(load, &setup, addr, bare_addr)
            .await
            .with_context(|| format!("{setup}"))?;
        let run = LoadRun {
            setup,
            stats: measured.stats,
        };
        println!("{}", stats::line(&run));
        if let Some(error) = measured.first_error {
            eprintln!("  first failure: {error}");
        }
        report.runs.push(run);
    }
    if let Some(path) = args.json {
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
        println!("written to {}", path.display());
    }
    if report.errors() > 0 {
        bail!("{} requests failed", report.errors());
    }
    Ok(())
}

/// Runs one setup against the greeter server at `addr`, the bare handler
/// at `bare_addr`, or its peer.
async fn measure(
    load: drive::Load,
    setup: &Setup,
    addr: SocketAddr,
    bare_addr: SocketAddr,
) -> anyhow::Result<stats::Measured> {
    let endpoint = match &setup.server {
        Server::Greeter if setup.protocol == Protocol::NativeGrpc => {
            return drive::native(load, addr, setup.connections).await;
        }
        Server::Greeter => Endpoint::new(&format!("http://{addr}"))?,
        Server::BareHyper => Endpoint::new(&format!("http://{bare_addr}"))?,
        Server::Peer { url } => Endpoint::new(url)?,
    };
    drive::grpc_web(load, endpoint, setup.protocol, setup.connections).await
}
