//! Safe defaults, checked on the configuration and on the real server
//! binary run as a child process on loopback:
//! - the fault controls are off unless the server is bound to loopback or
//!   they are switched on (`--faults` / `SERVER_FAULTS`); when off they
//!   answer `Unimplemented`, natively and over gRPC-Web, and SayHello works;
//! - CORS answers only loopback origins and configured ones, never `*`, and
//!   the binary refuses to start with `*` as an origin;
//! - the concurrency limit queues calls rather than dropping them, and the
//!   handler never runs more of them at once than the limit; the largest
//!   limits the flags accept start a working server (no panic);
//! - the server's request timeout answers `DeadlineExceeded`, over gRPC-Web
//!   too (with CORS headers, so a page can read it), and a client deadline
//!   longer than it does not extend it.

#[path = "hardening_support.rs"]
mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use proto::greeter::GetStatusRequest;
use proto::greeter::HelloRequest;
use proto::greeter::faults_client::FaultsClient;
use proto::greeter::greeter_client::GreeterClient;
use server::faults::Mode;
use server::{Config, FaultsSetting};
use support::{ServerProcess, frame, hello, http1_call, http1_client, web_call, web_hello};
use tonic::Code;

#[test]
fn the_default_configuration_is_safe() {
    let config = Config::default();
    assert!(config.addr.ip().is_loopback(), "{}", config.addr);
    assert!(config.allowed_origins.is_empty());
    assert_eq!(config.faults, FaultsSetting::Auto);
    assert_eq!(config.max_concurrent_requests, 256);
    assert_eq!(config.request_timeout, Duration::from_secs(120));
    assert_eq!(config.body_timeout, Duration::from_secs(10));
    assert_eq!(config.body_deadline, Duration::from_secs(30));
    assert_eq!(config.max_request_body_bytes, 64 * 1024);
    assert_eq!(config.max_queued_requests, 256);
    assert_eq!(config.max_connections, 512);
    assert_eq!(config.max_open_files_per_connection, 8);
    assert_eq!(config.stall_timeout, Duration::from_secs(10));
    assert_eq!(config.http1_max_head_bytes, 16 * 1024);
    assert_eq!(config.http2_max_concurrent_streams, 100);
    assert_eq!(config.http2_keepalive_interval, Duration::from_secs(30));
    assert_eq!(config.http2_keepalive_timeout, Duration::from_secs(10));
    assert_eq!(config.header_read_timeout, Duration::from_secs(10));
    assert_eq!(config.shutdown_timeout, Duration::from_secs(10));
    assert!(config.allowed_hosts.is_empty());
    assert_eq!(server::MAX_DECODING_MESSAGE_SIZE, 16 * 1024);
    assert_eq!(server::MAX_NAME_CHARS, 256);

    let addr = |s: &str| s.parse::<SocketAddr>().unwrap();
    for public in [
        "0.0.0.0:1",
        "[::]:1",
        "192.0.2.7:50051",
        "[2001:db8::1]:50051",
    ] {
        assert!(!FaultsSetting::Auto.enabled_for(&addr(public)), "{public}");
        assert!(!FaultsSetting::Off.enabled_for(&addr(public)), "{public}");
        assert!(FaultsSetting::On.enabled_for(&addr(public)), "{public}");
    }
    for loopback in ["127.0.0.1:50051", "127.8.9.10:1", "[::1]:50051"] {
        assert!(
            FaultsSetting::Auto.enabled_for(&addr(loopback)),
            "{loopback}"
        );
        assert!(
            !FaultsSetting::Off.enabled_for(&addr(loopback)),
            "{loopback}"
        );
    }
    assert!(
        server::cors::OriginPolicy::new(&["*".to_owned()]).is_err(),
        "a wildcard origin is refused"
    );
}

/// `(native GetStatus code, gRPC-Web GetStatus grpc-status)` of a server.
async fn faults_answer(url: &str) -> (Code, Option<i32>) {
    let native = match FaultsClient::new(support::channel(url).await)
        .get_status(GetStatusRequest {})
        .await
    {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    };
    let web = web_call(
        &http1_client(),
        url,
        "/greeter.Faults/GetStatus",
        "application/grpc-web+proto",
        frame(0, &[]),
    )
    .await
    .unwrap();
    (native, web.grpc_status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_fault_controls_only_where_allowed() {
    // No flag, bound to loopback: on (the demo's page needs them).
    let server = ServerProcess::start(&[]);
    assert_eq!(faults_answer(&server.url()).await, (Code::Ok, Some(0)));
    drop(server);

    // Switched off by flag, or by environment: Unimplemented (12) everywhere,
    // and SayHello still answers.
    for (flags, env) in [
        (&["--faults", "off"][..], &[][..]),
        (&[][..], &[("SERVER_FAULTS", "off")][..]),
    ] {
        let server = ServerProcess::start_with_env("127.0.0.1:0", flags, env);
        let url = server.url();
        assert_eq!(
            faults_answer(&url).await,
            (Code::Unimplemented, Some(12)),
            "{flags:?} {env:?}"
        );
        assert_eq!(
            web_hello(&http1_client(), &url, "still").await,
            Ok("Hello still".to_owned())
        );
        let mut greeter = GreeterClient::new(support::channel(&url).await);
        let reply = greeter
            .say_hello(HelloRequest {
                name: "native".into(),
            })
            .await
            .unwrap();
        assert_eq!(reply.into_inner().message, "Hello native");
    }
}

/// The `access-control-allow-origin` of a preflight from `origin`; a
/// refused origin is answered `403` without it.
async fn preflight(url: &str, origin: &str) -> Option<String> {
    let reply = http1_call(
        &http1_client(),
        http::Method::OPTIONS,
        url,
        support::SAY_HELLO,
        &[
            ("origin", origin),
            ("access-control-request-method", "POST"),
            ("access-control-request-headers", "content-type,x-grpc-web"),
        ],
        Vec::new(),
    )
    .await
    .unwrap();
    let allowed = reply.headers.contains_key("access-control-allow-origin");
    assert_eq!(
        reply.http,
        if allowed { 200 } else { 403 },
        "{origin}: {reply:?}"
    );
    reply
        .headers
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_allows_only_loopback_and_configured_origins() {
    let server = ServerProcess::start(&["--allowed-origin", "https://demo.example"]);
    let url = server.url();
    for allowed in [
        "http://localhost:8080",
        "http://127.0.0.1:1234",
        "http://[::1]:3000",
        "https://demo.example",
    ] {
        assert_eq!(preflight(&url, allowed).await.as_deref(), Some(allowed));
    }
    for refused in [
        "http://evil.example",
        "https://localhost:8080",
        "http://localhost.evil.example",
        "https://demo.example.evil.example",
        "http://demo.example",
        "null",
    ] {
        assert_eq!(preflight(&url, refused).await, None, "{refused}");
    }
    drop(server);

    let (status, log) = ServerProcess::run_to_exit(
        &["--addr", "127.0.0.1:0", "--allowed-origin", "*"],
        &[],
        Duration::from_secs(30),
    );
    assert!(!status.success(), "started with origin *: {log}");
    assert!(log.contains("invalid allowed origin"), "{log}");
    for bad in [
        &["--max-concurrent-requests", "0"][..],
        &["--page-max-concurrent-requests", "0"][..],
        &["--faults-max-concurrent-requests", "0"][..],
        &["--request-timeout", "0s"][..],
        &["--body-timeout", "0s"][..],
        &["--faults", "maybe"][..],
        &["--http1-max-head-bytes", "8191"][..],
        &["--max-open-files-per-connection", "0"][..],
        &["--stall-timeout", "0s"][..],
    ] {
        let args = [&["--addr", "127.0.0.1:0"][..], bad].concat();
        let (status, log) = ServerProcess::run_to_exit(&args, &[], Duration::from_secs(30));
        assert!(!status.success(), "{bad:?} accepted: {log}");
    }
}

/// The largest limits the flags accept start a working server (limits above
/// tokio's semaphore maximum, 2^61 - 1, are taken as that maximum).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_largest_limits_the_flags_accept_do_not_panic() {
    let max = u64::MAX.to_string();
    let max_u32 = u32::MAX.to_string();
    let max_secs = format!("{max}s");
    let day = format!("{}s", server::config::MAX_PROTOCOL_TIMER.as_secs());
    let server = ServerProcess::start(&[
        "--max-concurrent-requests",
        &max,
        "--max-queued-requests",
        &max,
        "--page-max-concurrent-requests",
        &max,
        "--page-max-queued-requests",
        &max,
        "--faults-max-concurrent-requests",
        &max,
        "--faults-max-queued-requests",
        &max,
        "--max-connections",
        &max,
        "--max-open-files-per-connection",
        &max,
        "--stall-timeout",
        &max_secs,
        "--http1-max-head-bytes",
        &max,
        "--max-request-body-bytes",
        &max,
        "--http2-max-concurrent-streams",
        &max_u32,
        "--request-timeout",
        &max_secs,
        "--body-timeout",
        &max_secs,
        "--body-deadline",
        &max_secs,
        "--shutdown-timeout",
        &max_secs,
        "--header-read-timeout",
        &day,
        "--http2-keepalive-interval",
        &day,
        "--http2-keepalive-timeout",
        &day,
    ]);
    let url = server.url();
    assert_eq!(
        web_hello(&http1_client(), &url, "big").await,
        Ok("Hello big".to_owned())
    );
    let mut greeter = GreeterClient::new(support::channel(&url).await);
    let reply = greeter
        .say_hello(HelloRequest { name: "big".into() })
        .await
        .unwrap();
    assert_eq!(reply.into_inner().message, "Hello big");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_concurrency_limit_queues_calls_and_is_never_exceeded() {
    const LIMIT: usize = 2;
    const CALLS: usize = 8;
    let server = server::spawn(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        static_dir: None,
        max_concurrent_requests: LIMIT,
        ..Config::default()
    })
    .await
    .unwrap();
    let delay = Duration::from_millis(300);
    server.faults().set_mode(Mode::Slow { delay });
    let channel = support::channel(&server.url()).await;
    let started = Instant::now();
    let calls: Vec<_> = (0..CALLS)
        .map(|i| {
            let mut greeter = GreeterClient::new(channel.clone());
            tokio::spawn(async move {
                greeter
                    .say_hello(HelloRequest {
                        name: format!("queued-{i}"),
                    })
                    .await
                    .map(|r| r.into_inner().message)
            })
        })
        .collect();
    // Sample how many calls the handler holds at once while they run.
    let mut peak = 0;
    while server.faults().counters().answered < CALLS as u64 {
        let counters = server.faults().counters();
        peak = peak.max(counters.received - counters.answered);
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the queued calls did not finish"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for (i, call) in calls.into_iter().enumerate() {
        assert_eq!(call.await.unwrap().unwrap(), format!("Hello queued-{i}"));
    }
    println!(
        "{CALLS} calls through a limit of {LIMIT}: at most {peak} in the handler at once, done in {:?}",
        started.elapsed()
    );
    assert!(
        peak as usize <= LIMIT,
        "{peak} calls in the handler at once"
    );
    assert!(peak >= 1);
    // Only a lower bound: queued calls ran in turns of at most LIMIT.
    assert!(started.elapsed() >= delay * (CALLS / LIMIT) as u32);
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_timeout_answers_deadline_exceeded_over_grpc_web_too() {
    let server = server::spawn(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        static_dir: None,
        request_timeout: Duration::from_millis(300),
        ..Config::default()
    })
    .await
    .unwrap();
    server.faults().set_mode(Mode::Slow {
        delay: Duration::from_secs(5),
    });
    let url = server.url();
    let client = http1_client();
    // Without a client deadline, and with a longer one than the server's.
    for grpc_timeout in [None, Some("10S")] {
        let mut headers = vec![
            ("content-type", "application/grpc-web+proto"),
            ("x-grpc-web", "1"),
            ("origin", "http://localhost:8080"),
        ];
        if let Some(timeout) = grpc_timeout {
            headers.push(("grpc-timeout", timeout));
        }
        let started = Instant::now();
        let reply = http1_call(
            &client,
            http::Method::POST,
            &url,
            support::SAY_HELLO,
            &headers,
            frame(0, &hello("patient")),
        )
        .await
        .unwrap();
        assert_eq!(reply.outcome(), "grpc 4", "{grpc_timeout:?}: {reply:?}");
        assert!(
            reply
                .grpc_message
                .as_deref()
                .is_some_and(|m| m.starts_with("Request%20timed%20out")),
            "{reply:?}"
        );
        assert_eq!(
            reply.headers["access-control-allow-origin"],
            "http://localhost:8080"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{grpc_timeout:?}"
        );
    }
    let counters = server.faults().counters();
    assert_eq!((counters.received, counters.answered), (2, 0));
    server.shutdown().await.unwrap();
}
