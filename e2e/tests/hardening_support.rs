//! Helpers shared by the hardening tests (`hardening_*.rs`), which include
//! this file with `#[path = "hardening_support.rs"] mod support;`: a seeded
//! random generator, bounds read from the environment, hand-made gRPC and
//! gRPC-Web calls that report exactly what came back, and the real server
//! binary run as a child process (by `server_launcher`) that is always killed.
//!
//! Built on its own (cargo finds every `tests/*.rs`) it is a test target
//! with no tests.
#![allow(dead_code)] // Each test binary uses a different part.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::BodyExt as _;
use tonic::transport::{Channel, Endpoint};
use tower::{Service, ServiceExt as _};

// ---------------------------------------------------------------------------
// Bounds and randomness

/// Reads `name` from the environment, or `default` when it is unset; panics
/// (naming the variable) when it is set but does not parse.
pub fn env_or<T: FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a valid value")),
        _ => default,
    }
}

/// SplitMix64: a small, fast, seeded generator, so every run of a test sends
/// the same bytes (the seed is printed and can be set).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A `usize` in `0..n` (`n > 0`).
    pub fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// Fewer than `max` random bytes (`max > 0`).
    pub fn bytes_below(&mut self, max: usize) -> Vec<u8> {
        let len = self.index(max);
        self.bytes(len)
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

// ---------------------------------------------------------------------------
// Messages and frames

/// The SayHello method path.
pub const SAY_HELLO: &str = "/greeter.Greeter/SayHello";

/// One gRPC(-Web) frame: flag byte, 4-byte big-endian length, payload.
pub fn frame(flag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + payload.len());
    out.push(flag);
    out.extend_from_slice(&u32::try_from(payload.len()).unwrap().to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// The encoded bytes of a SayHello request (no frame).
pub fn hello(name: &str) -> Vec<u8> {
    prost::Message::encode_to_vec(&proto::greeter::HelloRequest { name: name.into() })
}

/// A protobuf message whose field 1 (the name) holds `bytes` as they are.
pub fn raw_name(bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![0x0a];
    let mut len = bytes.len();
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(bytes);
    out
}

// ---------------------------------------------------------------------------
// Raw calls

/// What one hand-made call got back, as seen on the wire.
#[derive(Debug, Clone)]
pub struct RawReply {
    /// The HTTP status.
    pub http: u16,
    /// The response headers.
    pub headers: http::HeaderMap,
    /// `grpc-status`, from the trailers (trailer frame) or the headers.
    pub grpc_status: Option<i32>,
    /// `grpc-message`, as sent (percent-encoded).
    pub grpc_message: Option<String>,
    /// The payloads of the data frames.
    pub messages: Vec<Vec<u8>>,
}

impl RawReply {
    /// `grpc <code>` or `http <status>`: the status a caller acts on.
    pub fn outcome(&self) -> String {
        match self.grpc_status {
            Some(code) if self.http == 200 => format!("grpc {code}"),
            Some(code) => format!("http {} + grpc {code}", self.http),
            None => format!("http {}", self.http),
        }
    }

    /// The one reply message, decoded as a `HelloReply`.
    pub fn greeting(&self) -> Option<String> {
        match self.messages.as_slice() {
            [one] => prost::Message::decode(one.as_slice())
                .ok()
                .map(|reply: proto::greeter::HelloReply| reply.message),
            _ => None,
        }
    }
}

/// An HTTP/1.1-only client, like a browser talking gRPC-Web.
pub fn http1_client() -> reqwest::Client {
    reqwest::Client::builder()
        .http1_only()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Sends `body` to `url` + `path` over HTTP/1.1 with `method` and `headers`
/// and parses the reply as gRPC-Web (binary, or base64 text when the reply
/// says so). `Err` describes a reply that is not well-formed or a failed
/// exchange; it is a finding, never expected.
pub async fn http1_call(
    client: &reqwest::Client,
    method: http::Method,
    url: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<RawReply, String> {
    let mut request = client.request(method, format!("{url}{path}")).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.map_err(|e| format!("send: {e:?}"))?;
    let http = response.status().as_u16();
    let headers = response.headers().clone();
    let raw = response.bytes().await.map_err(|e| format!("body: {e:?}"))?;
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut reply = RawReply {
        http,
        grpc_status: header_status(&headers)?,
        grpc_message: header_text(&headers, "grpc-message"),
        headers,
        messages: Vec::new(),
    };
    if !content_type.starts_with("application/grpc-web") {
        return Ok(reply);
    }
    let body = if content_type.starts_with("application/grpc-web-text") {
        decode_text(&raw)?
    } else {
        raw.to_vec()
    };
    for (flag, payload) in parse_frames(&body)? {
        match flag {
            0x00 => reply.messages.push(payload),
            0x80 => {
                let text = String::from_utf8(payload).map_err(|e| format!("trailers: {e}"))?;
                for line in text.split("\r\n").filter(|line| !line.is_empty()) {
                    let (name, value) = line
                        .split_once(':')
                        .ok_or_else(|| format!("trailer line {line:?}"))?;
                    match name.trim().to_ascii_lowercase().as_str() {
                        "grpc-status" => {
                            reply.grpc_status = Some(parse_status(value.trim())?);
                        }
                        "grpc-message" => reply.grpc_message = Some(value.trim().to_owned()),
                        _ => {}
                    }
                }
            }
            other => return Err(format!("unexpected frame flag {other:#x}")),
        }
    }
    Ok(reply)
}

/// A gRPC-Web call of `path` with `body` (already framed) and `content_type`.
pub async fn web_call(
    client: &reqwest::Client,
    url: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Result<RawReply, String> {
    web_call_with(client, url, path, content_type, None, body).await
}

/// A gRPC-Web call (binary) of `path` with `body` (already framed), sent
/// from a page at `origin`, as a browser would.
pub async fn web_call_from(
    client: &reqwest::Client,
    url: &str,
    path: &str,
    origin: &str,
    body: Vec<u8>,
) -> Result<RawReply, String> {
    let binary = "application/grpc-web+proto";
    web_call_with(client, url, path, binary, Some(origin), body).await
}

async fn web_call_with(
    client: &reqwest::Client,
    url: &str,
    path: &str,
    content_type: &str,
    origin: Option<&str>,
    body: Vec<u8>,
) -> Result<RawReply, String> {
    let mut headers = vec![
        ("content-type", content_type),
        ("accept", content_type),
        ("x-grpc-web", "1"),
    ];
    headers.extend(origin.map(|origin| ("origin", origin)));
    http1_call(client, http::Method::POST, url, path, &headers, body).await
}

/// A well-formed gRPC-Web SayHello (binary); the greeting, or what came instead.
pub async fn web_hello(client: &reqwest::Client, url: &str, name: &str) -> Result<String, String> {
    let reply = web_call(
        client,
        url,
        SAY_HELLO,
        "application/grpc-web+proto",
        frame(0, &hello(name)),
    )
    .await?;
    match (reply.grpc_status, reply.greeting()) {
        (Some(0), Some(greeting)) => Ok(greeting),
        _ => Err(format!("{}: {reply:?}", reply.outcome())),
    }
}

/// A tonic channel (HTTP/2) to `url`, connected now.
pub async fn channel(url: &str) -> Channel {
    Endpoint::from_shared(url.to_owned())
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap()
}

/// Sends `body` as it is over the native gRPC transport (HTTP/2, tonic's
/// channel used as a plain HTTP service), with `content-type` and extra
/// `headers`, and reads status and messages from headers, frames and trailers.
pub async fn h2_call(
    channel: &mut Channel,
    url: &str,
    path: &str,
    content_type: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Result<RawReply, String> {
    let mut request = http::Request::builder()
        .method(http::Method::POST)
        .uri(format!("{url}{path}"))
        .header("content-type", content_type)
        .header("te", "trailers");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(tonic::body::Body::new(http_body_util::Full::new(
            Bytes::from(body),
        )))
        .map_err(|e| format!("request: {e}"))?;
    let service = channel.ready().await.map_err(|e| format!("ready: {e}"))?;
    let response = service
        .call(request)
        .await
        .map_err(|e| format!("call: {e:?}"))?;
    let http = response.status().as_u16();
    let (parts, body) = response.into_parts();
    let collected = body.collect().await.map_err(|e| format!("body: {e:?}"))?;
    let trailers = collected.trailers().cloned();
    let data = collected.to_bytes();
    let mut reply = RawReply {
        http,
        grpc_status: header_status(&parts.headers)?,
        grpc_message: header_text(&parts.headers, "grpc-message"),
        headers: parts.headers,
        messages: Vec::new(),
    };
    if let Some(trailers) = trailers {
        if let Some(status) = header_status(&trailers)? {
            reply.grpc_status = Some(status);
        }
        if let Some(message) = header_text(&trailers, "grpc-message") {
            reply.grpc_message = Some(message);
        }
    }
    for (flag, payload) in parse_frames(&data)? {
        if flag != 0 {
            return Err(format!("unexpected frame flag {flag:#x}"));
        }
        reply.messages.push(payload);
    }
    Ok(reply)
}

fn header_text(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn header_status(headers: &http::HeaderMap) -> Result<Option<i32>, String> {
    match headers.get("grpc-status") {
        None => Ok(None),
        Some(value) => parse_status(value.to_str().map_err(|e| e.to_string())?).map(Some),
    }
}

fn parse_status(text: &str) -> Result<i32, String> {
    match text.parse::<i32>() {
        Ok(code) if (0..=16).contains(&code) => Ok(code),
        _ => Err(format!("grpc-status {text:?} is not a gRPC code")),
    }
}

/// Splits a body into its frames (flag, payload); `Err` if one is cut short.
pub fn parse_frames(mut body: &[u8]) -> Result<Vec<(u8, Vec<u8>)>, String> {
    let mut out = Vec::new();
    while !body.is_empty() {
        if body.len() < 5 {
            return Err(format!("truncated frame header in the reply: {body:?}"));
        }
        let len = u32::from_be_bytes(body[1..5].try_into().unwrap()) as usize;
        if body.len() < 5 + len {
            return Err("truncated frame in the reply".into());
        }
        out.push((body[0], body[5..5 + len].to_vec()));
        body = &body[5 + len..];
    }
    Ok(out)
}

/// Decodes a gRPC-Web text body: base64 chunks, each padded on its own.
fn decode_text(body: &[u8]) -> Result<Vec<u8>, String> {
    let body: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if !body.len().is_multiple_of(4) {
        return Err(format!("base64 reply of {} characters", body.len()));
    }
    let mut out = Vec::new();
    for quantum in body.chunks(4) {
        out.extend(STANDARD.decode(quantum).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// Polls `check` every 20 ms for at most `limit`; whether it came true.
pub async fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if check() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------------------------------------------------------------------------
// The server binary as a child process

/// The server binary: `HARDENING_SERVER_BIN` if set, else built by
/// [`workspace_binary`].
pub fn server_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| workspace_binary("server", "HARDENING_SERVER_BIN"))
        .clone()
}

/// The binary `name` of the workspace package of the same name: the path
/// in `$override_var` if set, else `target/<profile>/<name>` of the profile
/// these tests were built with, built first (a no-op when it is fresh).
pub fn workspace_binary(name: &str, override_var: &str) -> PathBuf {
    let profile = test_profile_dir()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    workspace_binary_in(name, override_var, &profile)
}

/// Like [`workspace_binary`], built with cargo profile `profile` (e.g.
/// `release`). A debug build is xtask's ([`server_launcher::test_build`]);
/// any other builds the package alone, as the demo and the benchmarks build
/// the release server.
pub fn workspace_binary_in(name: &str, override_var: &str, profile: &str) -> PathBuf {
    if let Some(path) = std::env::var_os(override_var) {
        return PathBuf::from(path);
    }
    let target_dir = test_profile_dir().parent().unwrap().to_owned();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut build = match profile {
        "debug" => server_launcher::test_build(workspace, name),
        other => {
            let mut build = server_launcher::cargo();
            build.current_dir(workspace).args([
                "build",
                "--quiet",
                "-p",
                name,
                "--bin",
                name,
                "--profile",
                other,
            ]);
            build
        }
    };
    let status = build
        .env("CARGO_TARGET_DIR", &target_dir)
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build of {name} failed: {status}");
    let binary = target_dir.join(profile).join(name);
    assert!(binary.is_file(), "no {name} binary at {}", binary.display());
    binary
}

/// `target/<profile>` of the profile these tests were built with.
fn test_profile_dir() -> PathBuf {
    // This test runs from target/<profile>/deps/<test>-<hash>.
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .and_then(Path::parent)
        .expect("test binary in target/<profile>/deps")
        .to_owned()
}

/// The real server binary running as a child process on loopback, started
/// by the workspace's one launcher ([`server_launcher`]) with its output
/// captured. Killed (SIGKILL) and reaped when dropped, whatever happened in
/// the test.
pub struct ServerProcess(server_launcher::ServerProcess);

impl std::ops::Deref for ServerProcess {
    type Target = server_launcher::ServerProcess;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for ServerProcess {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// The server binary with no colours, none of the caller's `SERVER_*`
/// variables, its output captured, and `env` set; see [`ServerProcess::start_with`].
pub fn launch(env: &[(&str, &str)]) -> server_launcher::Launch {
    let mut launch = server_launcher::Launch::new(server_binary())
        .env("NO_COLOR", "1")
        .output(server_launcher::Output::Capture);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SERVER_") {
            launch = launch.env_remove(name);
        }
    }
    for (name, value) in env {
        launch = launch.env(name, value);
    }
    launch
}

impl ServerProcess {
    /// Starts the server on `127.0.0.1:0` (a free port) with `extra` flags.
    pub fn start(extra: &[&str]) -> Self {
        Self::start_on("127.0.0.1:0", extra)
    }

    /// Starts the server on `addr` (loopback only) with `extra` flags, and
    /// waits until it listens (at most 60 s).
    pub fn start_on(addr: &str, extra: &[&str]) -> Self {
        Self::start_with_env(addr, extra, &[])
    }

    /// Like [`start_on`](Self::start_on), with environment variables.
    pub fn start_with_env(addr: &str, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let parsed: SocketAddr = addr.parse().unwrap();
        assert!(parsed.ip().is_loopback(), "tests bind loopback only");
        let no_page = std::env::temp_dir().join("hardening-no-page");
        let launch = launch(env)
            .addr(parsed)
            .arg("--static-dir")
            .arg(&no_page)
            .args(extra)
            // One line per call would flood the pipe: calls are logged at info.
            .env("RUST_LOG", "info,server::calls=warn");
        match launch.start() {
            Ok(server) => Self(server),
            Err(error) => panic!("{error}"),
        }
    }

    /// Starts the server as `launch` says (program, flags, `RUST_LOG`, page
    /// and all up to the caller), waiting until it listens.
    pub fn start_with(launch: server_launcher::Launch) -> Self {
        match launch.start() {
            Ok(server) => Self(server),
            Err(error) => panic!("{error}"),
        }
    }

    /// Runs the server with `args` (loopback only, no page) and env vars
    /// `env`, expecting it to exit by itself within `limit`: its exit status
    /// and everything it printed. Killed if it does not.
    pub fn run_to_exit(
        args: &[&str],
        env: &[(&str, &str)],
        limit: Duration,
    ) -> (std::process::ExitStatus, String) {
        let mut command = Command::new(server_binary());
        command
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("SERVER_") {
                command.env_remove(name);
            }
        }
        command.envs(env.iter().copied()).args(args);
        let mut child = command.spawn().expect("start the server binary");
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not exit within {limit:?} with {args:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut text = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        (status, text)
    }

    /// Its resident memory now (`VmRSS` of `/proc/<pid>/status`), in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        rss_kib(self.pid())
    }
}

/// The resident memory of process `pid`, in KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
