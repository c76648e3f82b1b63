//! The layer over `tonic_web_wasm_client::Client` in headless Chromium,
//! against the live greeter server that `cargo xtask test` starts (its URL
//! is baked in at build time from `GREETER_URL`). The test page is on
//! another origin, so every call here also goes through the server's CORS.
#![cfg(target_arch = "wasm32")]

use proto::greeter::faults_client::FaultsClient;
use proto::greeter::greeter_client::GreeterClient;
use proto::greeter::{
    Failing, FaultMode, GetStatusRequest, Healthy, HelloRequest, Slow, fault_mode,
};
use std::time::Duration;
use tonic::Code;
use tonic_web_wasm_client::Client;
use tripbreaker::{BrowserClock, Rejected, Settings, SharedBreaker, State, TripRule};
use tripbreaker_tower::{CircuitBreakerLayer, CircuitBreakerService, GrpcClassifier, rejection};
use wasm_bindgen_test::wasm_bindgen_test;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn server_url() -> String {
    match option_env!("GREETER_URL") {
        Some(url) => url.to_owned(),
        None => panic!(
            "GREETER_URL must name a running greeter server at build time (cargo xtask test sets it)"
        ),
    }
}

type Guarded = GreeterClient<CircuitBreakerService<Client, SharedBreaker<BrowserClock>>>;

fn guarded(breaker: &SharedBreaker<BrowserClock>, classifier: GrpcClassifier) -> Guarded {
    let layer = CircuitBreakerLayer::new(breaker.clone()).with_classifier(classifier);
    GreeterClient::new(
        tower::ServiceBuilder::new()
            .layer(layer)
            .service(Client::new(server_url())),
    )
}

async fn set_mode(mode: fault_mode::Mode) {
    let mut faults = FaultsClient::new(Client::new(server_url()));
    faults
        .set_mode(FaultMode { mode: Some(mode) })
        .await
        .expect("the server's fault controls are on");
}

async fn received() -> u64 {
    let mut faults = FaultsClient::new(Client::new(server_url()));
    faults
        .get_status(GetStatusRequest {})
        .await
        .unwrap()
        .into_inner()
        .received
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn breaker(trip: u32) -> SharedBreaker<BrowserClock> {
    let settings = Settings {
        max_requests: 1,
        timeout: Duration::from_millis(50),
        ready_to_trip: TripRule::ConsecutiveFailures(trip),
        ..Settings::new("greeter")
    };
    SharedBreaker::new(settings, BrowserClock::new()).unwrap()
}

fn hello(name: &str) -> HelloRequest {
    HelloRequest { name: name.into() }
}

#[wasm_bindgen_test]
async fn trips_on_failing_codes_and_rejects_without_touching_the_network() {
    set_mode(fault_mode::Mode::Healthy(Healthy {})).await;
    let breaker = breaker(2);
    let mut client = guarded(&breaker, GrpcClassifier::server_errors());
    let reply = client.say_hello(hello("World")).await.unwrap();
    assert_eq!(reply.into_inner().message, "Hello World");

    set_mode(fault_mode::Mode::Failing(Failing {
        code: Code::Unavailable as i32,
        message: "down".into(),
    }))
    .await;
    for _ in 0..2 {
        let status = client.say_hello(hello("World")).await.unwrap_err();
        assert_eq!(
            (status.code(), status.message()),
            (Code::Unavailable, "down")
        );
    }
    assert_eq!(breaker.state(), State::Open);

    let before = received().await;
    for _ in 0..3 {
        let status = client.say_hello(hello("World")).await.unwrap_err();
        assert_eq!(status.message(), "circuit breaker is open");
        assert_eq!(rejection(&status), Some(Rejected::Open));
    }
    assert_eq!(
        received().await,
        before,
        "no rejected call reached the server"
    );
    set_mode(fault_mode::Mode::Healthy(Healthy {})).await;
}

#[wasm_bindgen_test]
async fn caller_mistakes_are_excluded_by_default() {
    set_mode(fault_mode::Mode::Healthy(Healthy {})).await;
    let breaker = breaker(1);
    let mut client = guarded(&breaker, GrpcClassifier::server_errors());
    for _ in 0..3 {
        let status = client.say_hello(hello("")).await.unwrap_err();
        assert_eq!(
            (status.code(), status.message()),
            (Code::InvalidArgument, "Name cannot be empty")
        );
    }
    assert_eq!(breaker.state(), State::Closed);
    assert_eq!(breaker.counts().total_exclusions, 3);

    let mut go_demo = guarded(&breaker, GrpcClassifier::every_error());
    go_demo.say_hello(hello("")).await.unwrap_err();
    assert_eq!(
        breaker.state(),
        State::Open,
        "every error counts, as in the Go demo"
    );
}

#[wasm_bindgen_test]
async fn the_outcome_is_recorded_only_when_the_body_ends() {
    use tower::ServiceExt;
    set_mode(fault_mode::Mode::Healthy(Healthy {})).await;
    let breaker = breaker(1);
    let service = tower::ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(breaker.clone()))
        .service(Client::new(server_url()));
    let message = prost::Message::encode_to_vec(&hello("World"));
    let mut frame = vec![0u8];
    frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
    frame.extend_from_slice(&message);
    // The client puts its base URL in front of the path.
    let request = http::Request::post("/greeter.Greeter/SayHello")
        .header("content-type", "application/grpc")
        .body(tonic::body::Body::new(http_body_util::Full::new(
            bytes::Bytes::from(frame),
        )))
        .unwrap();
    let response = service.oneshot(request).await.unwrap();
    assert_eq!(
        breaker.counts().total_successes,
        0,
        "the headers alone settle nothing"
    );
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap();
    assert_eq!(
        body.trailers().and_then(|t| t.get("grpc-status")).unwrap(),
        "0"
    );
    assert_eq!(
        breaker.counts().total_successes,
        1,
        "recorded when the trailers arrived"
    );
}

#[wasm_bindgen_test]
async fn a_dropped_call_frees_its_half_open_slot() {
    use futures_util::future::{Either, select};
    let breaker = breaker(1);
    let mut client = guarded(&breaker, GrpcClassifier::server_errors());
    set_mode(fault_mode::Mode::Failing(Failing {
        code: Code::Internal as i32,
        message: "broken".into(),
    }))
    .await;
    client.say_hello(hello("World")).await.unwrap_err();
    assert_eq!(breaker.state(), State::Open);
    sleep(60).await;
    assert_eq!(breaker.state(), State::HalfOpen);

    set_mode(fault_mode::Mode::Slow(Slow { delay_ms: 5_000 })).await;
    {
        let call = std::pin::pin!(client.say_hello(hello("World")));
        let timer = std::pin::pin!(sleep(200));
        assert!(
            matches!(select(call, timer).await, Either::Right(_)),
            "the slow call was still running"
        );
    } // the call is dropped here: cancelled
    let counts = breaker.counts();
    assert_eq!(
        (counts.total_exclusions, counts.total_failures),
        (1, 0),
        "excluded, not failed"
    );

    set_mode(fault_mode::Mode::Healthy(Healthy {})).await;
    let reply = client
        .say_hello(hello("World"))
        .await
        .expect("the freed slot admits a trial");
    assert_eq!(reply.into_inner().message, "Hello World");
    assert_eq!(breaker.state(), State::Closed);
}
