//! The ceiling: a bare hyper handler (HTTP/1.1 and h2 on one port) that
//! answers every request with the same gRPC-Web bytes the greeter server
//! sends, doing nothing else.

use crate::grpc_web;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use std::net::SocketAddr;

/// Starts the bare handler on a free loopback port; returns where it listens.
pub async fn spawn() -> anyhow::Result<SocketAddr> {
    spawn_answering(grpc_web::response_body).await
}

/// Like [`spawn`], answering each call with `answer("Hello <name>")` as
/// the whole response body.
pub async fn spawn_answering(answer: fn(&str) -> bytes::Bytes) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(
                    |request: hyper::Request<hyper::body::Incoming>| async move {
                        // Read the request like a server must, then answer with
                        // the same bytes the greeter sends.
                        let body = request.into_body().collect().await?.to_bytes();
                        let name = greeting_name(&body);
                        let response = hyper::Response::builder()
                            .header("content-type", "application/grpc-web+proto")
                            .body(Full::new(answer(&format!("Hello {name}"))))
                            .expect("a valid response");
                        Ok::<_, hyper::Error>(response)
                    },
                );
                let _ = stream.set_nodelay(true);
                let _ = auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(addr)
}

fn greeting_name(body: &[u8]) -> String {
    use prost::Message;
    body.get(5..)
        .and_then(|payload| proto::greeter::HelloRequest::decode(payload).ok())
        .map(|request| request.name)
        .unwrap_or_default()
}
