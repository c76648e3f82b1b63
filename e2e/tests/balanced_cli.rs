//! The README's balanced demo, with real processes: three server binaries
//! on three loopback ports, one started with `--initial-fault failing`, and
//! the `client` binary calling all three (`GREETER_SERVER` as a
//! comma-separated list). After `trip` failures the bad endpoint's breaker
//! opens and every call is answered by the other two, the bad one
//! receiving none; healed from its fault controls, it is back after its
//! timeout and its half-open trial calls. Also: a server given twice, a
//! URL that is none, several servers for the Go demo or with
//! `--shared-state` are refused at start (exit 2) naming the flag.

#[path = "hardening_support.rs"]
mod support;

#[path = "support/client_process.rs"]
mod client_process;

use client_process::{client_binary, run_client};
use proto::greeter::faults_client::FaultsClient;
use proto::greeter::{FaultMode, GetStatusRequest, Healthy, fault_mode};
use std::time::Duration;
use support::ServerProcess;

const TRIP: usize = 3;
const MAX_REQUESTS: usize = 3;
const FAILED: &str =
    "Error calling SayHello: rpc error: code = Unavailable desc = injected failure";
const GREETING: &str = "Greeting: Hello World";

/// The SayHello calls `url` has received so far, from its fault controls.
async fn received(url: &str) -> u64 {
    FaultsClient::new(support::channel(url).await)
        .get_status(GetStatusRequest {})
        .await
        .expect("the fault controls answer")
        .into_inner()
        .received
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_server_loses_its_calls_until_it_is_healed() {
    let good = [ServerProcess::start(&[]), ServerProcess::start(&[])];
    let bad = ServerProcess::start(&["--initial-fault", "failing"]);
    let (first, bad_url, third) = (good[0].url(), bad.url(), good[1].url());
    let servers = format!("{first},{bad_url},{third}");
    // Build the client first: on a fresh checkout that can take longer
    // than the wait for the bad server's failures below.
    tokio::task::spawn_blocking(client_binary).await.unwrap();

    let client = {
        let servers = servers.clone();
        tokio::task::spawn_blocking(move || {
            let args = [
                "--calls",
                "60",
                "--every",
                "50ms",
                "--timeout",
                "1s",
                "--trip",
                "3",
            ];
            run_client(&args, &[("GREETER_SERVER", &servers)])
        })
    };
    // Heal the bad server from its fault controls once it failed the calls
    // that trip its breaker (looking every 20 ms, for at most 30 s).
    let mut failed_enough = false;
    for _ in 0..1500 {
        if received(&bad_url).await >= TRIP as u64 {
            failed_enough = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        failed_enough,
        "the bad server did not receive {TRIP} calls within 30 s"
    );
    FaultsClient::new(support::channel(&bad_url).await)
        .set_mode(FaultMode {
            mode: Some(fault_mode::Mode::Healthy(Healthy {})),
        })
        .await
        .expect("the bad server heals");
    let run = client.await.unwrap();
    assert!(run.status.success(), "{run:?}");

    let from_bad = format!("[{bad_url}] ");
    let lines = &run.stdout;
    let at = |line: String| {
        lines
            .iter()
            .position(|l| *l == line)
            .unwrap_or_else(|| panic!("no `{line}` in {lines:#?}"))
    };
    let tripped = at(format!(
        "{from_bad}Circuit Breaker 'greeter' changed from closed to open"
    ));
    let half_open = at(format!(
        "{from_bad}Circuit Breaker 'greeter' changed from open to half-open"
    ));
    let closed = at(format!(
        "{from_bad}Circuit Breaker 'greeter' changed from half-open to closed"
    ));
    assert!(tripped < half_open && half_open < closed, "{lines:#?}");

    let replies: Vec<&String> = lines.iter().filter(|l| !l.contains("changed")).collect();
    assert_eq!(replies.len(), 60, "{lines:#?}");
    // A state change is printed before the reply of the call that made it.
    let failed: Vec<_> = lines.iter().filter(|l| l.ends_with(FAILED)).collect();
    assert_eq!(failed.len(), TRIP, "{lines:#?}");
    assert!(
        failed.iter().all(|l| l.starts_with(&from_bad)),
        "{lines:#?}"
    );
    assert!(lines[tripped + 1].ends_with(FAILED), "{lines:#?}");
    // After the trip every call is answered, by the other two while the
    // bad one is open, and by the healed one again from its trial calls on.
    for line in &lines[tripped + 2..] {
        assert!(
            line.ends_with(GREETING) || line.contains("changed from"),
            "{line} after the trip in {lines:#?}"
        );
    }
    assert!(
        lines[tripped + 2..half_open]
            .iter()
            .all(|l| !l.starts_with(&from_bad) || l.contains("changed from")),
        "the open endpoint got no call: {lines:#?}"
    );
    let trials = lines[half_open..=closed + 1]
        .iter()
        .filter(|l| l.starts_with(&from_bad) && l.ends_with(GREETING))
        .count();
    assert_eq!(trials, MAX_REQUESTS, "{lines:#?}");
    // What the bad server received is exactly the calls the client shows.
    let shown = replies.iter().filter(|l| l.starts_with(&from_bad)).count();
    assert_eq!(received(&bad_url).await, shown as u64);
    assert!(
        run.stderr
            .contains("60 calls: 57 answered, 3 failed, 0 refused by the breaker"),
        "{}",
        run.stderr
    );
    // While it was open its turns went to both others, not to its neighbour.
    let calls_to = |url: &str| {
        let label = format!("[{url}] ");
        replies.iter().filter(|l| l.starts_with(&label)).count()
    };
    assert!(
        calls_to(&first).abs_diff(calls_to(&third)) <= 2,
        "{lines:#?}"
    );
    assert!(
        run.stderr.contains(&format!("{bad_url}: ")),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_server_lists_are_refused_at_start_naming_the_flag() {
    // No server is needed: the flags are read before any call.
    let (a, b) = ("http://127.0.0.1:9", "http://127.0.0.1:10");
    for (args, env, says) in [
        (
            vec![
                "--server",
                a,
                "--server",
                "http://127.0.0.1:9/",
                "--calls",
                "1",
            ],
            vec![],
            "--server http://127.0.0.1:9 is given twice",
        ),
        (
            vec!["--calls", "1"],
            vec![("GREETER_SERVER", "http://127.0.0.1:9,127.0.0.1:10")],
            "`127.0.0.1:10` is not a server URL",
        ),
        (
            vec!["--server", a, "--server", b],
            vec![],
            "with several --server, give --calls N",
        ),
        (
            vec![
                "--server",
                a,
                "--server",
                b,
                "--calls",
                "1",
                "--shared-state",
                "redis://127.0.0.1:9",
            ],
            vec![],
            "--shared-state shares one breaker",
        ),
        (
            vec![
                "--server",
                a,
                "--max-ejection-percent",
                "101",
                "--calls",
                "1",
            ],
            vec![],
            "--max-ejection-percent",
        ),
    ] {
        let run = run_client(&args, &env);
        assert_eq!(run.status.code(), Some(2), "a usage error: {run:?}");
        assert!(run.stdout.is_empty(), "no call was made: {run:?}");
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
    }
}
