//! Helpers shared by the integration tests: in-process servers on
//! `127.0.0.1:0`, tonic clients, and hand-made gRPC-Web frames.

#![allow(dead_code)] // Each test binary uses a different part.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proto::greeter::faults_client::FaultsClient;
use proto::greeter::greeter_client::GreeterClient;
use proto::greeter::{FaultMode, HelloRequest, fault_mode};
use server::{Config, FaultState, RunningServer};
use tonic::transport::{Channel, Endpoint};

/// A configuration for tests: no page, faults on, loopback.
pub fn test_config() -> Config {
    Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        static_dir: None,
        faults: server::FaultsSetting::On,
        ..Config::default()
    }
}

/// Starts a server for `config` on `127.0.0.1:0`.
pub async fn start(config: Config) -> RunningServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    server::spawn_on(config, FaultState::with_seed(7), listener).unwrap()
}

/// A tonic channel to `server` (HTTP/2).
pub async fn channel(server: &RunningServer) -> Channel {
    Endpoint::from_shared(server.url())
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap()
}

/// A Greeter client over native gRPC.
pub async fn greeter(server: &RunningServer) -> GreeterClient<Channel> {
    GreeterClient::new(channel(server).await)
}

/// A Faults client over native gRPC.
pub async fn faults(server: &RunningServer) -> FaultsClient<Channel> {
    FaultsClient::new(channel(server).await)
}

/// Builds a `FaultMode` message.
pub fn mode(mode: fault_mode::Mode) -> FaultMode {
    FaultMode { mode: Some(mode) }
}

/// Says hello over native gRPC.
pub async fn say_hello(
    client: &mut GreeterClient<Channel>,
    name: &str,
) -> Result<String, tonic::Status> {
    client
        .say_hello(HelloRequest { name: name.into() })
        .await
        .map(|r| r.into_inner().message)
}

/// An HTTP/1.1-only client, like a browser talking gRPC-Web.
pub fn http1() -> reqwest::Client {
    reqwest::Client::builder()
        .http1_only()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// One gRPC(-Web) frame: flag byte, 4-byte big-endian length, payload.
pub fn frame(flag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + payload.len());
    out.push(flag);
    out.extend_from_slice(&u32::try_from(payload.len()).unwrap().to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Splits a gRPC-Web body into its frames (flag, payload).
pub fn frames(mut body: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !body.is_empty() {
        assert!(body.len() >= 5, "truncated frame header: {body:?}");
        let len = u32::from_be_bytes(body[1..5].try_into().unwrap()) as usize;
        assert!(body.len() >= 5 + len, "truncated frame");
        out.push((body[0], body[5..5 + len].to_vec()));
        body = &body[5 + len..];
    }
    out
}

/// Decodes a gRPC-Web text body: base64 chunks, each padded on its own, so
/// decoded one 4-character quantum at a time.
pub fn decode_text(body: &[u8]) -> Vec<u8> {
    let body: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    assert_eq!(body.len() % 4, 0, "base64 body length");
    body.chunks(4)
        .flat_map(|quantum| STANDARD.decode(quantum).unwrap())
        .collect()
}

/// What a gRPC-Web call got back.
#[derive(Debug)]
pub struct WebReply {
    /// HTTP status.
    pub status: reqwest::StatusCode,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// Payloads of the data frames (flag 0x00).
    pub messages: Vec<Vec<u8>>,
    /// The trailer frame (flag 0x80) parsed into lower-case names, if any.
    pub trailers: Option<HashMap<String, String>>,
}

impl WebReply {
    /// The grpc-status: from the trailer frame, or the headers (trailers-only).
    pub fn grpc_status(&self) -> Option<i32> {
        let from_trailers = self
            .trailers
            .as_ref()
            .and_then(|t| t.get("grpc-status").cloned());
        let from_headers = self
            .headers
            .get("grpc-status")
            .map(|v| v.to_str().unwrap().to_owned());
        from_trailers.or(from_headers).map(|s| s.parse().unwrap())
    }

    /// The grpc-message, percent-decoded, from the trailers or the headers.
    pub fn grpc_message(&self) -> Option<String> {
        let raw = self
            .trailers
            .as_ref()
            .and_then(|t| t.get("grpc-message").cloned())
            .or_else(|| {
                self.headers
                    .get("grpc-message")
                    .map(|v| v.to_str().unwrap().to_owned())
            })?;
        Some(percent_decode(&raw))
    }

    /// The one message of a unary answer, decoded.
    pub fn message<M: prost::Message + Default>(&self) -> M {
        assert_eq!(self.messages.len(), 1, "{self:?}");
        M::decode(self.messages[0].as_slice()).unwrap()
    }
}

/// Decodes the `%XX` escapes of a `grpc-message`.
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .expect("grpc-message is UTF-8")
        .into_owned()
}

/// Options of a hand-made gRPC-Web call.
#[derive(Debug, Clone, Default)]
pub struct WebCall {
    /// Send and accept `application/grpc-web-text` (base64) instead of binary.
    pub text: bool,
    /// An `Origin` header, as a browser sends.
    pub origin: Option<String>,
    /// A `grpc-timeout` header.
    pub grpc_timeout: Option<String>,
}

/// Calls `path` over gRPC-Web (HTTP/1.1) with `payload` as the one message.
pub async fn grpc_web(base_url: &str, path: &str, payload: &[u8], call: &WebCall) -> WebReply {
    let framed = frame(0, payload);
    let (content_type, body) = if call.text {
        (
            "application/grpc-web-text",
            STANDARD.encode(&framed).into_bytes(),
        )
    } else {
        ("application/grpc-web+proto", framed)
    };
    let mut request = http1()
        .post(format!("{base_url}{path}"))
        .header("content-type", content_type)
        .header("accept", content_type)
        .header("x-grpc-web", "1")
        .header("x-user-agent", "grpc-web-test/1.0")
        .body(body);
    if let Some(origin) = &call.origin {
        request = request.header("origin", origin);
    }
    if let Some(timeout) = &call.grpc_timeout {
        request = request.header("grpc-timeout", timeout);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let raw = response.bytes().await.unwrap();
    let body = if call.text {
        decode_text(&raw)
    } else {
        raw.to_vec()
    };

    let mut messages = Vec::new();
    let mut trailers = None;
    for (flag, payload) in frames(&body) {
        match flag {
            0x00 => {
                assert!(trailers.is_none(), "data frame after the trailer frame");
                messages.push(payload);
            }
            0x80 => {
                let text = String::from_utf8(payload).unwrap();
                let map = text
                    .split("\r\n")
                    .filter(|line| !line.is_empty())
                    .map(|line| {
                        let (name, value) = line.split_once(':').unwrap();
                        (name.trim().to_ascii_lowercase(), value.trim().to_owned())
                    })
                    .collect();
                trailers = Some(map);
            }
            other => panic!("unexpected frame flag {other:#x}"),
        }
    }
    WebReply {
        status,
        headers,
        messages,
        trailers,
    }
}

/// The encoded bytes of a SayHello request.
pub fn hello(name: &str) -> Vec<u8> {
    prost::Message::encode_to_vec(&HelloRequest { name: name.into() })
}

/// Polls `check` every 20 ms, at most 250 times (5 s); panics with `what` if it never holds.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..250 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for: {what}");
}
