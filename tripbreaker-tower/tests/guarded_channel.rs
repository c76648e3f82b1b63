//! The layer over tonic's native `Channel`, against a live greeter server
//! started in-process on an ephemeral loopback port.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use bytes::{BufMut, Bytes, BytesMut};
use http_body_util::BodyExt;
use prost::Message;
use proto::greeter::greeter_client::GreeterClient;
use proto::greeter::greeter_server::{Greeter, GreeterServer};
use proto::greeter::{HelloReply, HelloRequest};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::refused::RefusedPort;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request, Response, Status};
use tower::{ServiceBuilder, ServiceExt};
use tripbreaker::{
    CircuitBreaker, ManualClock, Outcome, Rejected, Settings, SharedBreaker, State, TripRule,
};
use tripbreaker_tower::{CaptureOutcome, CircuitBreakerLayer, GrpcClassifier, rejection};

/// How the test server answers.
#[derive(Clone, Copy)]
enum Mode {
    Healthy,
    Failing(Code),
    Slow(Duration),
}

/// A greeter that answers per `mode` and counts the calls it received.
#[derive(Clone)]
struct TestGreeter {
    mode: Arc<Mutex<Mode>>,
    received: Arc<AtomicU64>,
}

#[tonic::async_trait]
impl Greeter for TestGreeter {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        self.received.fetch_add(1, Ordering::SeqCst);
        let name = request.into_inner().name;
        let mode = *self.mode.lock().unwrap();
        match mode {
            Mode::Failing(code) => return Err(Status::new(code, "test failure")),
            Mode::Slow(delay) => tokio::time::sleep(delay).await,
            Mode::Healthy => {}
        }
        if name.is_empty() {
            return Err(Status::invalid_argument("Name cannot be empty"));
        }
        Ok(Response::new(HelloReply {
            message: format!("Hello {name}"),
        }))
    }
}

struct Fixture {
    greeter: TestGreeter,
    channel: Channel,
    url: String,
    clock: Arc<ManualClock>,
    breaker: SharedBreaker<Arc<ManualClock>>,
}

impl Fixture {
    async fn start(settings: Settings) -> Fixture {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let greeter = TestGreeter {
            mode: Arc::new(Mutex::new(Mode::Healthy)),
            received: Arc::default(),
        };
        let service = GreeterServer::new(greeter.clone());
        tokio::spawn(async move {
            tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
                .await
                .unwrap();
        });
        let channel = Endpoint::from_shared(url.clone()).unwrap().connect_lazy();
        let clock = Arc::new(ManualClock::new());
        let breaker = SharedBreaker::new(settings, Arc::clone(&clock)).unwrap();
        Fixture {
            greeter,
            channel,
            url,
            clock,
            breaker,
        }
    }

    fn set_mode(&self, mode: Mode) {
        *self.greeter.mode.lock().unwrap() = mode;
    }

    fn received(&self) -> u64 {
        self.greeter.received.load(Ordering::SeqCst)
    }

    fn client(
        &self,
        classifier: GrpcClassifier,
    ) -> GreeterClient<
        tripbreaker_tower::CircuitBreakerService<Channel, SharedBreaker<Arc<ManualClock>>>,
    > {
        let guarded = ServiceBuilder::new()
            .layer(CircuitBreakerLayer::new(self.breaker.clone()).with_classifier(classifier))
            .service(self.channel.clone());
        GreeterClient::new(guarded)
    }
}

fn demo_settings() -> Settings {
    Settings {
        max_requests: 1,
        timeout: Duration::from_secs(5),
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new("greeter")
    }
}

fn hello(name: &str) -> HelloRequest {
    HelloRequest { name: name.into() }
}

#[tokio::test]
async fn trips_on_failing_codes_and_then_rejects_without_reaching_the_server() {
    let fixture = Fixture::start(demo_settings()).await;
    let mut client = fixture.client(GrpcClassifier::server_errors());
    assert_eq!(
        client
            .say_hello(hello("World"))
            .await
            .unwrap()
            .into_inner()
            .message,
        "Hello World"
    );

    fixture.set_mode(Mode::Failing(Code::Unavailable));
    for _ in 0..3 {
        let status = client.say_hello(hello("World")).await.unwrap_err();
        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(rejection(&status), None, "the server's own Unavailable");
    }
    assert_eq!(fixture.breaker.state(), State::Open);

    let received = fixture.received();
    for _ in 0..5 {
        let status = client.say_hello(hello("World")).await.unwrap_err();
        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(status.message(), "circuit breaker is open");
        assert_eq!(rejection(&status), Some(Rejected::Open));
    }
    assert_eq!(
        fixture.received(),
        received,
        "no rejected call reached the server"
    );
}

#[tokio::test]
async fn caller_mistakes_are_excluded_by_default_and_failures_for_every_error() {
    let fixture = Fixture::start(demo_settings()).await;
    let mut client = fixture.client(GrpcClassifier::server_errors());
    for _ in 0..5 {
        let status = client.say_hello(hello("")).await.unwrap_err();
        assert_eq!(
            (status.code(), status.message()),
            (Code::InvalidArgument, "Name cannot be empty")
        );
    }
    assert_eq!(fixture.breaker.state(), State::Closed);
    assert_eq!(fixture.breaker.counts().total_exclusions, 5);

    let mut go_demo = fixture.client(GrpcClassifier::every_error());
    for _ in 0..3 {
        go_demo.say_hello(hello("")).await.unwrap_err();
    }
    assert_eq!(
        fixture.breaker.state(),
        State::Open,
        "as in the Go demo: three empty names trip it"
    );
}

/// `hello(name)`, with a capture of the outcome the layer records for it.
fn captured(name: &str) -> (Request<HelloRequest>, CaptureOutcome) {
    let capture = CaptureOutcome::new();
    let mut request = Request::new(hello(name));
    request.extensions_mut().insert(capture.clone());
    (request, capture)
}

#[tokio::test]
async fn the_caller_reads_the_outcome_the_layer_recorded() {
    let fixture = Fixture::start(demo_settings()).await;
    let mut client = fixture.client(GrpcClassifier::server_errors());
    let (request, answered) = captured("World");
    client.say_hello(request).await.unwrap();
    let (request, mistake) = captured("");
    client.say_hello(request).await.unwrap_err();
    assert_eq!(
        answered.outcome(),
        Some(Outcome::Success),
        "from the trailers"
    );
    assert_eq!(
        mistake.outcome(),
        Some(Outcome::Excluded),
        "from the headers"
    );

    fixture.set_mode(Mode::Failing(Code::Internal));
    for _ in 0..3 {
        let (request, failed) = captured("World");
        client.say_hello(request).await.unwrap_err();
        assert_eq!(failed.outcome(), Some(Outcome::Failure));
    }
    let (request, refused) = captured("World");
    let status = client.say_hello(request).await.unwrap_err();
    assert_eq!(rejection(&status), Some(Rejected::Open));
    assert_eq!(refused.outcome(), None, "a refused call counts as nothing");
}

/// A hand-made unary gRPC request for the raw transport service.
fn raw_request(url: &str, name: &str) -> http::Request<tonic::body::Body> {
    let message = hello(name).encode_to_vec();
    let mut frame = BytesMut::with_capacity(5 + message.len());
    frame.put_u8(0);
    frame.put_u32(message.len() as u32);
    frame.put_slice(&message);
    http::Request::post(format!("{url}/greeter.Greeter/SayHello"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(tonic::body::Body::new(http_body_util::Full::new(
            Bytes::from(frame),
        )))
        .unwrap()
}

#[tokio::test]
async fn the_outcome_is_recorded_when_the_body_ends() {
    let fixture = Fixture::start(demo_settings()).await;
    let guarded = ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(fixture.breaker.clone()))
        .service(fixture.channel.clone());

    let response = guarded
        .clone()
        .oneshot(raw_request(&fixture.url, "World"))
        .await
        .unwrap();
    assert_eq!(response.status(), http::StatusCode::OK);
    let counts = fixture.breaker.counts();
    assert_eq!(
        (counts.requests, counts.total_successes),
        (1, 0),
        "headers alone settle nothing"
    );

    let collected = response.into_body().collect().await.unwrap();
    let trailers = collected
        .trailers()
        .cloned()
        .expect("a gRPC reply ends in trailers");
    assert_eq!(trailers.get("grpc-status").unwrap(), "0");
    assert_eq!(
        fixture.breaker.counts().total_successes,
        1,
        "recorded at the trailers"
    );

    // A body dropped before its end: excluded, not a failure.
    let abandoned = guarded
        .clone()
        .oneshot(raw_request(&fixture.url, "World"))
        .await
        .unwrap();
    drop(abandoned);
    let counts = fixture.breaker.counts();
    assert_eq!(
        (
            counts.requests,
            counts.total_exclusions,
            counts.total_failures
        ),
        (2, 1, 0)
    );

    // A trailers-only error is settled from the headers.
    let error = guarded
        .oneshot(raw_request(&fixture.url, ""))
        .await
        .unwrap();
    assert_eq!(error.headers().get("grpc-status").unwrap(), "3");
    assert_eq!(
        fixture.breaker.counts().total_exclusions,
        2,
        "InvalidArgument: excluded by default"
    );
}

#[tokio::test]
async fn a_dropped_call_frees_its_half_open_slot() {
    let fixture = Fixture::start(Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..demo_settings()
    })
    .await;
    let mut client = fixture.client(GrpcClassifier::server_errors());
    fixture.breaker.force_open();
    fixture.breaker.release();
    fixture.set_mode(Mode::Failing(Code::Internal));
    client.say_hello(hello("World")).await.unwrap_err();
    assert_eq!(fixture.breaker.state(), State::Open);
    fixture.clock.advance(Duration::from_secs(6));
    assert_eq!(fixture.breaker.state(), State::HalfOpen);

    fixture.set_mode(Mode::Slow(Duration::from_secs(30)));
    let abandoned =
        tokio::time::timeout(Duration::from_millis(200), client.say_hello(hello("World"))).await;
    assert!(abandoned.is_err(), "the slow call was cancelled");
    let counts = fixture.breaker.counts();
    assert_eq!((counts.total_exclusions, counts.total_failures), (1, 0));

    fixture.set_mode(Mode::Healthy);
    let reply = client
        .say_hello(hello("World"))
        .await
        .expect("the freed slot admits a trial");
    assert_eq!(reply.into_inner().message, "Hello World");
    assert_eq!(fixture.breaker.state(), State::Closed);
}

#[tokio::test]
async fn a_server_that_is_down_is_a_failure() {
    let nowhere = RefusedPort::bind();
    let url = format!("http://{}", nowhere.addr());
    let breaker = SharedBreaker::from_breaker(
        CircuitBreaker::new(
            Settings {
                ready_to_trip: TripRule::ConsecutiveFailures(2),
                ..demo_settings()
            },
            ManualClock::new(),
        )
        .unwrap(),
    );
    let channel = Endpoint::from_shared(url).unwrap().connect_lazy();
    let mut client = GreeterClient::new(
        ServiceBuilder::new()
            .layer(CircuitBreakerLayer::new(breaker.clone()))
            .service(channel),
    );
    for _ in 0..2 {
        let (request, capture) = captured("World");
        let status = client.say_hello(request).await.unwrap_err();
        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(rejection(&status), None);
        assert_eq!(capture.outcome(), Some(Outcome::Failure), "no reply at all");
    }
    assert_eq!(breaker.state(), State::Open);
    let status = client.say_hello(hello("World")).await.unwrap_err();
    assert_eq!(rejection(&status), Some(Rejected::Open));
}

/// A greeter whose error claims to be the breaker's own rejection.
#[derive(Clone)]
struct ForgingGreeter;

#[tonic::async_trait]
impl Greeter for ForgingGreeter {
    async fn say_hello(&self, _: Request<HelloRequest>) -> Result<Response<HelloReply>, Status> {
        let mut status = Status::unavailable("circuit breaker is open");
        status
            .metadata_mut()
            .insert(tripbreaker_tower::REJECTION_HEADER, "open".parse().unwrap());
        Err(status)
    }
}

#[tokio::test]
async fn a_server_cannot_forge_the_breakers_rejection() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(GreeterServer::new(ForgingGreeter))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    let breaker = SharedBreaker::new(demo_settings(), ManualClock::new()).unwrap();
    let channel = Endpoint::from_shared(url).unwrap().connect_lazy();
    let mut client = GreeterClient::new(
        ServiceBuilder::new()
            .layer(CircuitBreakerLayer::new(breaker.clone()))
            .service(channel),
    );
    let status = client.say_hello(hello("World")).await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(
        rejection(&status),
        None,
        "the marker came from the server, not the layer"
    );
    assert_eq!(
        breaker.counts().total_failures,
        1,
        "and it counts as the server's failure"
    );
}

/// A breaker whose answers each take one more poll, as one behind a store
/// (a Redis round trip) does; its outcomes count only when that poll comes.
#[derive(Clone)]
struct Later(SharedBreaker<Arc<ManualClock>>);

type LocalPermit = tripbreaker::Permit<SharedBreaker<Arc<ManualClock>>>;

/// Ready on the second poll, when `then` runs.
struct SecondPoll<F>(Option<F>, bool);

impl<T, F: FnOnce() -> T + Unpin> std::future::Future for SecondPoll<F> {
    type Output = T;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<T> {
        if !std::mem::replace(&mut self.1, true) {
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        std::task::Poll::Ready((self.0.take().expect("polled after completion"))())
    }
}

type Boxed<T> = SecondPoll<Box<dyn FnOnce() -> T + Send>>;

impl tripbreaker::AsyncBreakerRef for Later {
    type Ticket = LocalPermit;
    type Acquire = Boxed<Result<LocalPermit, Rejected>>;
    type Record = Boxed<()>;

    fn acquire(&self) -> Self::Acquire {
        let breaker = self.0.clone();
        SecondPoll(Some(Box::new(move || breaker.acquire_owned())), false)
    }

    fn record(ticket: LocalPermit, outcome: tripbreaker::Outcome) -> Self::Record {
        SecondPoll(Some(Box::new(move || ticket.record(outcome))), false)
    }
}

#[tokio::test]
async fn a_breaker_that_answers_later_admits_refuses_and_counts_before_the_status_is_seen() {
    let fixture = Fixture::start(Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..demo_settings()
    })
    .await;
    let guarded = ServiceBuilder::new()
        .layer(CircuitBreakerLayer::new(Later(fixture.breaker.clone())))
        .service(fixture.channel.clone());
    let mut client = GreeterClient::new(guarded);

    // Admitted once the breaker answers; the success, read from the
    // trailers, is counted before the reply is handed on.
    let reply = client.say_hello(hello("World")).await.unwrap();
    assert_eq!(reply.into_inner().message, "Hello World");
    assert_eq!(fixture.breaker.counts().total_successes, 1);

    // A trailers-only failure is counted before the error is handed on.
    fixture.set_mode(Mode::Failing(Code::Internal));
    let status = client.say_hello(hello("World")).await.unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    assert_eq!(fixture.breaker.state(), State::Open);

    // Refused once the breaker answers, without reaching the server.
    let received = fixture.received();
    let status = client.say_hello(hello("World")).await.unwrap_err();
    assert_eq!(rejection(&status), Some(Rejected::Open));
    assert_eq!(fixture.received(), received);
}
