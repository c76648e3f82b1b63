//! Bad input at the server, sent as raw HTTP to the real server running
//! in-process on `127.0.0.1:0`: every malformed request (wrong content type
//! or method, broken frames, lying length prefixes, compression without an
//! encoding, bytes that are not protobuf, invalid UTF-8, names and messages
//! over their limits, bad base64, refused origins, a request left half-sent)
//! and a few thousand seeded random bodies each get one exact, documented
//! gRPC or HTTP status (see `docs/HARDENING.md`), no server thread panics, the
//! handler is reached only by what decodes to a request, and a valid call
//! right after each one is answered. Requests left half-sent hold nobody up,
//! and a call waiting for a concurrency slot is still answered at its
//! deadline. `HARDENING_RANDOM_BODIES` (default 3000) and `HARDENING_SEED`
//! change the random run.

#[path = "hardening_support.rs"]
mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::Method;
use server::{Config, FaultState, FaultsSetting, MAX_DECODING_MESSAGE_SIZE, RunningServer};
use support::{
    RawReply, SAY_HELLO, SplitMix64, env_or, frame, h2_call, hello, http1_call, http1_client,
    raw_name, web_call, web_hello,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tonic::transport::Channel;

const WEB: &str = "application/grpc-web+proto";
const WEB_TEXT: &str = "application/grpc-web-text";
const GRPC: &str = "application/grpc";

/// Panics on the server's threads (tokio workers), counted by a panic hook.
static SERVER_PANICS: AtomicUsize = AtomicUsize::new(0);
static PANIC_MESSAGES: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn count_server_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            if thread
                .name()
                .is_none_or(|n| n.starts_with("tokio-runtime-worker"))
            {
                SERVER_PANICS.fetch_add(1, Ordering::SeqCst);
                PANIC_MESSAGES.lock().unwrap().push(info.to_string());
            }
            previous(info);
        }));
    });
}

fn assert_no_server_panic() {
    assert_eq!(
        SERVER_PANICS.load(Ordering::SeqCst),
        0,
        "a server thread panicked: {:?}",
        PANIC_MESSAGES.lock().unwrap()
    );
}

/// The server under test: defaults but no page, and no fault controls (a
/// random body must not be able to switch the server into a failing mode).
/// Ends a test's server: no thread of it panicked, and it shuts down cleanly.
async fn finish(server: RunningServer) {
    assert_no_server_panic();
    server
        .shutdown()
        .await
        .expect("the server task ended cleanly");
}

async fn start() -> RunningServer {
    count_server_panics();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    server::spawn_on(
        Config {
            addr: listener.local_addr().unwrap(),
            static_dir: None,
            faults: FaultsSetting::Off,
            ..Config::default()
        },
        FaultState::with_seed(7),
        listener,
    )
    .unwrap()
}

/// After a bad input: a valid call is answered, over gRPC-Web and natively.
async fn still_answers(url: &str, web: &reqwest::Client, native: &mut Channel, i: u64) {
    web_answers(url, web, i).await;
    native_answers(url, native, i).await;
}

/// A valid gRPC-Web call (HTTP/1.1) is answered.
async fn web_answers(url: &str, web: &reqwest::Client, i: u64) {
    let name = format!("after-{i}");
    assert_eq!(
        web_hello(web, url, &name).await,
        Ok(format!("Hello {name}")),
        "gRPC-Web call after bad input {i}"
    );
}

/// A valid native call (HTTP/2) is answered.
async fn native_answers(url: &str, native: &mut Channel, i: u64) {
    let name = format!("after-{i}");
    let reply = h2_call(native, url, SAY_HELLO, GRPC, &[], frame(0, &hello(&name)))
        .await
        .unwrap_or_else(|e| panic!("native call after bad input {i}: {e}"));
    assert_eq!(
        reply.greeting(),
        Some(format!("Hello {name}")),
        "native call after bad input {i}: {reply:?}"
    );
}

/// One malformed request.
struct Case {
    /// What is wrong with it (the table's first column).
    what: &'static str,
    method: Method,
    path: &'static str,
    /// The content type sent over gRPC-Web (HTTP/1.1); `None`: no header.
    content_type: Option<&'static str>,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// The status observed over gRPC-Web: `grpc <code>` or `http <status>`.
    web: &'static str,
    /// Also sent natively (HTTP/2, `application/grpc`), with this status.
    native: Option<&'static str>,
    /// How many of its sends (gRPC-Web, then native) the SayHello handler
    /// sees: only those that decode to a request.
    reached: u64,
    /// More to check in the gRPC-Web reply.
    check: Option<Check>,
}

/// An extra check of a reply: what is wrong with it, if anything.
type Check = fn(&RawReply) -> Result<(), String>;

impl Case {
    fn post(what: &'static str, body: Vec<u8>, web: &'static str) -> Self {
        Case {
            what,
            method: Method::POST,
            path: SAY_HELLO,
            content_type: Some(WEB),
            headers: Vec::new(),
            body,
            web,
            native: None,
            reached: 0,
            check: None,
        }
    }

    fn native(mut self, status: &'static str) -> Self {
        self.native = Some(status);
        self
    }

    fn content_type(mut self, content_type: Option<&'static str>) -> Self {
        self.content_type = content_type;
        self
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Every send of it decodes to a request and reaches the handler.
    fn reaches_handler(mut self) -> Self {
        self.reached = 1 + u64::from(self.native.is_some());
        self
    }
}

fn length_prefix(flag: u8, len: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![flag];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn cases() -> Vec<Case> {
    let ok = hello("x");
    let limit = MAX_DECODING_MESSAGE_SIZE;
    // A HelloRequest of exactly `limit` bytes: tag, 2-byte length, name.
    let at_limit = raw_name(&vec![b'n'; limit - 3]);
    assert_eq!(at_limit.len(), limit);
    let over_limit = raw_name(&vec![b'n'; limit - 2]);
    assert_eq!(over_limit.len(), limit + 1);
    vec![
        // Not gRPC by content type: the page's branch, and no page is served.
        Case::post("wrong content type (text/plain)", frame(0, &ok), "http 404")
            .content_type(Some("text/plain")),
        Case::post(
            "wrong content type (application/json)",
            frame(0, &ok),
            "http 404",
        )
        .content_type(Some("application/json")),
        Case::post("no content type", frame(0, &ok), "http 404").content_type(None),
        // gRPC-Web by prefix, but no codec tonic-web knows.
        Case::post(
            "unknown gRPC-Web subtype (application/grpc-web+json)",
            frame(0, &ok),
            "http 400",
        )
        .content_type(Some("application/grpc-web+json")),
        Case {
            method: Method::GET,
            ..Case::post("GET instead of POST", Vec::new(), "http 405")
        },
        Case {
            method: Method::PUT,
            ..Case::post("PUT instead of POST", frame(0, &ok), "http 405")
        },
        Case::post("empty body (no frame)", Vec::new(), "grpc 13").native("grpc 13"),
        Case::post(
            "truncated frame header (3 of 5 bytes)",
            vec![0, 0, 0],
            "grpc 13",
        )
        .native("grpc 13"),
        Case::post(
            "length prefix larger than the body (100, 7 sent)",
            length_prefix(0, 100, &ok),
            "grpc 13",
        )
        .native("grpc 13"),
        Case::post(
            "length prefix near 4 GiB (0xFFFFFFFF), 7 bytes sent",
            length_prefix(0, u32::MAX, &ok),
            "grpc 11",
        )
        .native("grpc 11"),
        // Over HTTP/1.1 the server answers as soon as it has read the frame
        // header and closes the connection without reading the rest: a
        // client still sending may see its write fail before it reads the
        // answer (HTTP/2 ends just the stream, and the client stops).
        Case::post(
            "length prefix 2 GiB, 1 MiB sent",
            length_prefix(0, 1 << 31, &vec![0; 1 << 20]),
            "grpc 11 | connection closed",
        )
        .native("grpc 11"),
        Case::post(
            "compressed flag without grpc-encoding",
            frame(1, &ok),
            "grpc 13",
        )
        .native("grpc 13"),
        Case::post(
            "compressed flag, unsupported grpc-encoding (gzip)",
            frame(1, &ok),
            "grpc 12",
        )
        .header("grpc-encoding", "gzip")
        .native("grpc 12"),
        Case::post("unknown frame flag (0x02)", frame(2, &ok), "grpc 13").native("grpc 13"),
        Case::post(
            "trailer frame flag (0x80) in a request",
            frame(0x80, &ok),
            "grpc 13",
        )
        .native("grpc 13"),
        Case::post(
            "bytes that are not protobuf",
            frame(0, &[0xff; 16]),
            "grpc 13",
        )
        .native("grpc 13"),
        Case::post(
            "protobuf with a wrong wire type for name",
            frame(0, &[0x08, 0x01]),
            "grpc 13",
        )
        .native("grpc 13"),
        Case::post(
            "invalid UTF-8 in name",
            frame(0, &raw_name(&[b'a', 0xc3, 0x28, 0xff])),
            "grpc 13",
        )
        .native("grpc 13"),
        Case::post(
            "name over the limit (257 characters)",
            frame(0, &hello(&"n".repeat(257))),
            "grpc 3",
        )
        .native("grpc 3")
        .reaches_handler(),
        // tonic reads the first message of a unary call and ignores the rest.
        Case::post(
            "two messages in a unary call",
            [frame(0, &ok), frame(0, &ok)].concat(),
            "grpc 0",
        )
        .native("grpc 0")
        .reaches_handler(),
        Case::post(
            "message of exactly 16 KiB (the limit), name too long",
            frame(0, &at_limit),
            "grpc 3",
        )
        .native("grpc 3")
        .reaches_handler(),
        Case::post(
            "message over the size limit (16 KiB + 1)",
            frame(0, &over_limit),
            "grpc 11",
        )
        .native("grpc 11"),
        Case::post(
            "message of 1 MiB",
            frame(0, &raw_name(&vec![b'n'; 1 << 20])),
            "grpc 11 | connection closed",
        )
        .native("grpc 11"),
        Case::post(
            "bad base64 (gRPC-Web text)",
            b"!!!! not base64 ????".to_vec(),
            "grpc 13",
        )
        .content_type(Some(WEB_TEXT)),
        Case::post(
            "base64 of a truncated frame (gRPC-Web text)",
            STANDARD.encode(length_prefix(0, 50, &ok)).into_bytes(),
            "grpc 13",
        )
        .content_type(Some(WEB_TEXT)),
        Case::post(
            "base64 cut mid-quantum (gRPC-Web text)",
            STANDARD.encode(frame(0, &ok)).into_bytes()[..9].to_vec(),
            "grpc 13",
        )
        .content_type(Some(WEB_TEXT)),
        // An unparsable deadline is ignored, by tonic and by the deadline layer.
        Case::post("malformed grpc-timeout (\"soon\")", frame(0, &ok), "grpc 0")
            .header("grpc-timeout", "soon")
            .native("grpc 0")
            .reaches_handler(),
        // HTTP/1.1 heads stop at --http1-max-head-bytes (16 KiB); HTTP/2
        // caps the header list (16 KiB) and closes a connection far over it.
        Case::post("header of 64 KiB", frame(0, &ok), "http 431")
            .header("x-junk", "j".repeat(64 * 1024))
            .native("h2 GOAWAY ENHANCE_YOUR_CALM"),
        Case::post(
            "header of 1 MiB",
            frame(0, &ok),
            "http 431 | connection closed",
        )
        .header("x-junk", "j".repeat(1 << 20))
        // The client may still be writing when the server closes.
        .native("h2 GOAWAY ENHANCE_YOUR_CALM | connection closed"),
        // A refused origin is refused before any handler, preflight or not,
        // and without the header that would let a page go on.
        Case {
            method: Method::OPTIONS,
            check: Some(
                |reply| match reply.headers.get("access-control-allow-origin") {
                    None => Ok(()),
                    Some(origin) => Err(format!("allowed origin {origin:?}")),
                },
            ),
            ..Case::post(
                "preflight from a refused origin (http://evil.example)",
                Vec::new(),
                "http 403",
            )
            .content_type(None)
            .header("origin", "http://evil.example")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,x-grpc-web")
        },
        Case {
            path: "/no.Such/Method",
            ..Case::post("unknown service", frame(0, &ok), "grpc 12").native("grpc 12")
        },
    ]
}

/// What a raw call ended with: its status, or how the connection ended.
fn outcome(reply: &Result<RawReply, String>) -> String {
    match reply {
        Ok(reply) => reply.outcome(),
        Err(error) if error.contains("GoAway") && error.contains("ENHANCE_YOUR_CALM") => {
            "h2 GOAWAY ENHANCE_YOUR_CALM".into()
        }
        Err(error) if error.contains("BrokenPipe") || error.contains("ConnectionReset") => {
            "connection closed".into()
        }
        Err(error) => format!("error: {error}"),
    }
}

/// Whether `outcome` is `expected`, or one of its `|`-separated alternatives.
fn matches(expected: &str, outcome: &str) -> bool {
    expected.split(" | ").any(|e| e == outcome)
}

/// Decodes the `%XX` escapes of a `grpc-message`.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_input_gets_its_status_and_the_server_still_answers() {
    let server = start().await;
    let url = server.url();
    let web = http1_client();
    let mut native = support::channel(&url).await;
    let mut table = Vec::new();
    let mut mismatches = Vec::new();

    for (i, case) in cases().into_iter().enumerate() {
        let before = server.faults().counters().received;
        let mut headers: Vec<(&str, &str)> = vec![("x-grpc-web", "1")];
        if let Some(content_type) = case.content_type {
            headers.push(("content-type", content_type));
            headers.push(("accept", content_type));
        }
        headers.extend(case.headers.iter().map(|(n, v)| (*n, v.as_str())));
        let reply = http1_call(
            &web,
            case.method.clone(),
            &url,
            case.path,
            &headers,
            case.body.clone(),
        )
        .await;
        let web_outcome = outcome(&reply);
        if !matches(case.web, &web_outcome) {
            mismatches.push(format!(
                "{} (gRPC-Web): expected {}, got {web_outcome}: {reply:?}",
                case.what, case.web
            ));
        }
        let reply_for_check = reply.clone();
        let mut message = reply.ok().and_then(|r| r.grpc_message);
        let mut native_outcome = None;
        if let Some(expected) = case.native {
            let extra: Vec<(&str, &str)> =
                case.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let reply = h2_call(
                &mut native,
                &url,
                case.path,
                GRPC,
                &extra,
                case.body.clone(),
            )
            .await;
            let native = outcome(&reply);
            if !matches(expected, &native) {
                mismatches.push(format!(
                    "{} (native): expected {expected}, got {native}: {reply:?}",
                    case.what
                ));
            }
            if message.is_none() {
                message = reply.ok().and_then(|r| r.grpc_message);
            }
            native_outcome = Some(native);
        }
        let reached = server.faults().counters().received - before;
        let sends = 1 + u64::from(case.native.is_some());
        if reached != case.reached {
            mismatches.push(format!(
                "{}: the handler saw {reached} of {sends} sends, expected {}",
                case.what, case.reached
            ));
        }
        table.push(format!(
            "| {} | {} | {} | {} |",
            case.what,
            web_outcome,
            native_outcome.as_deref().unwrap_or("—"),
            percent_decode(message.as_deref().unwrap_or_default())
        ));
        if let (Some(check), Ok(reply)) = (case.check, &reply_for_check)
            && let Err(problem) = check(reply)
        {
            mismatches.push(format!("{}: {problem}", case.what));
        }
        still_answers(&url, &web, &mut native, i as u64).await;
    }
    println!("{}", table.join("\n"));
    println!("bad inputs tried: {}", table.len());
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    finish(server).await;
}

/// What the server must answer to a body, worked out independently from the
/// gRPC framing rules tonic follows: frames are read in order and the first
/// error wins (flag, then length against the 16 KiB limit, then a body cut
/// short, then protobuf); every frame of a unary call is decoded (the first
/// one is the request); no frame at all is "Missing request message".
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    /// This gRPC status, without reaching the handler.
    Refused(i32),
    /// The handler sees the request and answers with this status
    /// (0 with `Hello <name>`, or 3 for an invalid name).
    Handled(i32, String),
}

impl Expect {
    fn code(&self) -> i32 {
        match self {
            Expect::Refused(code) | Expect::Handled(code, _) => *code,
        }
    }
}

fn model(mut body: &[u8]) -> Expect {
    use prost::Message as _;
    let mut first: Option<proto::greeter::HelloRequest> = None;
    while !body.is_empty() {
        if body.len() < 5 {
            return Expect::Refused(13); // Unexpected EOF decoding stream
        }
        if body[0] != 0 {
            return Expect::Refused(13); // compressed without encoding, or an unknown flag
        }
        let len = u32::from_be_bytes(body[1..5].try_into().unwrap()) as usize;
        if len > MAX_DECODING_MESSAGE_SIZE {
            return Expect::Refused(11);
        }
        if body.len() - 5 < len {
            return Expect::Refused(13);
        }
        match proto::greeter::HelloRequest::decode(&body[5..5 + len]) {
            Ok(request) => {
                first.get_or_insert(request);
            }
            Err(_) => return Expect::Refused(13),
        }
        body = &body[5 + len..];
    }
    match first {
        None => Expect::Refused(13), // Missing request message
        Some(request) => match server::greeter::validate_name(&request.name) {
            Ok(()) => Expect::Handled(0, request.name),
            Err(_) => Expect::Handled(3, request.name),
        },
    }
}

/// A random protobuf-ish message: fields of every wire type, field 1 (the
/// name) as random bytes (often not UTF-8) or random text, lengths that lie.
fn random_message(rng: &mut SplitMix64) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(4) {
        match rng.below(8) {
            0 => out.extend(raw_name(&rng.bytes_below(12))),
            1 | 2 => {
                let len = rng.index(300);
                let name: String = (0..len)
                    .map(|_| match rng.below(4) {
                        0 => char::from_u32(0x80 + rng.below(0xD000) as u32).unwrap_or('é'),
                        _ => (b'a' + rng.below(26) as u8) as char,
                    })
                    .collect();
                out.extend(hello(&name));
            }
            3 => out.extend([0x08, rng.next_u64() as u8 & 0x7f]), // field 1 as a varint
            4 => out.extend([0x12, 0x02, 0xff, 0xfe]),            // unknown field 2
            5 => out.extend([0x0d, 1, 2, 3, 4]),                  // field 1, fixed32
            6 => out.extend([0x0a, 0x7f]),                        // a length that lies
            _ => out.extend(rng.bytes_below(6)),
        }
    }
    out
}

/// A random request body, in binary gRPC framing.
fn random_body(rng: &mut SplitMix64) -> Vec<u8> {
    match rng.below(8) {
        0 => {
            let len = rng.index(16);
            rng.bytes(len)
        }
        1 => {
            let len = rng.index(600);
            rng.bytes(len)
        }
        2 => {
            let len = rng.index(64);
            frame(0, &rng.bytes(len))
        }
        3 | 4 => frame(0, &random_message(rng)),
        5 => {
            // A frame header that lies: a random flag, a length near the truth or huge.
            let payload = random_message(rng);
            let flag = [0, 0, 0, 1, 2, 0x80, rng.next_u64() as u8][rng.index(7)];
            let len = match rng.below(4) {
                0 => rng.next_u64() as u32,
                1 => (MAX_DECODING_MESSAGE_SIZE as u32).wrapping_add(rng.below(3) as u32),
                _ => (payload.len() as u32)
                    .wrapping_add(rng.below(5) as u32)
                    .wrapping_sub(2),
            };
            length_prefix(flag, len, &payload)
        }
        6 => {
            // A good request followed by random bytes.
            let mut body = frame(0, &hello("tail"));
            body.extend(rng.bytes_below(12));
            body
        }
        _ => {
            // Several frames, some of them broken.
            let mut body = Vec::new();
            for _ in 0..1 + rng.below(3) {
                body.extend(frame(0, &random_message(rng)));
            }
            body
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_bodies_get_the_status_the_framing_rules_predict() {
    let count: u64 = env_or("HARDENING_RANDOM_BODIES", 3000);
    let seed: u64 = env_or("HARDENING_SEED", 0x005E_ED0F_BAD1);
    let server = start().await;
    let url = server.url();
    let web = http1_client();
    let mut native = support::channel(&url).await;
    let mut rng = SplitMix64::new(seed);
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    let mut failures = Vec::new();
    let started = std::time::Instant::now();

    for i in 0..count {
        let binary = random_body(&mut rng);
        let before = server.faults().counters().received;
        let (transport, reply, expected) = match rng.below(4) {
            0 => {
                let expected = model(&binary);
                let reply = h2_call(&mut native, &url, SAY_HELLO, GRPC, &[], binary).await;
                ("native", reply, expected)
            }
            1 => {
                // gRPC-Web text: good base64, base64 cut short, or a bad symbol up front.
                let text = STANDARD.encode(&binary).into_bytes();
                let (text, expected) = match rng.below(3) {
                    0 if text.len().is_multiple_of(4) && !text.is_empty() => {
                        let cut = text.len() - 1 - rng.index(3);
                        let prefix = STANDARD.decode(&text[..cut / 4 * 4]).unwrap();
                        let expected = match model(&prefix) {
                            Expect::Refused(11) => Expect::Refused(11),
                            _ => Expect::Refused(13), // "malformed base64 request"
                        };
                        (text[..cut].to_vec(), expected)
                    }
                    1 => {
                        let mut text = text;
                        if text.is_empty() {
                            text.extend(b"AAAA");
                        }
                        let at = rng.index(text.len().min(4));
                        text[at] = b"!*-_."[rng.index(5)];
                        (text, Expect::Refused(13)) // "Invalid symbol"
                    }
                    _ => (text, model(&binary)),
                };
                let reply = web_call(&web, &url, SAY_HELLO, WEB_TEXT, text).await;
                ("grpc-web-text", reply, expected)
            }
            _ => {
                let expected = model(&binary);
                let reply = web_call(&web, &url, SAY_HELLO, WEB, binary).await;
                ("grpc-web", reply, expected)
            }
        };
        let reached = server.faults().counters().received - before;
        if reached != u64::from(matches!(expected, Expect::Handled(..))) {
            failures.push(format!(
                "body {i} ({transport}): the handler saw it {reached} times, expected {expected:?}"
            ));
        }
        match &reply {
            Ok(reply) => {
                *seen
                    .entry(format!("{transport} {}", reply.outcome()))
                    .or_default() += 1;
                let greeting_ok = match &expected {
                    Expect::Handled(0, name) => reply.greeting() == Some(format!("Hello {name}")),
                    _ => reply.messages.is_empty(),
                };
                if reply.http != 200 || reply.grpc_status != Some(expected.code()) || !greeting_ok {
                    failures.push(format!(
                        "body {i} ({transport}): expected {expected:?}, got {reply:?}"
                    ));
                }
            }
            Err(error) => failures.push(format!("body {i} ({transport}): {error}")),
        }
        if failures.len() > 20 {
            break;
        }
        // A valid call on the same transport right after; on both every 10th time.
        if transport == "native" || i % 10 == 0 {
            native_answers(&url, &mut native, i).await;
        }
        if transport != "native" || i % 10 == 0 {
            web_answers(&url, &web, i).await;
        }
    }
    println!(
        "random bodies tried: {count} (seed {seed:#x}) in {:?}; outcomes: {seen:#?}",
        started.elapsed()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    finish(server).await;
}

/// Request heads and bodies left half-sent, and HTTP/2 connections that stop
/// after the preface, hold nobody else up: valid calls are answered while
/// they stay open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_hold_nobody_up() {
    let server = start().await;
    let url = server.url();
    let addr = server.local_addr();
    let mut stalled = Vec::new();
    for i in 0..24 {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let sent: &[u8] = match i % 3 {
            // The head, without its end.
            0 => b"POST /greeter.Greeter/SayHello HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/grpc-web\r\n",
            // The head, and 7 of the 12 bytes of body it announces.
            1 => b"POST /greeter.Greeter/SayHello HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/grpc-web\r\ncontent-length: 12\r\n\r\n\x00\x00\x00\x00\x07\x0a\x05",
            // The HTTP/2 preface, then nothing.
            _ => b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        };
        stream.write_all(sent).await.unwrap();
        stalled.push(stream);
    }
    let web = http1_client();
    let mut native = support::channel(&url).await;
    tokio::time::timeout(Duration::from_secs(20), async {
        for i in 0..10 {
            still_answers(&url, &web, &mut native, i).await;
        }
    })
    .await
    .expect("valid calls answered while 24 requests stall");
    println!("bad inputs tried: {} stalled connections", stalled.len());
    drop(stalled);
    still_answers(&url, &web, &mut native, 10).await;
    finish(server).await;
}

/// A server with one slot, whose request timeout is long (10 s).
async fn start_with_one_slot() -> RunningServer {
    start_with_one_slot_and(Config::default().body_timeout).await
}

/// One slot, a 10 s request timeout and this idle timeout on request bodies.
async fn start_with_one_slot_and(body_timeout: Duration) -> RunningServer {
    count_server_panics();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    server::spawn_on(
        Config {
            addr: listener.local_addr().unwrap(),
            static_dir: None,
            faults: FaultsSetting::Off,
            max_concurrent_requests: 1,
            request_timeout: Duration::from_secs(10),
            body_timeout,
            ..Config::default()
        },
        FaultState::new(),
        listener,
    )
    .unwrap()
}

/// Takes the server's only slot with a request whose body never ends,
/// and which the server gives up on after `grpc_timeout`.
async fn stall(server: &RunningServer, grpc_timeout: &str) -> tokio::net::TcpStream {
    let mut stalled = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .unwrap();
    let head = format!(
        "POST /greeter.Greeter/SayHello HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/grpc-web\r\n\
         grpc-timeout: {grpc_timeout}\r\ncontent-length: 12\r\n\r\n"
    );
    stalled.write_all(head.as_bytes()).await.unwrap();
    stalled.write_all(&[0, 0, 0, 0, 7]).await.unwrap();
    // Let the stalled request take the slot.
    tokio::time::sleep(Duration::from_millis(200)).await;
    stalled
}

/// Reads the head of the answer to a stalled request, DeadlineExceeded, and returns it.
async fn read_deadline_exceeded(stalled: &mut tokio::net::TcpStream) -> String {
    let mut head = vec![0; 4096];
    let n = tokio::time::timeout(Duration::from_secs(20), stalled.read(&mut head))
        .await
        .expect("an answer to the stalled request")
        .unwrap();
    let head = String::from_utf8_lossy(&head[..n]).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("grpc-status: 4\r\n"), "{head}");
    head
}

/// Stalls a request (client deadline `grpc_timeout`) in the server's only
/// slot, then expects a second call to be answered within `within`, once
/// the slot is free again; returns the head of the stalled call's answer.
async fn next_call_goes_through_after_a_stall(
    server: &RunningServer,
    grpc_timeout: &str,
    within: Duration,
) -> String {
    let mut stalled = stall(server, grpc_timeout).await;
    let answered = tokio::time::timeout(within, web_hello(&http1_client(), &server.url(), "next"))
        .await
        .unwrap_or_else(|_| panic!("the waiting call was not answered within {within:?}"));
    assert_eq!(answered, Ok("Hello next".to_owned()));
    read_deadline_exceeded(&mut stalled).await
}

/// A body that stops midway, from a client whose deadline is far off, gives
/// its slot back once no data has arrived for the server's body timeout
/// (here 1 s): the stalled call is answered `DeadlineExceeded` saying why,
/// and the call waiting for the slot goes through, long before the 10 s
/// request timeout or the client's 60 s deadline would free it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_body_gives_its_slot_back_after_the_body_timeout() {
    let server = start_with_one_slot_and(Duration::from_secs(1)).await;
    let head = next_call_goes_through_after_a_stall(&server, "60S", Duration::from_secs(8)).await;
    assert!(
        head.contains("grpc-message: no%20request%20data%20received%20for%201s"),
        "{head}"
    );
    finish(server).await;
}

/// A half-sent body holds one of `max_concurrent_requests` slots, but only
/// until its deadline answers it `DeadlineExceeded`: then the slot is free
/// again and the call waiting for it goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_body_holds_its_slot_only_until_its_deadline() {
    let server = start_with_one_slot().await;
    next_call_goes_through_after_a_stall(&server, "500m", Duration::from_secs(20)).await;
    finish(server).await;
}

/// A call waiting for a slot is still bound by its deadline: it is
/// answered `DeadlineExceeded` when its `grpc-timeout` passes (here while the
/// slot is still taken), over gRPC-Web and natively, and never served late.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_waiting_for_a_slot_is_answered_at_its_deadline() {
    let server = start_with_one_slot().await;
    let url = server.url();
    let mut stalled = stall(&server, "4S").await;
    let web = http1_client();
    let started = std::time::Instant::now();
    let reply = http1_call(
        &web,
        Method::POST,
        &url,
        SAY_HELLO,
        &[
            ("content-type", WEB),
            ("x-grpc-web", "1"),
            ("origin", "http://localhost:8080"),
            ("grpc-timeout", "300m"),
        ],
        frame(0, &hello("queued")),
    )
    .await
    .unwrap();
    let web_elapsed = started.elapsed();
    assert_eq!(reply.outcome(), "grpc 4", "{reply:?}");
    assert_eq!(
        reply.headers["access-control-allow-origin"], "http://localhost:8080",
        "the answer goes through CORS, so a page can read it"
    );

    let mut native = support::channel(&url).await;
    let started = std::time::Instant::now();
    let reply = h2_call(
        &mut native,
        &url,
        SAY_HELLO,
        GRPC,
        &[("grpc-timeout", "300m")],
        frame(0, &hello("queued")),
    )
    .await;
    let native_elapsed = started.elapsed();
    // The native client runs the same deadline and may report it first.
    match &reply {
        Ok(reply) => assert_eq!(reply.outcome(), "grpc 4", "{reply:?}"),
        Err(error) => assert!(error.contains("TimeoutExpired"), "{error}"),
    }
    println!(
        "queued calls answered after {web_elapsed:?} (gRPC-Web) and {native_elapsed:?} (native)"
    );
    // Generous bounds: well before the stalled request lets the slot go (4 s).
    assert!(web_elapsed < Duration::from_secs(3), "{web_elapsed:?}");
    assert!(
        native_elapsed < Duration::from_secs(3),
        "{native_elapsed:?}"
    );
    read_deadline_exceeded(&mut stalled).await;
    // Not even once the slot was free again.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.faults().counters().received, 0, "neither was served");
    finish(server).await;
}
