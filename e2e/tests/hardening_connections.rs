//! Connections of the real server binary on loopback:
//! - past `--max-connections`, the connection idle longest gives way to a
//!   new one; while every connection is busy, a new one waits until one
//!   has made no progress for a second;
//! - out of file descriptors, the accept loop backs off instead of
//!   spinning, and the server serves again once connections close;
//! - a shutdown lets a call finish within `--shutdown-timeout`, and
//!   does not wait longer than that for one that does not.

#[path = "hardening_support.rs"]
mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use proto::greeter::faults_client::FaultsClient;
use proto::greeter::{FaultMode, GetStatusRequest, Slow, fault_mode};
use support::{ServerProcess, http1_client, web_hello};

/// One HTTP/1.1 request on a fresh connection; the status line, or the
/// error that prevented it.
fn get(addr: std::net::SocketAddr, timeout: Duration) -> Result<String, String> {
    let mut socket = TcpStream::connect(addr).map_err(|e| e.to_string())?;
    socket.set_read_timeout(Some(timeout)).unwrap();
    socket
        .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    socket
        .read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(answer.lines().next().unwrap_or_default().to_owned())
}

#[test]
fn past_the_cap_the_connection_idle_longest_gives_way() {
    let server = ServerProcess::start(&["--max-connections", "4"]);
    let addr = server.addr();
    let open: Vec<TcpStream> = (0..4)
        .map(|_| {
            let socket = TcpStream::connect(addr).unwrap();
            std::thread::sleep(Duration::from_millis(50));
            socket
        })
        .collect();
    let started = Instant::now();
    let answer = get(addr, Duration::from_secs(5));
    println!(
        "fifth connection answered after {:?}: {answer:?}",
        started.elapsed()
    );
    assert_eq!(answer.unwrap(), "HTTP/1.1 404 Not Found");
    // The first opened, idle longest, was closed to make room; the last was not.
    let mut first = &open[0];
    first
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    assert_eq!(
        first.read(&mut [0u8; 1]).unwrap(),
        0,
        "closed by the server"
    );
    let last = &open[3];
    last.set_nonblocking(true).unwrap();
    let still_open = last.peek(&mut [0u8; 1]).unwrap_err().kind();
    assert_eq!(still_open, std::io::ErrorKind::WouldBlock);
}

#[test]
fn past_the_cap_a_newcomer_waits_while_every_connection_is_busy() {
    let server = ServerProcess::start(&["--max-connections", "2"]);
    let url = server.url();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Two calls held 3 s by the slow fault, each on a connection of its own,
    // producing nothing meanwhile: busy, but not stalled for long.
    runtime.block_on(set_slow(&url, 3_000));
    let slow: Vec<_> = (0..2)
        .map(|i| {
            let url = url.clone();
            runtime
                .spawn(async move { web_hello(&http1_client(), &url, &format!("slow{i}")).await })
        })
        .collect();
    // (Asking the server would take a third connection.)
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let answer = get(server.addr(), Duration::from_secs(30));
    let waited = started.elapsed();
    println!("newcomer answered after {waited:?}: {answer:?}");
    assert_eq!(answer.unwrap(), "HTTP/1.1 404 Not Found");
    // It waited until one of them had stalled (made no progress) for 1 s,
    // well before they would have finished.
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_millis(2_500), "{waited:?}");
    for call in slow {
        let _ = runtime.block_on(call);
    }
}

/// User and system CPU time of process `pid` so far, from `/proc/<pid>/stat`.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces) in parentheses.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // Linux reports in USER_HZ, 100 per second on every common platform.
    Duration::from_millis(ticks * 10)
}

#[test]
fn out_of_file_descriptors_the_server_backs_off_and_recovers() {
    // 64 descriptors for the whole process, and no connection cap below
    // that: accepting fails with EMFILE once about 50 connections are open.
    let binary = support::server_binary();
    let launch = server_launcher::Launch::new("sh")
        .args(["-c", r#"ulimit -n 64 && exec "$0" "$@""#])
        .arg(&binary)
        .args([
            "--static-dir",
            "/nonexistent-page",
            "--max-connections",
            "1000",
            "--header-read-timeout",
            "4s",
        ])
        .env("RUST_LOG", "warn")
        .env("NO_COLOR", "1")
        .output(server_launcher::Output::Capture);
    let server = ServerProcess::start_with(launch);
    let addr = server.addr();
    let idle: Vec<TcpStream> = (0..100)
        .filter_map(|_| TcpStream::connect(addr).ok())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_time(server.pid());
    let window = Duration::from_secs(2);
    std::thread::sleep(window);
    let used = cpu_time(server.pid()) - before;
    println!(
        "{} idle connections; server CPU in {window:?} at the fd limit: {used:?}",
        idle.len()
    );
    // A spinning accept loop uses all of the window; backing off, almost none.
    assert!(used < window / 2, "{used:?} of CPU in {window:?}");
    assert!(
        server.log_tail().contains("cannot accept connections"),
        "{}",
        server.log_tail()
    );

    // The idle connections are closed by the header-read timeout; then the
    // server accepts and answers again.
    drop(idle);
    let mut answered = None;
    for _ in 0..50 {
        if let Ok(status) = get(addr, Duration::from_secs(5)) {
            answered = Some(status);
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(answered.as_deref(), Some("HTTP/1.1 404 Not Found"));
}

async fn set_slow(url: &str, delay_ms: u32) {
    FaultsClient::new(support::channel(url).await)
        .set_mode(FaultMode {
            mode: Some(fault_mode::Mode::Slow(Slow { delay_ms })),
        })
        .await
        .unwrap();
}

async fn wait_for_received(url: &str, count: u64) {
    let mut faults = FaultsClient::new(support::channel(url).await);
    for _ in 0..250 {
        let status = faults
            .get_status(GetStatusRequest {})
            .await
            .unwrap()
            .into_inner();
        if status.received >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the call never reached the server");
}

fn terminate(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits (at most `limit`) for the server to exit; its exit status and how long it took.
fn wait_for_exit(
    server: &mut ServerProcess,
    limit: Duration,
) -> (Option<std::process::ExitStatus>, Duration) {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = server.try_wait().unwrap() {
            return (Some(status), started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (None, started.elapsed())
}

/// A server with `--shutdown-timeout bound`, and one SayHello call
/// taking `delay_ms`, in flight.
async fn server_with_a_call_in_flight(
    bound: &str,
    delay_ms: u32,
) -> (
    ServerProcess,
    tokio::task::JoinHandle<Result<String, String>>,
) {
    let server = ServerProcess::start(&["--faults", "on", "--shutdown-timeout", bound]);
    let url = server.url();
    set_slow(&url, delay_ms).await;
    let call = tokio::spawn({
        let url = url.clone();
        async move { web_hello(&http1_client(), &url, "last").await }
    });
    wait_for_received(&url, 1).await;
    (server, call)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_a_call_finish_but_waits_no_longer_than_its_bound() {
    // A call that finishes within the bound is answered, then the server exits.
    let (mut server, call) = server_with_a_call_in_flight("10s", 1000).await;
    terminate(server.pid());
    assert_eq!(call.await.unwrap(), Ok("Hello last".to_owned()));
    let (status, _) = wait_for_exit(&mut server, Duration::from_secs(30));
    assert!(status.is_some_and(|s| s.success()), "{status:?}");

    // A call far longer than the bound (30 s against 2 s) does not hold the
    // shutdown: the server exits, cleanly, at the bound.
    let (mut server, call) = server_with_a_call_in_flight("2s", 30_000).await;
    terminate(server.pid());
    let (status, took) = wait_for_exit(&mut server, Duration::from_secs(25));
    println!("exited {took:?} after SIGTERM with a 30 s call in flight: {status:?}");
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    assert!(call.await.unwrap().is_err(), "the stuck call was cut");
}
