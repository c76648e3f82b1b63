//! Metrics scraped by a real Prometheus, then read back from its HTTP API:
//! the server binary's (`--metrics-addr`, every SayHello failing, some
//! calls and a refused host), and the CLI's breaker while it trips on
//! that failing server.

#[path = "hardening_support.rs"]
mod support;

#[path = "support/prometheus.rs"]
mod prometheus;

use std::time::Duration;

use prometheus::{Prometheus, free_addr};
use support::{ServerProcess, http1_client, web_hello};

#[test]
fn prometheus_scrapes_the_servers_calls_and_refusals() {
    let metrics = free_addr().to_string();
    let server = ServerProcess::start(&["--metrics-addr", &metrics, "--initial-fault", "failing"]);
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = http1_client();
        for _ in 0..3 {
            assert!(web_hello(&client, &url, "metrics").await.is_err());
        }
        let refused = client
            .get(format!("{url}/"))
            .header("host", "rebind.attacker.example")
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 421);
    });
    assert!(
        server
            .log_tail()
            .contains(&format!("serving metrics at http://{metrics}/metrics"))
    );

    let prometheus = Prometheus::start(&[("server", metrics.parse().unwrap())]);
    let limit = Duration::from_secs(30);
    prometheus.wait_for(
        r#"grpc_server_calls_total{method="/greeter.Greeter/SayHello",grpc_status="UNAVAILABLE"}"#,
        3.0,
        limit,
    );
    prometheus.wait_for(r#"server_refusals_total{limit="host"}"#, 1.0, limit);
    prometheus.wait_for(
        r#"grpc_server_calls_in_flight{method="/greeter.Greeter/SayHello"}"#,
        0.0,
        limit,
    );
}

#[test]
fn a_metrics_address_in_use_or_public_is_refused_at_start() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (status, log) = ServerProcess::run_to_exit(
        &["--addr", "127.0.0.1:0", "--metrics-addr", &addr],
        &[],
        Duration::from_secs(30),
    );
    assert_eq!(status.code(), Some(2), "{log}");
    assert!(
        log.contains(&format!("cannot serve metrics on {addr}")),
        "{log}"
    );

    let (status, log) = ServerProcess::run_to_exit(
        &["--addr", "127.0.0.1:0", "--metrics-addr", "0.0.0.0:9464"],
        &[],
        Duration::from_secs(30),
    );
    assert_eq!(status.code(), Some(2), "{log}");
    assert!(log.contains("is not a loopback address"), "{log}");
}

#[test]
fn prometheus_sees_the_clis_breaker_trip_on_a_failing_server() {
    let server = ServerProcess::start(&["--initial-fault", "failing"]);
    let url = server.url();
    let metrics = free_addr();
    let prometheus = Prometheus::start(&[("client", metrics)]);
    // The client lives about 12 s: long enough for several scrapes.
    let mut client =
        std::process::Command::new(support::workspace_binary("client", "E2E_CLIENT_BIN"))
            .args(["--server", &url, "--calls", "60", "--every", "200ms"])
            .args(["--metrics-addr", &metrics.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start the client");
    struct Kill<'a>(&'a mut std::process::Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _client = Kill(&mut client);
    let limit = Duration::from_secs(20);
    let key = format!(r#"breaker="greeter",key="{url}""#);
    prometheus.wait_for(
        &format!(r#"circuit_breaker_state{{{key},state="open"}}"#),
        1.0,
        limit,
    );
    prometheus.wait_for(
        &format!(r#"circuit_breaker_state{{{key},state="closed"}}"#),
        0.0,
        limit,
    );
    prometheus.wait_for(
        &format!(r#"circuit_breaker_transitions_total{{{key},from="closed",to="open",reason="consecutive_failures"}}"#),
        1.0,
        limit,
    );
    let failures = prometheus
        .value(&format!(
            r#"circuit_breaker_calls_total{{{key},outcome="failure"}}"#
        ))
        .unwrap_or_default();
    println!("failures counted by the CLI's breaker: {failures}");
    assert!(failures >= 1.0);
}
