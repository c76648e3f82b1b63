//! gRPC-Web calls over a fixed set of connections, opened before a run so a
//! setup uses exactly the connections it names (a pooled client opens
//! another connection whenever all of its own are busy).

use crate::grpc_web;
use anyhow::{Context, bail, ensure};
use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// The method every call invokes.
const SAY_HELLO: &str = "/greeter.Greeter/SayHello";

/// Where the calls go: SayHello under a server's base URL.
#[derive(Debug, Clone)]
pub struct Endpoint {
    authority: Authority,
    path: PathAndQuery,
}

impl Endpoint {
    /// SayHello under `base` (`http://host:port`, optionally with a path
    /// prefix). Only cleartext `http`: the benchmark measures the servers,
    /// not TLS.
    pub fn new(base: &str) -> anyhow::Result<Endpoint> {
        let uri: http::Uri = base
            .parse()
            .with_context(|| format!("{base:?} is not a URL"))?;
        ensure!(
            uri.scheme() == Some(&Scheme::HTTP),
            "{base}: only http:// URLs can be driven"
        );
        ensure!(uri.query().is_none(), "{base}: a base URL has no query");
        let authority = uri
            .authority()
            .with_context(|| format!("{base}: no host"))?
            .clone();
        let prefix = uri.path().trim_end_matches('/');
        Ok(Endpoint {
            authority,
            path: format!("{prefix}{SAY_HELLO}").parse()?,
        })
    }

    async fn connect(&self) -> anyhow::Result<TokioIo<TcpStream>> {
        let port = self.authority.port_u16().unwrap_or(80);
        let stream = TcpStream::connect((self.authority.host(), port))
            .await
            .with_context(|| format!("cannot connect to {}", self.authority))?;
        // As tonic's client does: a call is one small write each way.
        stream.set_nodelay(true)?;
        Ok(TokioIo::new(stream))
    }
}

/// Open connections to one endpoint, all of one HTTP version.
pub enum Connections {
    /// HTTP/1.1: one call at a time on each connection.
    Http1(Endpoint, Vec<Mutex<http1::SendRequest<Full<Bytes>>>>),
    /// HTTP/2 (cleartext, prior knowledge): calls multiplexed on each.
    Http2(Endpoint, Vec<http2::SendRequest<Full<Bytes>>>),
}

impl Connections {
    /// Opens `count` HTTP/1.1 connections to `endpoint`.
    pub async fn http1(endpoint: Endpoint, count: usize) -> anyhow::Result<Connections> {
        let mut senders = Vec::with_capacity(count);
        for _ in 0..count {
            let (sender, connection) = http1::handshake(endpoint.connect().await?).await?;
            tokio::spawn(connection);
            senders.push(Mutex::new(sender));
        }
        Ok(Connections::Http1(endpoint, senders))
    }

    /// Opens `count` HTTP/2 connections to `endpoint`.
    pub async fn http2(endpoint: Endpoint, count: usize) -> anyhow::Result<Connections> {
        let mut senders = Vec::with_capacity(count);
        for _ in 0..count {
            let (sender, connection) =
                http2::handshake(TokioExecutor::new(), endpoint.connect().await?).await?;
            tokio::spawn(connection);
            senders.push(sender);
        }
        Ok(Connections::Http2(endpoint, senders))
    }

    /// Calls SayHello(`name`) on the connection assigned to `worker`;
    /// returns the greeting, or why there is none.
    pub async fn say_hello(&self, worker: usize, name: &str) -> anyhow::Result<String> {
        let body = match self {
            Connections::Http1(endpoint, senders) => {
                // HTTP/1.1 names the path on the request line, the host apart.
                let request = request(endpoint.path.as_str().parse()?)
                    .header(http::header::HOST, endpoint.authority.as_str())
                    .body(Full::new(grpc_web::request_body(name)))?;
                let mut sender = senders[worker % senders.len()].lock().await;
                sender.ready().await?;
                // The body is read before the connection is let go: HTTP/1.1
                // answers one call at a time, in order.
                collect(sender.send_request(request).await?).await?
            }
            Connections::Http2(endpoint, senders) => {
                let uri = http::Uri::builder()
                    .scheme(Scheme::HTTP)
                    .authority(endpoint.authority.clone())
                    .path_and_query(endpoint.path.clone())
                    .build()?;
                let request = request(uri).body(Full::new(grpc_web::request_body(name)))?;
                let mut sender = senders[worker % senders.len()].clone();
                sender.ready().await?;
                collect(sender.send_request(request).await?).await?
            }
        };
        grpc_web::greeting(&body)
    }
}

/// The headers of a gRPC-Web call to `uri`; the caller adds the body.
fn request(uri: http::Uri) -> http::request::Builder {
    http::Request::post(uri)
        .header(http::header::CONTENT_TYPE, "application/grpc-web+proto")
        .header("x-grpc-web", "1")
}

/// The whole body of a gRPC-Web answer, once its status line and headers
/// say it is one.
async fn collect(response: http::Response<hyper::body::Incoming>) -> anyhow::Result<Bytes> {
    if response.status() != http::StatusCode::OK {
        bail!("HTTP status {}", response.status());
    }
    if response.headers().contains_key("grpc-status") {
        // A trailers-only answer carries its status in the headers.
        grpc_web::check_status(response.headers())?;
    }
    Ok(response.into_body().collect().await?.to_bytes())
}
