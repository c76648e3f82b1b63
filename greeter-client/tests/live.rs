//! The guarded client against a live server: natively (tokio) and in
//! headless Chromium (wasm-bindgen-test), through this same code.

mod support;

use greeter_client::{Reply, Settings, reply_line};
use std::time::Duration;
use support::{TestServer, wait_until};
use tonic::Code;
use tripbreaker::{Outcome, State};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as live_test;

#[cfg(not(target_arch = "wasm32"))]
use tokio::test as live_test;

const GREETING: &str = "Greeting: Hello World";
const EMPTY_NAME: &str =
    "Error calling SayHello: rpc error: code = InvalidArgument desc = Name cannot be empty";
const OPEN: &str = "Error calling SayHello: circuit breaker is open";

#[live_test]
async fn the_go_demo_through_the_breaker() {
    let server = TestServer::start().await;
    let settings = Settings {
        timeout: Duration::from_millis(300),
        ..Settings::default()
    };
    let (greeter, changes) = server.greeter(settings);
    let line = async |name: &str| reply_line(&greeter.say_hello(name).await.reply);

    let answered = greeter.say_hello("World").await;
    assert_eq!(reply_line(&answered.reply), GREETING);
    assert_eq!(answered.outcome, Some(Outcome::Success));
    for _ in 0..3 {
        let call = greeter.say_hello("").await;
        assert_eq!(reply_line(&call.reply), EMPTY_NAME);
        assert_eq!(
            call.outcome,
            Some(Outcome::Failure),
            "counted, as in the Go demo"
        );
    }
    assert_eq!(greeter.breaker().state(), State::Open);
    let before = server.received().await;
    let refused = greeter.say_hello("World").await;
    assert_eq!(reply_line(&refused.reply), OPEN);
    assert_eq!((refused.sent, refused.retries), (0, 0));
    assert_eq!(refused.outcome, None, "a refused call is not counted");
    assert_eq!(server.received().await, before, "refused at once");

    wait_until("half-open", || greeter.breaker().state() == State::HalfOpen).await;
    for _ in 0..3 {
        assert_eq!(line("World").await, GREETING);
    }
    assert_eq!(greeter.breaker().state(), State::Closed);
    assert_eq!(
        *changes.lock().unwrap(),
        [
            "Circuit Breaker 'greeter' changed from closed to open",
            "Circuit Breaker 'greeter' changed from open to half-open",
            "Circuit Breaker 'greeter' changed from half-open to closed",
        ]
    );
}

#[live_test]
async fn excluded_client_errors_do_not_trip_it() {
    let server = TestServer::start().await;
    let mut settings = Settings::default();
    settings.set("client_errors", "exclude").unwrap();
    settings.set("trip", "1").unwrap();
    let (greeter, _) = server.greeter(settings);
    for _ in 0..3 {
        let call = greeter.say_hello("").await;
        assert_eq!(reply_line(&call.reply), EMPTY_NAME);
        assert_eq!(call.outcome, Some(Outcome::Excluded));
    }
    assert_eq!(greeter.breaker().state(), State::Closed);
    assert_eq!(greeter.breaker().counts().total_exclusions, 3);
}

/// Settings under which two failures open the breaker for a minute, with
/// `retries` after `retry_backoff`.
fn two_failures_trip(retries: u32, retry_backoff: Duration) -> Settings {
    Settings {
        trip: 2,
        retries,
        retry_backoff,
        timeout: Duration::from_secs(60),
        ..Settings::default()
    }
}

#[live_test]
async fn retries_stop_when_a_failure_opens_the_breaker() {
    let server = TestServer::start().await;
    server.fail().await;
    let (greeter, _) = server.greeter(two_failures_trip(3, Duration::from_millis(10)));
    let before = server.received().await;
    let call = greeter.say_hello("World").await;
    assert!(
        matches!(&call.reply, Reply::Failed(status) if status.code() == Code::Unavailable),
        "{:?}",
        call.reply
    );
    assert_eq!(
        (call.retries, call.sent),
        (1, 2),
        "the second failure opened it: no third try"
    );
    assert_eq!(server.received().await - before, 2);
    assert_eq!(greeter.breaker().state(), State::Open);
}

#[live_test]
async fn the_breaker_is_looked_at_again_after_the_backoff() {
    let server = TestServer::start().await;
    server.fail().await;
    // A backoff far longer than the second call takes: it opens the
    // breaker while the first call waits to retry.
    let (greeter, _) = server.greeter(two_failures_trip(1, Duration::from_secs(3)));
    let before = server.received().await;
    let waiting = greeter.say_hello("World");
    let opener = async {
        wait_until("the first failure", || {
            greeter.breaker().counts().total_failures == 1
        })
        .await;
        greeter.say_hello("World").await
    };
    let (first, second) = futures_util::future::join(waiting, opener).await;
    assert_eq!((second.sent, second.retries), (1, 0));
    assert_eq!(greeter.breaker().state(), State::Open);
    assert!(matches!(first.reply, Reply::Failed(_)), "{:?}", first.reply);
    assert_eq!(
        (first.sent, first.retries),
        (1, 0),
        "no retry into the breaker that opened during the backoff"
    );
    assert_eq!(server.received().await - before, 2);
}

#[live_test]
async fn a_call_past_its_deadline_is_a_failure_and_is_retried() {
    let server = TestServer::start().await;
    server.slow(Duration::from_secs(2)).await;
    let settings = Settings {
        deadline: Duration::from_millis(200),
        retries: 1,
        retry_backoff: Duration::from_millis(10),
        ..Settings::default()
    };
    let (greeter, _) = server.greeter(settings);
    let call = greeter.say_hello("World").await;
    let Reply::Failed(status) = &call.reply else {
        panic!("{:?}", call.reply)
    };
    assert!(
        greeter_client::is_transient(status),
        "the server's DeadlineExceeded or the client's own timeout: {status:?}"
    );
    assert_eq!((call.sent, call.retries), (2, 1));
    assert_eq!(call.outcome, Some(Outcome::Failure));
    assert_eq!(greeter.breaker().counts().total_failures, 2);
}
