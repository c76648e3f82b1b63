//! Nobody holds the server for everyone else. Each test attacks the release
//! server binary on loopback, run with `--max-connections 64` under a limit
//! of 1,024 file descriptors, and checks that while the attacker is still at
//! it, a newcomer's page request and SayHello are answered in under a
//! second:
//! - silent sockets: more connections than the cap, sending nothing;
//! - trickled heads: more connections than the cap, each sending its
//!   request head a byte at a time and reconnecting when closed;
//! - zero-window HTTP/2 streams: page requests on connections whose
//!   flow-control window stays shut, 100 per connection, on every slot;
//! - large HTTP/1.1 heads: refused past `--http1-max-head-bytes`.

#[path = "hardening_support.rs"]
mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::{ServerProcess, http1_client, web_hello};

/// The connection cap the attacks are run against.
const MAX_CONNECTIONS: usize = 64;

/// Connections each attacker keeps open: more than the cap.
const ATTACKERS: usize = 80;

/// How long a newcomer may wait for its answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(1);

/// A page to serve: an index and a file large enough that it cannot be
/// sent through a shut flow-control window.
fn page_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hardening-slots-page-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>page</title>").unwrap();
    std::fs::write(dir.join("big.bin"), vec![7u8; 1 << 20]).unwrap();
    dir
}

/// The release server with `--max-connections 64` and `extra`, in a shell
/// that first sets the file-descriptor limit (soft and hard) to 1,024.
fn start_server(extra: &[&str]) -> ServerProcess {
    let binary = support::workspace_binary_in("server", "HARDENING_RELEASE_SERVER_BIN", "release");
    let launch = server_launcher::Launch::new("sh")
        .args(["-c", r#"ulimit -n 1024 && exec "$0" "$@""#])
        .arg(&binary)
        .args(["--max-connections", &MAX_CONNECTIONS.to_string()])
        .arg("--static-dir")
        .arg(page_dir())
        .args(extra)
        .env("RUST_LOG", "info,server::calls=warn")
        .env("NO_COLOR", "1")
        .output(server_launcher::Output::Capture);
    ServerProcess::start_with(launch)
}

/// A newcomer's page request and SayHello, each on a connection of its
/// own: both answered, each within [`ANSWER_WITHIN`].
fn newcomer_is_answered(server: &ServerProcess, attack: &str) {
    let addr = server.addr();
    let started = Instant::now();
    let page = get(addr, "/", ANSWER_WITHIN * 5);
    let page_took = started.elapsed();
    let url = format!("http://{addr}");
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let hello = runtime.block_on(async {
        tokio::time::timeout(
            ANSWER_WITHIN * 5,
            web_hello(&http1_client(), &url, "newcomer"),
        )
        .await
    });
    let hello_took = started.elapsed();
    println!("{attack}: page answered in {page_took:?}, SayHello in {hello_took:?}");
    assert_eq!(page.as_deref(), Ok("HTTP/1.1 200 OK"), "{attack}: the page");
    assert_eq!(
        hello.expect("SayHello answered").as_deref(),
        Ok("Hello newcomer"),
        "{attack}: SayHello"
    );
    assert!(
        page_took < ANSWER_WITHIN,
        "{attack}: the page took {page_took:?}"
    );
    assert!(
        hello_took < ANSWER_WITHIN,
        "{attack}: SayHello took {hello_took:?}"
    );
    let log = server.log_tail();
    assert!(
        !log.contains("cannot accept connections"),
        "{attack}: {log}"
    );
}

/// One HTTP/1.1 request for `path` on a fresh connection; the status line.
fn get(addr: SocketAddr, path: &str, timeout: Duration) -> Result<String, String> {
    let mut socket = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    socket.set_read_timeout(Some(timeout)).unwrap();
    write!(
        socket,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    let answer = String::from_utf8_lossy(&answer);
    Ok(answer.lines().next().unwrap_or_default().to_owned())
}

/// Whether the server still holds `socket` open (no end of stream yet).
fn still_open(socket: &TcpStream) -> bool {
    socket.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let open = match socket.peek(&mut byte) {
        Ok(0) => false,
        Ok(_) => true,
        Err(error) => error.kind() == ErrorKind::WouldBlock,
    };
    socket.set_nonblocking(false).unwrap();
    open
}

/// An attacker on its own thread until dropped.
struct Attacker {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<usize>>,
}

impl Attacker {
    fn spawn(attack: impl FnOnce(&AtomicBool) -> usize + Send + 'static) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let stop = Arc::clone(&stop);
            move || attack(&stop)
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops the attack; how many of its connections the server held open at the end.
    fn stop(mut self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().unwrap()
    }
}

impl Drop for Attacker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[test]
fn silent_sockets_past_the_cap_do_not_lock_out_a_newcomer() {
    let server = start_server(&[]);
    let addr = server.addr();
    let attacker = Attacker::spawn(move |stop| {
        // Opens ATTACKERS connections, then keeps opening more.
        let mut sockets: Vec<TcpStream> = Vec::new();
        while !stop.load(Ordering::Relaxed) && sockets.len() < 2_000 {
            let batch = if sockets.is_empty() { ATTACKERS } else { 4 };
            sockets.extend((0..batch).filter_map(|_| TcpStream::connect(addr).ok()));
            std::thread::sleep(Duration::from_millis(50));
        }
        sockets.iter().filter(|socket| still_open(socket)).count()
    });
    std::thread::sleep(Duration::from_millis(500));
    newcomer_is_answered(&server, "silent sockets");
    let held = attacker.stop();
    println!("silent sockets still held by the server: {held}");
    assert!(held > 0, "the attacker was shut out entirely");
}

#[test]
fn trickled_heads_past_the_cap_do_not_lock_out_a_newcomer() {
    let server = start_server(&[]);
    let addr = server.addr();
    let head: &'static [u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    let attacker = Attacker::spawn(move |stop| {
        // Each connection sends one more byte of its head every 100 ms;
        // one that is closed is opened again at once.
        let connect = || TcpStream::connect(addr).ok().map(|socket| (socket, 0usize));
        let mut sockets: Vec<Option<(TcpStream, usize)>> =
            (0..ATTACKERS).map(|_| connect()).collect();
        let mut rounds = 0;
        while !stop.load(Ordering::Relaxed) && rounds < 300 {
            for slot in &mut sockets {
                let sent = slot.as_mut().is_some_and(|(socket, next)| {
                    let byte = [head[*next % head.len()]];
                    *next += 1;
                    socket.write_all(&byte).is_ok() && still_open(socket)
                });
                if !sent {
                    *slot = connect();
                }
            }
            rounds += 1;
            std::thread::sleep(Duration::from_millis(100));
        }
        sockets
            .iter()
            .flatten()
            .filter(|(socket, _)| still_open(socket))
            .count()
    });
    std::thread::sleep(Duration::from_millis(1_500));
    newcomer_is_answered(&server, "trickled heads");
    let held = attacker.stop();
    println!("trickling connections still held by the server: {held}");
    assert!(held > 0, "the attacker was shut out entirely");
}

#[test]
fn zero_window_streams_on_every_slot_do_not_lock_out_a_newcomer() {
    let server = start_server(&[]);
    let addr = server.addr();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // MAX_CONNECTIONS connections, each asking for the big file 100 times
    // with a window of 0: the server can send no byte of any body.
    let connections = runtime.block_on(async {
        let mut connections = Vec::new();
        for _ in 0..MAX_CONNECTIONS {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let (sender, connection) =
                hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .initial_stream_window_size(0)
                    .handshake::<_, http_body_util::Empty<bytes::Bytes>>(
                        hyper_util::rt::TokioIo::new(stream),
                    )
                    .await
                    .unwrap();
            let connection = tokio::spawn(connection);
            let mut responses = Vec::new();
            for _ in 0..100 {
                let request = http::Request::get(format!("http://{addr}/big.bin"))
                    .body(http_body_util::Empty::new())
                    .unwrap();
                let mut sender = sender.clone();
                // Headers may come; the body never can: it is never read.
                responses.push(tokio::spawn(
                    async move { sender.send_request(request).await },
                ));
            }
            connections.push((connection, responses));
        }
        connections
    });
    // Every stream the server took is stalled by now.
    std::thread::sleep(Duration::from_millis(1_500));
    let open_files = std::fs::read_dir(format!("/proc/{}/fd", server.pid()))
        .unwrap()
        .count();
    println!("server file descriptors under the zero-window attack: {open_files}");
    assert!(open_files < 1024, "{open_files} descriptors open");
    newcomer_is_answered(&server, "zero-window streams");
    let attackers_left = connections
        .iter()
        .filter(|(connection, _)| !connection.is_finished())
        .count();
    println!("zero-window connections still open: {attackers_left}");
    assert!(attackers_left > 0, "the attacker was shut out entirely");
    drop(connections);
    runtime.shutdown_background();
}

#[test]
fn http1_heads_are_limited_like_http2_ones() {
    let server = start_server(&["--http1-max-head-bytes", "16384"]);
    let addr = server.addr();
    let head = |padding: usize| {
        let mut socket = TcpStream::connect(addr).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let request = format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(padding)
        );
        // The server may close before reading it all; what it answered counts.
        let _ = socket.write_all(request.as_bytes());
        let mut answer = Vec::new();
        let _ = socket.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(head(8 * 1024), "HTTP/1.1 200 OK");
    assert_eq!(
        head(20 * 1024),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    assert_eq!(
        head(400 * 1024),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
}

#[test]
fn a_silent_connection_is_closed_at_the_head_deadline_even_below_the_cap() {
    let server = start_server(&["--header-read-timeout", "1s"]);
    let started = Instant::now();
    let mut silent = TcpStream::connect(server.addr()).unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // hyper's own header-read timeout starts only once the protocol is known.
    assert_eq!(
        silent.read(&mut [0u8; 1]).unwrap(),
        0,
        "closed by the server"
    );
    let closed_after = started.elapsed();
    println!("a silent connection was closed after {closed_after:?}");
    assert!(closed_after < Duration::from_secs(5), "{closed_after:?}");
}

#[test]
fn a_response_stalled_on_a_file_closes_its_connection() {
    let server = start_server(&["--stall-timeout", "1s"]);
    let addr = server.addr();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let closed_after = runtime.block_on(async {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut sender, connection) =
            hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                .initial_stream_window_size(0)
                .handshake::<_, http_body_util::Empty<bytes::Bytes>>(hyper_util::rt::TokioIo::new(
                    stream,
                ))
                .await
                .unwrap();
        let connection = tokio::spawn(connection);
        let request = http::Request::get(format!("http://{addr}/big.bin"))
            .body(http_body_util::Empty::new())
            .unwrap();
        let started = Instant::now();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), http::StatusCode::OK);
        // The body can never come through a window of 0; the server gives up.
        tokio::time::timeout(Duration::from_secs(10), connection)
            .await
            .expect("the server closed the connection")
            .unwrap()
            .ok();
        started.elapsed()
    });
    println!("a connection stalled on a file was closed after {closed_after:?}");
    assert!(closed_after < Duration::from_secs(5), "{closed_after:?}");
}

#[test]
fn the_soft_descriptor_limit_is_raised_to_the_hard_one() {
    let binary = support::workspace_binary_in("server", "HARDENING_RELEASE_SERVER_BIN", "release");
    let launch = server_launcher::Launch::new("sh")
        .args([
            "-c",
            r#"ulimit -Sn 256 && ulimit -Hn 2048 && exec "$0" "$@""#,
        ])
        .arg(&binary)
        .args(["--static-dir", "/nonexistent-page"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .output(server_launcher::Output::Capture);
    let server = ServerProcess::start_with(launch);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.pid())).unwrap();
    let open_files = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .unwrap()
        .split_whitespace()
        .filter_map(|word| word.parse::<u64>().ok())
        .collect::<Vec<_>>();
    assert_eq!(open_files, [2048, 2048], "{limits}");
    let log = server.log_tail();
    assert!(
        log.contains("file descriptors: the limit is 2048 (raised from 256)"),
        "{log}"
    );
    // 512 connections with 8 files each may need more than 2048: said at start.
    assert!(log.contains("may need 4672 file descriptors"), "{log}");
}
