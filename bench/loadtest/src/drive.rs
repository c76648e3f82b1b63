//! Applying a fixed request count at a fixed concurrency over a fixed set
//! of connections.

use crate::stats::{Measured, summarize};
use crate::web_client::{Connections, Endpoint};
use bench_results::Protocol;
use proto::greeter::HelloRequest;
use proto::greeter::greeter_client::GreeterClient;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How much load.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Requests in all.
    pub requests: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
}

/// Runs `call(worker, i)` for i in 0..requests from `concurrency` workers;
/// each call returns Ok when the answer was right.
async fn drive<F, Fut>(load: Load, call: F) -> Measured
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let started = Instant::now();
    let workers: Vec<_> = (0..load.concurrency)
        .map(|worker| {
            let (next, call, first_error) =
                (Arc::clone(&next), call.clone(), Arc::clone(&first_error));
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= load.requests {
                        return latencies;
                    }
                    let began = Instant::now();
                    let outcome = call(worker, i).await;
                    latencies.push(outcome.is_ok().then(|| began.elapsed()));
                    if let Err(error) = outcome {
                        let mut first = first_error.lock().expect("no panic while held");
                        first.get_or_insert_with(|| format!("{error:#}"));
                    }
                }
            })
        })
        .collect();
    let mut latencies: Vec<Option<Duration>> = Vec::with_capacity(load.requests);
    for worker in workers {
        latencies.extend(worker.await.expect("a worker panicked"));
    }
    let stats = summarize(&latencies, started.elapsed());
    let first_error = first_error.lock().expect("no panic while held").take();
    Measured { stats, first_error }
}

/// The greeting a server answers to `name`.
fn expected(name: &str) -> String {
    format!("Hello {name}")
}

/// Native gRPC (tonic's client) over `connections` h2 connections.
pub async fn native(load: Load, addr: SocketAddr, connections: usize) -> anyhow::Result<Measured> {
    let mut clients = Vec::with_capacity(connections);
    for _ in 0..connections {
        // Each `connect` opens a connection of its own.
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
            .connect()
            .await?;
        clients.push(GreeterClient::new(channel));
    }
    let clients = Arc::new(clients);
    Ok(drive(load, move |worker, i| {
        let mut client = clients[worker % clients.len()].clone();
        async move {
            let name = format!("n{i}");
            let reply = client
                .say_hello(HelloRequest { name: name.clone() })
                .await?;
            let message = reply.into_inner().message;
            anyhow::ensure!(message == expected(&name), "wrong greeting {message:?}");
            Ok(())
        }
    })
    .await)
}

/// gRPC-Web binary over `connections` connections of `protocol`'s HTTP version.
pub async fn grpc_web(
    load: Load,
    endpoint: Endpoint,
    protocol: Protocol,
    connections: usize,
) -> anyhow::Result<Measured> {
    let connections = Arc::new(match protocol {
        Protocol::GrpcWebHttp1 => Connections::http1(endpoint, connections).await?,
        Protocol::GrpcWebHttp2 => Connections::http2(endpoint, connections).await?,
        Protocol::NativeGrpc => anyhow::bail!("native gRPC is driven by `native`"),
    });
    Ok(drive(load, move |worker, i| {
        let connections = Arc::clone(&connections);
        async move {
            let name = format!("n{i}");
            let message = connections.say_hello(worker, &name).await?;
            anyhow::ensure!(message == expected(&name), "wrong greeting {message:?}");
            Ok(())
        }
    })
    .await)
}
