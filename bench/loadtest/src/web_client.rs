//! gRPC-Web calls over a fixed set of connections, opened before a run so a
//! setup uses exactly the connections it names (a pooled client opens
//! another connection whenever all of its own are busy).

use crate::grpc_web;
use anyhow::{Context, bail, ensure};
use bytes::Bytes;
use http::uri::{Authority, Scheme};
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
    /// The path alone, as an HTTP/1.1 request line names it.
    origin_form: http::Uri,
    /// Scheme, authority and path, as h2 names them.
    absolute: http::Uri,
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
        let path = format!("{}{SAY_HELLO}", uri.path().trim_end_matches('/'));
        Ok(Endpoint {
            absolute: http::Uri::builder()
                .scheme(Scheme::HTTP)
                .authority(authority.clone())
                .path_and_query(path.as_str())
                .build()?,
            origin_form: path.parse()?,
            authority,
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
#[derive(Debug)]
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
                let request = request(endpoint.origin_form.clone())
                    .header(http::header::HOST, endpoint.authority.as_str())
                    .body(Full::new(grpc_web::request_body(name)))?;
                let mut sender = senders[worker % senders.len()].lock().await;
                sender.ready().await?;
                // The body is read before the connection is let go: HTTP/1.1
                // answers one call at a time, in order.
                collect(sender.send_request(request).await?).await?
            }
            Connections::Http2(endpoint, senders) => {
                let request = request(endpoint.absolute.clone())
                    .body(Full::new(grpc_web::request_body(name)))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bare;
    use crate::grpc_web::{MESSAGE, TRAILERS, frame};
    use prost::Message;
    use proto::greeter::HelloReply;

    /// The greeter server in-process on a free loopback port; stopped when dropped.
    async fn greeter() -> server::RunningServer {
        server::spawn(server::Config {
            addr: ([127, 0, 0, 1], 0).into(),
            static_dir: None,
            faults: server::FaultsSetting::Off,
            ..server::Config::default()
        })
        .await
        .expect("the server starts")
    }

    /// Both kinds of connections to `url`, `count` of each.
    async fn connections(url: &str, count: usize) -> [Connections; 2] {
        let endpoint = Endpoint::new(url).unwrap();
        [
            Connections::http1(endpoint.clone(), count).await.unwrap(),
            Connections::http2(endpoint, count).await.unwrap(),
        ]
    }

    /// An answer as a Connect server writes it: the header form of the
    /// trailers, in mixed case, among others.
    fn connect_style(message: &str) -> Bytes {
        let reply = HelloReply {
            message: message.to_owned(),
        };
        let mut body = frame(MESSAGE, &reply.encode_to_vec()).to_vec();
        body.extend_from_slice(&frame(
            TRAILERS,
            b"Grpc-Status: 0\r\nGrpc-Message: \r\nX-Trace: 1\r\n",
        ));
        body.into()
    }

    #[tokio::test]
    async fn greets_over_http1_and_h2_from_every_worker() {
        let server = greeter().await;
        for connections in connections(&server.url(), 2).await {
            for worker in 0..4 {
                let name = format!("w{worker}");
                let greeting = connections.say_hello(worker, &name).await.unwrap();
                assert_eq!(greeting, format!("Hello {name}"));
            }
            // The empty name is the greeter's InvalidArgument (3).
            let error = connections.say_hello(0, "").await.unwrap_err();
            assert!(format!("{error:#}").contains("grpc-status 3"), "{error:#}");
        }
        server.shutdown().await.unwrap();
    }

    #[tokio::test]
    async fn counts_a_connect_style_answer_as_a_success() {
        let peer = bare::spawn_answering(connect_style).await.unwrap();
        for connections in connections(&format!("http://{peer}"), 1).await {
            assert_eq!(connections.say_hello(0, "p").await.unwrap(), "Hello p");
        }
    }

    #[test]
    fn puts_say_hello_under_the_base_url() {
        let path = |base: &str| Endpoint::new(base).unwrap().origin_form.to_string();
        assert_eq!(path("http://127.0.0.1:8080"), SAY_HELLO);
        assert_eq!(path("http://127.0.0.1:8080/"), SAY_HELLO);
        assert_eq!(
            path("http://localhost:8080/api/"),
            format!("/api{SAY_HELLO}")
        );
        let endpoint = Endpoint::new("http://localhost:8080/api").unwrap();
        assert_eq!(endpoint.authority.as_str(), "localhost:8080");
        assert_eq!(
            endpoint.absolute.to_string(),
            format!("http://localhost:8080/api{SAY_HELLO}")
        );
    }

    #[test]
    fn refuses_what_it_cannot_drive() {
        for base in [
            "https://127.0.0.1:8443",
            "127.0.0.1:8080",
            "/greeter",
            "http://127.0.0.1:8080/?x=1",
            "not a url",
        ] {
            assert!(Endpoint::new(base).is_err(), "{base}");
        }
    }
}
