//! The CLI client's whole demo against the real server, started in-process
//! on an ephemeral loopback port, with a short open timeout.

#[path = "../../tripbreaker-tower/tests/support/refused.rs"]
mod refused;

use refused::RefusedPort;
use std::sync::Arc;
use tripbreaker::State;

#[tokio::test]
async fn the_client_replays_the_go_demo_against_the_server() {
    let server = server::spawn(server::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..server::Config::default()
    })
    .await
    .unwrap();
    let mut config = client::Config::demo(server.url());
    config.settings.timeout = std::time::Duration::from_millis(300);

    let report = client::run(&config, Arc::new(|line: &str| println!("{line}")))
        .await
        .unwrap();

    assert_eq!(
        report.transitions,
        [
            (State::Closed, State::Open),
            (State::Open, State::HalfOpen),
            (State::HalfOpen, State::Closed)
        ]
    );
    let greeting = "Greeting: Hello World";
    let empty =
        "Error calling SayHello: rpc error: code = InvalidArgument desc = Name cannot be empty";
    let open = "Error calling SayHello: circuit breaker is open";
    let changed =
        |from: &str, to: &str| format!("Circuit Breaker 'greeter' changed from {from} to {to}");
    let expected: Vec<String> = [
        greeting,
        empty,
        greeting,
        empty, // valid and empty alternate
        empty, // a second empty name in a row
        &changed("closed", "open"),
        empty, // the third trips it
        open,
        open,
        open, // refused at once
        &changed("open", "half-open"),
        greeting,
        greeting,
        &changed("half-open", "closed"),
        greeting, // three trials close it
        greeting, // recovered
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(report.lines, expected);

    let counters = server.faults().counters();
    assert_eq!(report.rejected, 3);
    assert_eq!(
        counters.received, report.attempts,
        "every call the server received was one the breaker admitted: none arrived while it was open"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_server_that_is_down_trips_the_breaker_with_a_clear_error() {
    let nowhere = RefusedPort::bind();
    let mut config = client::Config::demo(format!("http://{}", nowhere.addr()));
    config.settings.timeout = std::time::Duration::from_millis(100);
    let report = client::run(&config, Arc::new(|line: &str| println!("{line}")))
        .await
        .unwrap();
    assert!(
        report.lines[0]
            .starts_with("Error calling SayHello: rpc error: code = Unavailable desc = "),
        "{:?}",
        report.lines[0]
    );
    assert_eq!(
        report.transitions[0],
        (State::Closed, State::Open),
        "nobody answering is a failure"
    );
    assert!(
        report
            .lines
            .contains(&"Error calling SayHello: circuit breaker is open".to_owned())
    );
}
