//! The keyed layer over an in-process transport: a breaker per gRPC
//! method, per endpoint or per function of the request; overrides; the
//! bounded set's eviction rule and idle expiry on a manual clock.
#![cfg(not(target_arch = "wasm32"))]

use http::{Request, Response};
use http_body_util::Empty;
use std::convert::Infallible;
use std::future::Ready;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tower::{Layer, Service, ServiceBuilder};
use tripbreaker::{KeyedRejected, ManualClock, Rejected, Settings, State, TripRule};
use tripbreaker_tower::{KeyedCircuitBreakerLayer, keyed_rejection, rejection};

type Body = Empty<bytes::Bytes>;

/// A transport that answers at once: `Unavailable` for paths that contain
/// `Fail`, `Ok` otherwise, and counts the calls that reached it.
#[derive(Clone, Default)]
struct Transport {
    reached: Arc<AtomicUsize>,
}

impl Service<Request<()>> for Transport {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<()>) -> Self::Future {
        self.reached.fetch_add(1, Ordering::SeqCst);
        let code = if request.uri().path().contains("Fail") {
            "14"
        } else {
            "0"
        };
        let mut response = Response::new(Body::new());
        response
            .headers_mut()
            .insert("grpc-status", code.parse().unwrap());
        std::future::ready(Ok(response))
    }
}

impl Transport {
    fn reached(&self) -> usize {
        self.reached.load(Ordering::SeqCst)
    }
}

/// The gRPC status code a call through `service` ended with, and the
/// layer's refusal if it refused it.
fn call<S, B>(service: &mut S, path: &str) -> (String, Option<KeyedRejected>)
where
    S: Service<Request<()>, Response = Response<tripbreaker_tower::GuardedBody<Body, B>>>,
    S::Error: std::fmt::Debug,
    B: tripbreaker::AsyncBreakerRef,
{
    let request = Request::post(path).body(()).unwrap();
    let mut future = std::pin::pin!(service.call(request));
    let Poll::Ready(response) = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    else {
        panic!("an in-process call answers at once");
    };
    let response = response.unwrap();
    let code = response.headers()["grpc-status"]
        .to_str()
        .unwrap()
        .to_owned();
    let status = tonic::Status::from_header_map(response.headers()).expect("a grpc-status");
    (code, keyed_rejection(&status))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn trips_after_one() -> Settings {
    Settings {
        timeout: ms(100),
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..Settings::new("keyed")
    }
}

const OPEN: Option<KeyedRejected> = Some(KeyedRejected::Rejected(Rejected::Open));

#[test]
fn each_grpc_method_has_its_own_breaker() {
    let clock = Arc::new(ManualClock::new());
    let transport = Transport::default();
    let layer = KeyedCircuitBreakerLayer::new(trips_after_one(), Arc::clone(&clock)).unwrap();
    let mut guarded = ServiceBuilder::new()
        .layer(layer)
        .service(transport.clone());

    assert_eq!(call(&mut guarded, "/svc.Svc/Fail"), ("14".into(), None));
    assert_eq!(call(&mut guarded, "/svc.Svc/Fail"), ("14".into(), OPEN));
    assert_eq!(call(&mut guarded, "/svc.Svc/Hello"), ("0".into(), None));
    assert_eq!(transport.reached(), 2, "the refused call never left");
    assert_eq!(
        guarded.breaker("/svc.Svc/Fail").unwrap().state(),
        State::Open
    );
    assert_eq!(
        guarded.breaker("/svc.Svc/Hello").unwrap().state(),
        State::Closed
    );
    assert_eq!(guarded.len(), 2);
}

#[test]
fn a_key_with_an_override_has_its_own_settings() {
    let clock = Arc::new(ManualClock::new());
    let defaults = Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..trips_after_one()
    };
    let layer = KeyedCircuitBreakerLayer::new(defaults, Arc::clone(&clock))
        .unwrap()
        .with_override("/svc.Svc/FailFast", trips_after_one())
        .unwrap();
    let mut guarded = layer.layer(Transport::default());
    for _ in 0..2 {
        call(&mut guarded, "/svc.Svc/FailFast");
        call(&mut guarded, "/svc.Svc/FailSlowly");
    }
    assert_eq!(call(&mut guarded, "/svc.Svc/FailFast").1, OPEN);
    assert_eq!(
        call(&mut guarded, "/svc.Svc/FailSlowly").1,
        None,
        "a third try"
    );
    assert_eq!(call(&mut guarded, "/svc.Svc/FailSlowly").1, OPEN);

    let invalid = Settings {
        ready_to_trip: TripRule::FailureRate {
            min_requests: 1,
            ratio: 2.0,
        },
        ..trips_after_one()
    };
    let layer = KeyedCircuitBreakerLayer::new(trips_after_one(), clock).unwrap();
    assert!(layer.with_override("/svc.Svc/Bad", invalid).is_err());
}

#[test]
fn endpoints_share_one_set_each_under_its_own_key() {
    let clock = Arc::new(ManualClock::new());
    let layer = KeyedCircuitBreakerLayer::new(trips_after_one(), clock).unwrap();
    let (good, bad) = (Transport::default(), Transport::default());
    let mut to_good = layer.for_endpoint("http://good").layer(good.clone());
    let mut to_bad = layer.for_endpoint("http://bad").layer(bad.clone());
    // The same method fails on one endpoint only.
    assert_eq!(call(&mut to_bad, "/svc.Svc/Fail").1, None);
    assert_eq!(call(&mut to_bad, "/svc.Svc/Fail").1, OPEN);
    assert_eq!(call(&mut to_good, "/svc.Svc/Hello").1, None);
    assert_eq!((good.reached(), bad.reached()), (1, 1));
    assert_eq!(to_good.breaker("http://bad").unwrap().state(), State::Open);
    assert_eq!(to_good.len(), 2);
}

#[test]
fn a_function_of_the_request_picks_the_key() {
    let clock = Arc::new(ManualClock::new());
    // One breaker per service, whatever the method.
    let by_service = |request: &Request<()>| {
        let path = request.uri().path();
        path.rsplit_once('/')
            .map_or(path, |(service, _)| service)
            .to_owned()
    };
    let layer = KeyedCircuitBreakerLayer::new(trips_after_one(), clock)
        .unwrap()
        .keyed_by(by_service);
    let mut guarded = layer.layer(Transport::default());
    call(&mut guarded, "/svc.A/Fail");
    assert_eq!(call(&mut guarded, "/svc.A/Hello").1, OPEN, "same service");
    assert_eq!(call(&mut guarded, "/svc.B/Hello").1, None);
    assert!(guarded.breaker("/svc.A").is_some());
}

#[test]
fn when_full_only_the_closed_breaker_idle_longest_gives_way() {
    let clock = Arc::new(ManualClock::new());
    let layer = KeyedCircuitBreakerLayer::new(trips_after_one(), Arc::clone(&clock))
        .unwrap()
        .with_capacity(3);
    let transport = Transport::default();
    let mut guarded = layer.layer(transport.clone());
    call(&mut guarded, "/svc/Hello1"); // closed, idle longest
    clock.advance(ms(1));
    call(&mut guarded, "/svc/Fail1"); // open
    clock.advance(ms(1));
    call(&mut guarded, "/svc/Hello2");
    clock.advance(ms(1));
    call(&mut guarded, "/svc/Hello1"); // used again: now Hello2 is idle longest
    clock.advance(ms(1));
    call(&mut guarded, "/svc/Hello3");
    assert!(guarded.breaker("/svc/Hello2").is_none(), "evicted");
    assert_eq!(guarded.breaker("/svc/Fail1").unwrap().state(), State::Open);
    assert!(guarded.breaker("/svc/Hello1").is_some());
    assert_eq!(guarded.len(), 3);

    // Three open breakers: nothing can go, and a new key is refused unsent.
    call(&mut guarded, "/svc/Fail2");
    call(&mut guarded, "/svc/Fail3");
    assert_eq!(guarded.len(), 3);
    let reached = transport.reached();
    let (code, refusal) = call(&mut guarded, "/svc/Hello4");
    assert_eq!((code.as_str(), refusal), ("14", Some(KeyedRejected::Full)));
    assert_eq!(transport.reached(), reached);
    let status = tonic::Status::with_metadata(
        tonic::Code::Unavailable,
        "",
        tonic::metadata::MetadataMap::from_headers(
            [(
                http::HeaderName::from_static(tripbreaker_tower::REJECTION_HEADER),
                http::HeaderValue::from_static("no-room"),
            )]
            .into_iter()
            .collect(),
        ),
    );
    assert_eq!(rejection(&status), None, "not a breaker's refusal");
    // Half-open breakers stay too.
    clock.advance(ms(101));
    assert_eq!(
        call(&mut guarded, "/svc/Hello4").1,
        Some(KeyedRejected::Full)
    );
    assert_eq!(
        guarded.breaker("/svc/Fail1").unwrap().state(),
        State::HalfOpen
    );
}

#[test]
fn an_idle_closed_breaker_expires_on_the_layers_clock() {
    let clock = Arc::new(ManualClock::new());
    let layer = KeyedCircuitBreakerLayer::new(trips_after_one(), Arc::clone(&clock))
        .unwrap()
        .with_idle_expiry(ms(1_000));
    let mut guarded = layer.layer(Transport::default());
    call(&mut guarded, "/svc/Hello");
    call(&mut guarded, "/svc/Fail");
    clock.advance(ms(1_000));
    call(&mut guarded, "/svc/Other");
    assert_eq!(guarded.len(), 3, "idle for exactly the expiry: kept");
    // A key that comes back after its expiry starts afresh.
    clock.advance(ms(1));
    call(&mut guarded, "/svc/Hello");
    let hello = guarded.breaker("/svc/Hello").unwrap();
    assert_eq!(
        hello.counts().total_successes,
        1,
        "a new breaker's first call"
    );
    // A new key's call sweeps the expired ones (at most once per expiry).
    clock.advance(ms(1_001));
    call(&mut guarded, "/svc/New");
    assert!(guarded.breaker("/svc/Hello").is_none());
    assert!(guarded.breaker("/svc/Other").is_none());
    assert_eq!(
        guarded.breaker("/svc/Fail").unwrap().state(),
        State::HalfOpen,
        "not closed: kept however long it was idle"
    );
    assert_eq!(guarded.len(), 2);
}
