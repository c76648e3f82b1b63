//! Admission on the real server binary: SayHello, the fault controls and
//! the page each have a pool of their own, so
//! - with 300 slow SayHello calls in flight (all of the default 256 slots
//!   taken, 44 queued), the page and `Faults.SetMode` are answered while
//!   those calls still wait;
//! - a full SayHello queue answers `ResourceExhausted` at once (natively
//!   and over gRPC-Web, with CORS headers a page can read), not after the
//!   calls ahead of it.

#[path = "hardening_support.rs"]
mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use proto::greeter::faults_client::FaultsClient;
use proto::greeter::greeter_client::GreeterClient;
use proto::greeter::{FaultMode, GetStatusRequest, Healthy, HelloRequest, Slow, fault_mode};
use support::{SAY_HELLO, ServerProcess, frame, hello, http1_client, web_call_from};
use tonic::Code;

/// A page directory with an `index.html`, removed on drop.
struct Page(PathBuf);

impl Page {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("admission-page-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
        Self(dir)
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn set_mode(url: &str, mode: fault_mode::Mode) -> Duration {
    let mut faults = FaultsClient::new(support::channel(url).await);
    let started = Instant::now();
    faults
        .set_mode(FaultMode { mode: Some(mode) })
        .await
        .unwrap();
    started.elapsed()
}

async fn received(url: &str) -> (u64, u64) {
    let status = FaultsClient::new(support::channel(url).await)
        .get_status(GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    (status.received, status.answered)
}

/// Polls (at most 20 s) until `count` calls reached the handler; whether they did.
async fn wait_for_received(url: &str, count: u64) -> bool {
    for _ in 0..500 {
        if received(url).await.0 >= count {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    false
}

/// Starts `count` SayHello calls over `connections` HTTP/2 connections.
async fn start_calls(
    url: &str,
    count: usize,
    connections: usize,
) -> Vec<tokio::task::JoinHandle<Result<(), tonic::Status>>> {
    let mut channels = Vec::new();
    for _ in 0..connections {
        channels.push(support::channel(url).await);
    }
    (0..count)
        .map(|i| {
            let mut client = GreeterClient::new(channels[i % connections].clone());
            tokio::spawn(async move {
                client
                    .say_hello(HelloRequest {
                        name: format!("slow-{i}"),
                    })
                    .await
                    .map(drop)
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_and_fault_controls_answer_while_300_slow_calls_wait() {
    let page = Page::new();
    let server = ServerProcess::start_with(
        support::launch(&[("RUST_LOG", "info,server::calls=warn")])
            .args(["--faults", "on", "--static-dir"])
            .arg(&page.0),
    );
    let url = server.url();
    set_mode(&url, fault_mode::Mode::Slow(Slow { delay_ms: 30_000 })).await;
    // Four connections: 75 streams each, under the 100-stream limit.
    let calls = start_calls(&url, 300, 4).await;
    // Every slot taken (the default 256); the rest queued.
    assert!(
        wait_for_received(&url, 256).await,
        "the slow calls did not fill the slots"
    );

    let started = Instant::now();
    let page_answer = http1_client().get(format!("{url}/")).send().await.unwrap();
    let page_latency = started.elapsed();
    assert_eq!(page_answer.status(), 200);
    let set_mode_latency = set_mode(&url, fault_mode::Mode::Healthy(Healthy {})).await;
    let (received, answered) = received(&url).await;
    println!(
        "with 300 slow calls in flight ({received} in the handler, {answered} answered): \
         GET / in {page_latency:?}, SetMode in {set_mode_latency:?}"
    );
    // The slow calls are still waiting (30 s each): the page and SetMode did not wait for them.
    assert_eq!(answered, 0);
    assert!(calls.iter().all(|call| !call.is_finished()));
    for call in calls {
        call.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_resource_exhausted_at_once() {
    let server = ServerProcess::start(&[
        "--faults",
        "on",
        "--max-concurrent-requests",
        "2",
        "--max-queued-requests",
        "2",
    ]);
    let url = server.url();
    set_mode(&url, fault_mode::Mode::Slow(Slow { delay_ms: 30_000 })).await;
    let calls = start_calls(&url, 4, 1).await;
    assert!(wait_for_received(&url, 2).await);
    // Let the two queued calls reach the queue.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut native = GreeterClient::new(support::channel(&url).await);
    let started = Instant::now();
    let status = native
        .say_hello(HelloRequest {
            name: "one too many".into(),
        })
        .await
        .unwrap_err();
    let native_latency = started.elapsed();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");

    let started = Instant::now();
    let reply = web_call_from(
        &http1_client(),
        &url,
        SAY_HELLO,
        "http://localhost:8080",
        frame(0, &hello("one too many")),
    )
    .await
    .unwrap();
    let web_latency = started.elapsed();
    assert_eq!(reply.outcome(), "grpc 8", "{reply:?}");
    assert_eq!(
        reply.headers["access-control-allow-origin"],
        "http://localhost:8080"
    );
    println!("full queue answered in {native_latency:?} (native), {web_latency:?} (gRPC-Web)");
    // Answered while the four calls ahead still wait (30 s each).
    assert!(calls.iter().all(|call| !call.is_finished()));
    assert_eq!(received(&url).await, (2, 0));
    for call in calls {
        call.abort();
    }
}
