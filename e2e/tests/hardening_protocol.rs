//! Protocol limits of the real server binary, tried from raw sockets on
//! loopback as an abusive client would:
//! - HTTP/2: the SETTINGS frame announces a stream limit, streams past it
//!   are refused, a connection that makes the server refuse too many is
//!   closed (`ENHANCE_YOUR_CALM`), and a peer that never answers keep-alive
//!   pings is dropped;
//! - HTTP/1.1: a request head sent halfway, or a keep-alive connection left
//!   idle, is closed after the header-read timeout;
//! - request bodies: one trickling in slowly meets its whole-body deadline,
//!   an oversized one is refused `ResourceExhausted`;
//! - deadlines are the server's own (`DeadlineExceeded` with its message),
//!   whatever tonic's transport would add.

#[path = "hardening_support.rs"]
mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use http_body_util::BodyExt as _;
use proto::greeter::faults_client::FaultsClient;
use proto::greeter::{FaultMode, Slow, fault_mode};
use support::{SAY_HELLO, ServerProcess, frame, hello, http1_client, web_call};

/// The HTTP/2 client preface.
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Frame types and flags used here (RFC 9113).
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;
const END_HEADERS: u8 = 0x4;
const ACK: u8 = 0x1;

/// Error codes.
const REFUSED_STREAM: u32 = 0x7;
const ENHANCE_YOUR_CALM: u32 = 0xb;

/// One frame as read: type, flags, stream id, payload.
#[derive(Debug)]
struct Frame {
    kind: u8,
    flags: u8,
    stream: u32,
    payload: Vec<u8>,
}

impl Frame {
    fn error_code(&self) -> Option<u32> {
        let at = match self.kind {
            RST_STREAM => 0,
            GOAWAY => 4,
            _ => return None,
        };
        Some(u32::from_be_bytes(
            self.payload[at..at + 4].try_into().unwrap(),
        ))
    }
}

/// A raw HTTP/2 connection: frames written and read by hand, nothing
/// answered unless the test does it.
struct RawH2 {
    socket: TcpStream,
    authority: String,
}

impl RawH2 {
    /// Connects, sends the preface and empty SETTINGS.
    fn connect(addr: SocketAddr) -> Self {
        let mut socket = TcpStream::connect(addr).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        socket.write_all(PREFACE).unwrap();
        let mut h2 = Self {
            socket,
            authority: addr.to_string(),
        };
        h2.write(SETTINGS, 0, 0, &[]);
        h2
    }

    fn write(&mut self, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
        let len = u32::try_from(payload.len()).unwrap().to_be_bytes();
        let mut bytes = vec![len[1], len[2], len[3], kind, flags];
        bytes.extend_from_slice(&stream.to_be_bytes());
        bytes.extend_from_slice(payload);
        self.socket.write_all(&bytes).unwrap();
    }

    /// The next frame; `None` when the server closed the connection (or
    /// sent nothing for the read timeout).
    fn read(&mut self) -> Option<Frame> {
        let mut head = [0u8; 9];
        self.socket.read_exact(&mut head).ok()?;
        let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
        let mut payload = vec![0; len];
        self.socket.read_exact(&mut payload).ok()?;
        Some(Frame {
            kind: head[3],
            flags: head[4],
            stream: u32::from_be_bytes(head[5..9].try_into().unwrap()) & 0x7fff_ffff,
            payload,
        })
    }

    /// Reads the server's SETTINGS, acknowledges them, and returns them as
    /// (identifier, value) pairs.
    fn settings(&mut self) -> Vec<(u16, u32)> {
        for _ in 0..10 {
            let frame = self.read().expect("the server's SETTINGS");
            if frame.kind == SETTINGS && frame.flags & ACK == 0 {
                self.write(SETTINGS, ACK, 0, &[]);
                return frame
                    .payload
                    .chunks(6)
                    .map(|s| {
                        (
                            u16::from_be_bytes([s[0], s[1]]),
                            u32::from_be_bytes([s[2], s[3], s[4], s[5]]),
                        )
                    })
                    .collect();
            }
        }
        panic!("no SETTINGS from the server");
    }

    /// Opens stream `id` with a SayHello request head and no body yet.
    fn open_call(&mut self, id: u32) {
        let mut block = vec![0x83, 0x86]; // :method POST, :scheme http (static table)
        literal(&mut block, 0x04, SAY_HELLO); // :path
        literal(&mut block, 0x01, &self.authority.clone()); // :authority
        block.extend_from_slice(&[0x0f, 0x10]); // content-type (index 31)…
        string(&mut block, "application/grpc");
        block.push(0x00); // te: trailers, a new name
        string(&mut block, "te");
        string(&mut block, "trailers");
        self.write(HEADERS, END_HEADERS, id, &block);
    }
}

/// A "literal header field without indexing" whose name is static-table entry `index` (< 15).
fn literal(block: &mut Vec<u8>, index: u8, value: &str) {
    block.push(index);
    string(block, value);
}

/// An HPACK string literal, not Huffman-coded (shorter than 127 bytes).
fn string(block: &mut Vec<u8>, value: &str) {
    block.push(u8::try_from(value.len()).unwrap());
    block.extend_from_slice(value.as_bytes());
}

#[test]
fn http2_streams_past_the_limit_are_refused() {
    let server = ServerProcess::start(&["--http2-max-concurrent-streams", "100"]);
    let mut h2 = RawH2::connect(server.addr());
    let settings = h2.settings();
    assert!(
        settings.contains(&(0x3, 100)),
        "MAX_CONCURRENT_STREAMS in {settings:?}"
    );
    // 150 calls opened at once, none finished: 50 too many.
    for n in 0..150 {
        h2.open_call(2 * n + 1);
    }
    let mut refused = Vec::new();
    for _ in 0..1000 {
        let Some(frame) = h2.read() else { break };
        if frame.kind == RST_STREAM && frame.error_code() == Some(REFUSED_STREAM) {
            refused.push(frame.stream);
            if refused.len() == 50 {
                break;
            }
        }
    }
    println!(
        "{} of 150 streams refused (first {:?}, last {:?})",
        refused.len(),
        refused.first(),
        refused.last()
    );
    assert_eq!(refused.len(), 50, "{refused:?}");
    assert!(
        refused.iter().all(|&id| id > 2 * 100),
        "only streams past the 100th: {refused:?}"
    );
}

#[test]
fn http2_a_connection_making_the_server_refuse_streams_again_and_again_is_closed() {
    let server = ServerProcess::start(&["--http2-max-concurrent-streams", "10"]);
    let mut h2 = RawH2::connect(server.addr());
    h2.settings();
    // 10 accepted, then 1,100 refused: more local resets than the cap (1,024).
    for n in 0..1110 {
        h2.open_call(2 * n + 1);
    }
    let mut refused = 0;
    let mut goaway = None;
    for _ in 0..5000 {
        let Some(frame) = h2.read() else { break };
        match frame.kind {
            RST_STREAM => refused += 1,
            GOAWAY => {
                goaway = frame.error_code();
                break;
            }
            _ => {}
        }
    }
    println!("{refused} streams refused, then GOAWAY {goaway:?}");
    assert_eq!(goaway, Some(ENHANCE_YOUR_CALM));
    assert!(refused <= 1024, "{refused}");
    // Other connections are served as ever.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = server.url();
    assert_eq!(
        rt.block_on(support::web_hello(&http1_client(), &url, "after")),
        Ok("Hello after".to_owned())
    );
}

#[test]
fn http2_a_peer_that_never_answers_pings_is_dropped() {
    let server = ServerProcess::start(&[
        "--http2-keepalive-interval",
        "1s",
        "--http2-keepalive-timeout",
        "1s",
    ]);
    let mut h2 = RawH2::connect(server.addr());
    h2.settings();
    let started = Instant::now();
    let mut pings = 0;
    // Read (and never answer) until the server closes; bounded by the
    // read timeout and the count.
    for _ in 0..100 {
        match h2.read() {
            Some(frame) if frame.kind == PING => pings += 1,
            Some(frame) if frame.kind == GOAWAY => {}
            Some(_) => {}
            None => break,
        }
        if started.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    let elapsed = started.elapsed();
    println!("pinged {pings} time(s), closed after {elapsed:?}");
    assert!(pings >= 1, "the server pinged");
    let mut rest = [0u8; 1];
    assert!(
        matches!(h2.socket.read(&mut rest), Ok(0) | Err(_)),
        "the connection is closed"
    );
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

/// Reads from `socket` until the server closes it; whether it did within `limit`.
fn closed_within(socket: &mut TcpStream, limit: Duration) -> bool {
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    while started.elapsed() < limit {
        match socket.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

#[test]
fn http1_half_sent_heads_and_idle_connections_are_closed() {
    let server = ServerProcess::start(&["--header-read-timeout", "1s"]);
    // Half a request head, then nothing.
    let mut slow = TcpStream::connect(server.addr()).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    // A whole request, answered, then the connection left idle.
    let mut idle = TcpStream::connect(server.addr()).unwrap();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    let started = Instant::now();
    assert!(
        closed_within(&mut slow, Duration::from_secs(30)),
        "half-sent head"
    );
    let slow_closed = started.elapsed();
    assert!(
        closed_within(&mut idle, Duration::from_secs(30)),
        "idle keep-alive"
    );
    println!(
        "half-sent head closed after {slow_closed:?}, idle connection after {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_body_meets_its_deadline_and_a_large_one_is_refused() {
    let server = ServerProcess::start(&["--body-deadline", "2s"]);
    let url = server.url();

    // One byte every 300 ms: never idle long enough for the idle timeout.
    let addr = server.addr();
    let started = Instant::now();
    let answer = tokio::task::spawn_blocking(move || {
        let message = frame(0, &hello("trickle"));
        let mut socket = TcpStream::connect(addr).unwrap();
        write!(
            socket,
            "POST {SAY_HELLO} HTTP/1.1\r\nHost: {addr}\r\ncontent-type: application/grpc-web+proto\r\n\
             x-grpc-web: 1\r\ncontent-length: {}\r\n\r\n",
            message.len()
        )
        .unwrap();
        socket.set_nonblocking(true).unwrap();
        let mut answer = Vec::new();
        for byte in &message {
            if socket.write_all(std::slice::from_ref(byte)).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
            let mut buffer = [0u8; 4096];
            if let Ok(n) = socket.read(&mut buffer) {
                answer.extend_from_slice(&buffer[..n]);
            }
            if !answer.is_empty() {
                break;
            }
        }
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap();
    println!(
        "trickling body answered after {:?}:\n{answer}",
        started.elapsed()
    );
    let answer = answer.to_ascii_lowercase();
    assert!(answer.contains("grpc-status: 4"), "{answer}");
    assert!(
        answer.contains("not%20received%20within"),
        "the whole-body deadline, not the idle timeout: {answer}"
    );

    // 100 KiB of well-formed messages, each under the 16 KiB message
    // limit, together more than the 64 KiB body limit.
    let mut body = Vec::new();
    while body.len() < 100 * 1024 {
        body.extend(frame(0, &hello(&"x".repeat(200))));
    }
    let reply = web_call(
        &http1_client(),
        &url,
        SAY_HELLO,
        "application/grpc-web+proto",
        body,
    )
    .await
    .unwrap();
    println!("100 KiB body: {} {:?}", reply.outcome(), reply.grpc_message);
    assert_eq!(reply.outcome(), "grpc 8", "{reply:?}");
}

/// The only deadline is the server's: a call past its `grpc-timeout` is
/// answered `DeadlineExceeded` with the server's own message, by a raw
/// HTTP/2 client that runs no timer of its own. tonic's transport server
/// would answer such calls `Cancelled: Timeout expired` from a timer of its
/// own, outside the gRPC-Web and CORS layers: this fails if one comes between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_are_the_servers_own() {
    let server = ServerProcess::start(&["--faults", "on"]);
    let url = server.url();
    FaultsClient::new(support::channel(&url).await)
        .set_mode(FaultMode {
            mode: Some(fault_mode::Mode::Slow(Slow { delay_ms: 5000 })),
        })
        .await
        .unwrap();

    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(true)
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let request = http::Request::post(format!("{url}{SAY_HELLO}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("grpc-timeout", "300m")
        .body(http_body_util::Full::new(bytes::Bytes::from(frame(
            0,
            &hello("late"),
        ))))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let headers = response.headers().clone();
    let collected = response.into_body().collect().await.unwrap();
    let trailers = collected.trailers().cloned().unwrap_or_default();
    let field = |name: &str| {
        headers
            .get(name)
            .or_else(|| trailers.get(name))
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(field("grpc-status").as_deref(), Some("4"));
    let message = field("grpc-message").unwrap();
    assert_eq!(
        percent_encoding::percent_decode_str(&message).decode_utf8_lossy(),
        "Deadline of 300ms set by the client exceeded"
    );
}
