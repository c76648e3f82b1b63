//! Requests refused before any handler runs, and logs no request can forge,
//! on the real server binary:
//! - DNS rebinding: a request naming a foreign host (HTTP/1.1 `Host`,
//!   HTTP/2 `:authority`) is answered `421` and the fault controls are not
//!   touched; names given with `--allowed-host` are answered;
//! - an `Origin` CORS refuses gets `403`, and the call does not run;
//! - a fault message must be printable, and paths and hosts with line
//!   breaks, C1 controls or bidi overrides are logged escaped.

#[path = "hardening_support.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use proto::greeter::faults_client::FaultsClient;
use proto::greeter::{Failing, FaultMode, GetStatusRequest, fault_mode};
use support::{ServerProcess, frame, http1_client, web_call_from};
use tonic::Code;

const SET_MODE: &str = "/greeter.Faults/SetMode";

/// A SetMode(failing) request message.
fn failing(message: &str) -> Vec<u8> {
    prost::Message::encode_to_vec(&FaultMode {
        mode: Some(fault_mode::Mode::Failing(Failing {
            code: 14,
            message: message.into(),
        })),
    })
}

/// Whether the server is still healthy (nothing changed its mode).
async fn healthy(url: &str) -> bool {
    let status = FaultsClient::new(support::channel(url).await)
        .get_status(GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    matches!(
        status.mode.and_then(|m| m.mode),
        None | Some(fault_mode::Mode::Healthy(_))
    )
}

/// Sends `request` (a whole HTTP/1.1 request) on a fresh connection; the answer's text.
fn raw_http1(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut socket = TcpStream::connect(addr).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    socket.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = socket.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

/// A gRPC-Web SetMode(failing) over HTTP/1.1 naming `host`.
fn set_mode_naming(addr: std::net::SocketAddr, host: &str) -> String {
    let body = frame(0, &failing("rebound"));
    let mut request = format!(
        "POST {SET_MODE} HTTP/1.1\r\nHost: {host}\r\ncontent-type: application/grpc-web+proto\r\n\
         x-grpc-web: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend(body);
    raw_http1(addr, &request)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_host_is_refused_before_any_handler() {
    let server = ServerProcess::start(&["--faults", "on", "--allowed-host", "demo.example"]);
    let url = server.url();
    let port = server.addr().port();

    let answer = set_mode_naming(server.addr(), &format!("rebind.attacker.example:{port}"));
    println!(
        "HTTP/1.1 Host rebind.attacker.example: {}",
        answer.lines().next().unwrap()
    );
    assert!(answer.starts_with("HTTP/1.1 421 "), "{answer}");
    assert!(healthy(&url).await, "the mode was not changed");

    // HTTP/2: the host is the `:authority`.
    let socket = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let (mut sender, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(socket),
    )
    .await
    .unwrap();
    tokio::spawn(connection);
    let request = http::Request::post(format!("http://rebind.attacker.example:{port}{SET_MODE}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Full::new(Bytes::from(frame(0, &failing("rebound")))))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    println!(
        "HTTP/2 :authority rebind.attacker.example: {}",
        response.status()
    );
    assert_eq!(response.status(), 421);
    assert!(healthy(&url).await, "the mode was not changed");

    // Loopback names and the configured one are answered.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "demo.example".into(),
    ] {
        let answer = set_mode_naming(server.addr(), &host);
        assert!(answer.starts_with("HTTP/1.1 200 "), "{host}: {answer}");
        assert!(
            answer.contains("grpc-status: 0") || answer.contains("grpc-status:0"),
            "{answer}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_origin_does_not_run_its_call() {
    let server = ServerProcess::start(&["--faults", "on"]);
    let url = server.url();
    for origin in [
        "http://evil.example",
        "null",
        "http://localhost.evil.example",
    ] {
        let reply = web_call_from(
            &http1_client(),
            &url,
            SET_MODE,
            origin,
            frame(0, &failing("cross-site")),
        )
        .await
        .unwrap();
        assert_eq!(reply.http, 403, "{origin}: {reply:?}");
        assert!(!reply.headers.contains_key("access-control-allow-origin"));
        assert!(healthy(&url).await, "{origin} changed the mode");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_forges_or_hides_a_log_line() {
    let server = ServerProcess::start_with(support::launch(&[("RUST_LOG", "info")]).args([
        "--faults",
        "on",
        "--static-dir",
        "/nonexistent-page",
    ]));
    let url = server.url();

    // A fault message with a line break would be echoed in every answer
    // and log line: refused.
    let status = FaultsClient::new(support::channel(&url).await)
        .set_mode(FaultMode {
            mode: Some(fault_mode::Mode::Failing(Failing {
                code: 14,
                message: "down\r\n2099-01-01T00:00:00Z  INFO server: forged".into(),
            })),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");

    // A path with a bidi override, a C1 control (UTF-8 on the wire), and a
    // Host with an escape sequence.
    let mut request = b"POST /greeter.Greeter/".to_vec();
    request.extend("\u{202e}olleHyaS\u{85}x".as_bytes());
    request.extend(
        b" HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/grpc-web+proto\r\n\
          x-grpc-web: 1\r\nconnection: close\r\ncontent-length: 5\r\n\r\n\0\0\0\0\0",
    );
    let answer = raw_http1(server.addr(), &request);
    println!("odd path: {}", answer.lines().next().unwrap_or_default());
    let answer = raw_http1(
        server.addr(),
        b"GET / HTTP/1.1\r\nHost: evil\x1b[31m.example\r\nconnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");

    // Let the log lines reach the pipe.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let log = server.log_tail();
    println!("{log}");
    for line in log.lines() {
        assert!(!line.starts_with("2099-01-01"), "forged line: {line:?}");
        assert!(
            !line.contains(['\u{202e}', '\u{85}', '\u{1b}']),
            "raw control in: {line:?}"
        );
    }
    assert!(log.contains(r"\u{202e}olleHyaS\u{85}x"), "{log}");
}
