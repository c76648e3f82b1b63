//! The page's "Shared breakers" panel, with real processes: a
//! `redis-server` of the test's own, the server binary with
//! `--shared-state` serving the release page and failing every SayHello,
//! two CLI clients sharing the breaker, and headless Chromium. The panel
//! shows the trip the first client makes, live; a force open from the page
//! makes the next CLI call refuse without the server receiving it; a
//! release and a short time to live running out let calls through again;
//! and with the server restarted under the page, the watch reconnects and
//! the panel shows what changed meanwhile. A server without shared state
//! gets no panel at all.

#[path = "support/mod.rs"]
mod page;

#[path = "hardening_support.rs"]
mod support;

#[path = "support/client_process.rs"]
mod client_process;

#[path = "../../tripbreaker-redis/tests/support/redis_server.rs"]
#[allow(dead_code)] // the test uses only part of it
mod redis_server;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::time::Instant;

use client_process::{client_command, run_client};
use page::browser::Browser;
use proto::greeter::faults_client::FaultsClient;
use proto::greeter::{FaultMode, GetStatusRequest, Healthy, fault_mode};
use redis_server::RedisServer;
use serde_json::{Value, json};
use support::{ServerProcess, channel};

const TRIPPED: &str = "Circuit Breaker 'greeter' changed from closed to open";
const OPEN: &str = "Error calling SayHello: circuit breaker is open";
const GREETING: &str = "Greeting: Hello World";

/// The server binary serving the release page with `--shared-state`, on `addr`.
fn start_server(addr: SocketAddr, redis: &RedisServer, extra: &[&str]) -> ServerProcess {
    let launch = support::launch(&[])
        .addr(addr)
        .arg("--static-dir")
        .arg(page::dist())
        .args(["--shared-state", &redis.url()])
        .args(extra)
        .env("RUST_LOG", "info,server::calls=warn");
    ServerProcess::start_with(launch)
}

/// The client's arguments for `calls` calls of `server` through the shared breaker.
fn calls(server: &str, redis: &RedisServer, calls: &str) -> Vec<String> {
    [
        "--server",
        server,
        "--shared-state",
        &redis.url(),
        "--timeout",
        "60s",
        "--calls",
        calls,
        "--every",
        "100ms",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The row of the breaker `name`: its `data-state` and `data-forced`, or
/// `None` while the panel does not show it.
async fn row(browser: &Browser, name: &str) -> Option<(String, String)> {
    let script = "const row = document.querySelector(`[data-testid='fleet-breaker'][data-name='${arguments[0]}']`); \
        return row ? [row.dataset.state, row.dataset.forced] : null;";
    let value = browser
        .client
        .execute(script, vec![json!(name)])
        .await
        .ok()?;
    serde_json::from_value(value).ok()
}

/// Waits until the row of `greeter` is in `state`, forced or not.
async fn wait_for_row(browser: &Browser, state: &str, forced: bool) {
    let wanted = Some((state.to_owned(), forced.to_string()));
    browser
        .wait_until(
            &format!("greeter's row to say {state}, forced {forced}"),
            || async { row(browser, "greeter").await == wanted },
        )
        .await;
}

/// Clicks the control `testid` in greeter's row.
async fn click_in_row(browser: &Browser, testid: &str) {
    let script = "const row = document.querySelector(\"[data-testid='fleet-breaker'][data-name='greeter']\"); \
        const control = row && row.querySelector(`[data-testid='${arguments[0]}']`); \
        if (!control || control.disabled) return false; control.click(); return true;";
    let clicked = browser
        .client
        .execute(script, vec![json!(testid)])
        .await
        .unwrap();
    assert_eq!(
        clicked,
        Value::Bool(true),
        "{testid} in greeter's row\n{}",
        browser.report().await
    );
}

/// Chooses the time to live `ms` in greeter's row.
async fn choose_ttl(browser: &Browser, ms: u64) {
    let script = "const select = document.querySelector(\"[data-testid='fleet-breaker'][data-name='greeter'] [data-testid='fleet-ttl']\"); \
        select.value = arguments[0]; select.dispatchEvent(new Event('change', { bubbles: true })); return select.value;";
    let chosen = browser
        .client
        .execute(script, vec![json!(ms.to_string())])
        .await
        .unwrap();
    assert_eq!(chosen, json!(ms.to_string()));
}

/// The fleet watch's link as the panel shows it (`live`, `reconnecting`…).
async fn link(browser: &Browser) -> String {
    browser
        .attr("fleet-status", "data-link")
        .await
        .unwrap_or_default()
}

/// Scrolls the panel into view and saves a screenshot as `stage`.
async fn screenshot(browser: &Browser, stage: &str) {
    let script = "document.querySelector(\"[data-testid='fleet-panel']\")?.scrollIntoView()";
    let _ = browser.client.execute(script, vec![]).await;
    browser.screenshot(stage).await;
}

/// SayHello calls that reached the server's handler.
async fn received(server: &ServerProcess) -> u64 {
    let mut faults = FaultsClient::new(channel(&server.url()).await);
    faults
        .get_status(GetStatusRequest {})
        .await
        .expect("a status")
        .into_inner()
        .received
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_watches_and_steers_the_shared_breaker_of_two_clients() {
    let redis = RedisServer::start();
    let port = server_launcher::child_port().expect("a free port");
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let mut server = start_server(addr, &redis, &["--initial-fault", "failing"]);
    let url = server.url();
    let browser = Browser::start("fleet_panel").await;
    browser.open(&format!("{url}/")).await;
    browser
        .wait_until("the fleet panel", || async {
            browser.attr("fleet-panel", "data-testid").await.is_some()
        })
        .await;
    browser
        .wait_until("the watch to be live", || async {
            link(&browser).await == "live"
        })
        .await;

    // The first client trips the shared breaker: the panel shows it open.
    let first = calls(&url, &redis, "5");
    let mut child = client_command(&strs(&first), &[])
        .spawn()
        .expect("the client starts");
    let stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut tripped_at = None;
    for line in stdout.lines().map_while(Result::ok) {
        println!("client 1: {line}");
        if line == TRIPPED {
            tripped_at = Some(Instant::now());
            break;
        }
    }
    let tripped_at = tripped_at.expect("the first client trips the breaker");
    wait_for_row(&browser, "open", false).await;
    println!(
        "the panel showed the trip {:?} after the client said it",
        tripped_at.elapsed()
    );
    assert!(child.wait().expect("the client ends").success());
    screenshot(&browser, "tripped").await;

    // The second client refuses every call, the shared breaker being open.
    let second = run_client(&strs(&calls(&url, &redis, "2")), &[]);
    assert_eq!(second.stdout, [OPEN, OPEN], "{second:?}");

    // Healed, but forced open from the page: the next call is refused
    // before it reaches the server.
    let mut faults = FaultsClient::new(channel(&url).await);
    faults
        .set_mode(FaultMode {
            mode: Some(fault_mode::Mode::Healthy(Healthy {})),
        })
        .await
        .expect("healed");
    click_in_row(&browser, "fleet-force-open").await;
    wait_for_row(&browser, "open", true).await;
    screenshot(&browser, "forced-open").await;
    let before = received(&server).await;
    let refused = run_client(&strs(&calls(&url, &redis, "1")), &[]);
    assert_eq!(
        refused.stdout.last().map(String::as_str),
        Some(OPEN),
        "{refused:?}"
    );
    assert_eq!(
        received(&server).await,
        before,
        "no call reached the server"
    );

    // Released from the page: calls go through again.
    click_in_row(&browser, "fleet-release").await;
    wait_for_row(&browser, "closed", false).await;
    let through = run_client(&strs(&calls(&url, &redis, "1")), &[]);
    assert_eq!(
        through.stdout.last().map(String::as_str),
        Some(GREETING),
        "{through:?}"
    );
    assert_eq!(received(&server).await, before + 1);

    // Forced for the shortest time the page offers: it ends by itself.
    choose_ttl(&browser, 10_000).await;
    click_in_row(&browser, "fleet-force-open").await;
    wait_for_row(&browser, "open", true).await;
    let forced_at = Instant::now();
    wait_for_row(&browser, "closed", false).await;
    println!("the 10 s force ended after {:?}", forced_at.elapsed());
    let after = run_client(&strs(&calls(&url, &redis, "1")), &[]);
    assert_eq!(
        after.stdout.last().map(String::as_str),
        Some(GREETING),
        "{after:?}"
    );

    // The server restarted under the page: while it is down the panel says
    // it reconnects; a force made meanwhile from the CLI shows once it is back.
    server.kill();
    browser
        .wait_until("the panel to say it reconnects", || async {
            link(&browser).await == "reconnecting"
        })
        .await;
    screenshot(&browser, "reconnecting").await;
    let forced = run_client(
        &[
            "force",
            "closed",
            "--shared-state",
            &redis.url(),
            "--for",
            "60s",
            "--reason",
            "while the server was down",
        ],
        &[],
    );
    assert!(forced.status.success(), "{forced:?}");
    let _server = start_server(addr, &redis, &[]);
    browser
        .wait_until("the watch to be live again", || async {
            link(&browser).await == "live"
        })
        .await;
    wait_for_row(&browser, "closed", true).await;
    screenshot(&browser, "reconnected").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_shared_state_the_page_shows_no_panel() {
    let server = page::serve_page().await;
    let browser = Browser::start("fleet_panel_none").await;
    browser.open(&format!("{}/", server.url())).await;
    browser.wait_for_state("closed").await;
    // The server answers List with shared_state = false at once; the panel
    // would be drawn within moments of that answer if it were drawn at all.
    let deadline = Instant::now() + std::time::Duration::from_secs(3);
    while Instant::now() < deadline {
        let panel = browser.attr("fleet-panel", "data-testid").await;
        assert!(
            panel.is_none(),
            "a panel without shared state\n{}",
            browser.report().await
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.close().await;
    server.shutdown().await.expect("the server stops");
}
