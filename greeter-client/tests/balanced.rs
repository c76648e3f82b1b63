//! A balanced client over three live servers, each endpoint with its own
//! breaker: a failing one loses its traffic after its trip, comes back
//! through its half-open trial calls once healed, and the cap on the share
//! passed over holds.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use greeter_client::{Balanced, Error, Reply, Settings, reply_line};
use std::time::Duration;
use support::{TestServer, wait_until};
use tripbreaker::State;

const OPEN: &str = "Error calling SayHello: circuit breaker is open";

/// The Go demo's settings with an open timeout long enough for the calls
/// made while a breaker is open, on a loaded machine too.
fn settings() -> Settings {
    Settings {
        timeout: Duration::from_secs(3),
        ..Settings::default()
    }
}

async fn three_servers() -> [TestServer; 3] {
    [
        TestServer::start().await,
        TestServer::start().await,
        TestServer::start().await,
    ]
}

fn balanced(servers: &[TestServer], max_ejection_percent: u8) -> Balanced {
    let endpoints = servers
        .iter()
        .map(|server| server.greeter(settings()).0)
        .collect();
    Balanced::new(endpoints, max_ejection_percent).expect("endpoints")
}

async fn received(servers: &[TestServer]) -> Vec<u64> {
    let mut counts = Vec::new();
    for server in servers {
        counts.push(server.received().await);
    }
    counts
}

#[tokio::test]
async fn a_failing_endpoint_loses_its_calls_until_it_heals() {
    let servers = three_servers().await;
    servers[1].fail().await;
    let client = balanced(&servers, greeter_client::DEFAULT_MAX_EJECTION_PERCENT);
    let trip = settings().trip;

    // Round robin: the bad endpoint fails its turns until its breaker trips.
    let mut failed = 0;
    for _ in 0..3 * trip {
        let answer = client.say_hello("World").await;
        match answer.call.reply {
            Reply::Answered(_) => assert_ne!(answer.endpoint, 1),
            Reply::Failed(_) => {
                assert_eq!(answer.endpoint, 1);
                failed += 1;
            }
            Reply::Rejected(_) => panic!("nothing is refused while two endpoints admit"),
        }
    }
    assert_eq!(failed, trip);
    assert_eq!(client.endpoints()[1].state().await, State::Open);

    // Open: every call is answered by the other two; the bad one gets none.
    let before = received(&servers).await;
    for _ in 0..30 {
        let answer = client.say_hello("World").await;
        assert!(
            matches!(answer.call.reply, Reply::Answered(_)),
            "{answer:?}"
        );
        assert_ne!(answer.endpoint, 1);
    }
    let after = received(&servers).await;
    assert_eq!(after[1], before[1], "the open endpoint received no call");
    assert_eq!(after[0] + after[2] - before[0] - before[2], 30);

    // Healed: after its timeout its trial calls go through and it closes.
    servers[1].heal().await;
    let probe = client.endpoints()[1].clone();
    wait_until("half-open", || probe.breaker().state() == State::HalfOpen).await;
    let mut to_healed = 0;
    for _ in 0..3 * settings().max_requests {
        let answer = client.say_hello("World").await;
        assert!(
            matches!(answer.call.reply, Reply::Answered(_)),
            "{answer:?}"
        );
        to_healed += u32::from(answer.endpoint == 1);
    }
    assert_eq!(to_healed, settings().max_requests);
    assert_eq!(probe.state().await, State::Closed);
}

#[tokio::test]
async fn with_every_breaker_open_a_call_fails_at_once() {
    let servers = three_servers().await;
    for server in &servers {
        server.fail().await;
    }
    let client = balanced(&servers, 100);
    for _ in 0..3 * settings().trip {
        client.say_hello("World").await;
    }
    for endpoint in client.endpoints() {
        assert_eq!(endpoint.state().await, State::Open);
    }
    let before = received(&servers).await;
    let answer = client.say_hello("World").await;
    assert_eq!(reply_line(&answer.call.reply), OPEN);
    assert_eq!(answer.call.sent, 0);
    assert_eq!(received(&servers).await, before, "no server was called");
}

#[tokio::test]
async fn past_the_cap_a_call_is_refused_rather_than_moved() {
    let servers = three_servers().await;
    servers[0].fail().await;
    servers[1].fail().await;
    // 10% of three: one endpoint may be passed over in a call, not two.
    let client = balanced(&servers, 10);
    for _ in 0..6 * settings().trip {
        client.say_hello("World").await;
        if client.endpoints()[0].breaker().state() == State::Open
            && client.endpoints()[1].breaker().state() == State::Open
        {
            break;
        }
    }
    assert_eq!(client.endpoints()[0].state().await, State::Open);
    assert_eq!(client.endpoints()[1].state().await, State::Open);
    let (mut answered, mut refused) = (0, 0);
    for _ in 0..30 {
        let answer = client.say_hello("World").await;
        match answer.call.reply {
            Reply::Answered(_) => answered += 1,
            Reply::Rejected(_) => {
                // Starting at the first open endpoint, the call passes it
                // over and is refused by the second; starting at the second,
                // it passes it over and is answered by the third.
                assert_eq!(answer.endpoint, 1);
                refused += 1;
            }
            Reply::Failed(status) => panic!("an open endpoint was called: {status}"),
        }
    }
    assert_eq!((answered, refused), (15, 15));

    // With no cap at all, nothing is passed over: each turn of an open
    // endpoint is refused by its breaker.
    let client = balanced(&servers, 0);
    for _ in 0..3 * settings().trip {
        client.say_hello("World").await;
    }
    let mut refused = 0;
    for _ in 0..30 {
        let answer = client.say_hello("World").await;
        refused += u32::from(matches!(answer.call.reply, Reply::Rejected(_)));
    }
    assert_eq!(refused, 20);
}

#[tokio::test]
async fn a_client_needs_an_endpoint_and_a_cap_up_to_100() {
    let error = Balanced::<greeter_client::Breaker>::new(Vec::new(), 10).err();
    assert!(matches!(error, Some(Error::Endpoints(_))), "{error:?}");
    let endpoint = greeter_client::Greeter::new(
        "http://127.0.0.1:1",
        Settings::default(),
        Box::new(|_: &str, _| {}),
    )
    .unwrap();
    let error = Balanced::new(vec![endpoint], 101).err().unwrap();
    assert_eq!(
        error.to_string(),
        "max_ejection_percent is 101, more than 100"
    );
}
