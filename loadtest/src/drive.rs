//! Applying a fixed request count at a fixed concurrency.

use crate::grpc_web;
use crate::stats::Run;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use proto::greeter::HelloRequest;
use proto::greeter::greeter_client::GreeterClient;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How much load.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Requests in all.
    pub requests: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
}

/// Runs `call(i)` for i in 0..requests from `concurrency` workers; each
/// call returns whether the answer was right.
async fn drive<F, Fut>(load: Load, call: F) -> Run
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..load.concurrency)
        .map(|_| {
            let (next, call) = (Arc::clone(&next), call.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= load.requests {
                        return latencies;
                    }
                    let began = Instant::now();
                    let ok = call(i).await;
                    latencies.push(ok.then(|| began.elapsed()));
                }
            })
        })
        .collect();
    let mut latencies: Vec<Option<Duration>> = Vec::with_capacity(load.requests);
    for worker in workers {
        latencies.extend(worker.await.expect("a worker panicked"));
    }
    Run::from_latencies(latencies, started.elapsed())
}

/// Native gRPC over one h2 connection.
pub async fn native(load: Load, addr: SocketAddr) -> anyhow::Result<Run> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))?
        .connect()
        .await?;
    let client = GreeterClient::new(channel);
    Ok(drive(load, move |i| {
        let mut client = client.clone();
        async move {
            let name = format!("n{i}");
            match client.say_hello(HelloRequest { name: name.clone() }).await {
                Ok(reply) => reply.into_inner().message == format!("Hello {name}"),
                Err(_) => false,
            }
        }
    })
    .await)
}

/// gRPC-Web binary over HTTP/1.1 keep-alive connections.
pub async fn grpc_web(load: Load, addr: SocketAddr) -> anyhow::Result<Run> {
    let client: Client<_, Full<bytes::Bytes>> = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(load.concurrency)
        .build_http();
    let uri: http::Uri = format!("http://{addr}/greeter.Greeter/SayHello").parse()?;
    Ok(drive(load, move |i| {
        let (client, uri) = (client.clone(), uri.clone());
        async move {
            let name = format!("n{i}");
            let request = http::Request::post(uri)
                .header("content-type", "application/grpc-web+proto")
                .header("x-grpc-web", "1")
                .body(Full::new(grpc_web::request_body(&name)))
                .expect("a valid request");
            let Ok(response) = client.request(request).await else {
                return false;
            };
            let Ok(body) = response.into_body().collect().await else {
                return false;
            };
            grpc_web::greeting(&body.to_bytes()).as_deref()
                == Some(format!("Hello {name}").as_str())
        }
    })
    .await)
}
