//! The keyed layer's metrics, read back from metrics-util's
//! `DebuggingRecorder` after a trip: every series with its names, labels
//! and values.
#![cfg(not(target_arch = "wasm32"))]

use http::{Request, Response};
use http_body_util::Empty;
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tower::{Layer, Service};
use tripbreaker::{ManualClock, Settings, TripRule};
use tripbreaker_tower::{BreakerMetrics, KeyedCircuitBreakerLayer};

/// Answers `Unavailable` on paths with `Fail`, `InvalidArgument` on paths
/// with `Bad` (a caller's mistake: excluded), `Ok` otherwise.
fn transport()
-> impl Service<Request<()>, Response = Response<Empty<bytes::Bytes>>, Error = Infallible> + Clone {
    tower::service_fn(|request: Request<()>| {
        let path = request.uri().path();
        let code = if path.contains("Fail") {
            "14"
        } else if path.contains("Bad") {
            "3"
        } else {
            "0"
        };
        let mut response = Response::new(Empty::new());
        response
            .headers_mut()
            .insert("grpc-status", code.parse().unwrap());
        std::future::ready(Ok(response))
    })
}

/// Every series as `name{label=value,...}` (labels sorted by name) with its value.
fn series(recorder: &DebuggingRecorder) -> BTreeMap<String, f64> {
    recorder
        .snapshotter()
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let (_, key) = key.into_parts();
            let mut labels: Vec<String> = key
                .labels()
                .map(|l| format!("{}={}", l.key(), l.value()))
                .collect();
            labels.sort();
            let value = match value {
                DebugValue::Counter(n) => n as f64,
                DebugValue::Gauge(g) => g.into_inner(),
                DebugValue::Histogram(_) => panic!("no histograms"),
            };
            (format!("{}{{{}}}", key.name(), labels.join(",")), value)
        })
        .collect()
}

#[test]
fn every_series_appears_with_its_value_after_a_trip() {
    let recorder = DebuggingRecorder::new();
    let clock = Arc::new(ManualClock::new());
    let settings = Settings {
        max_requests: 1,
        timeout: Duration::from_millis(100),
        ready_to_trip: TripRule::ConsecutiveFailures(2),
        ..Settings::new("greeter")
    };
    metrics::with_local_recorder(&recorder, || {
        let layer = KeyedCircuitBreakerLayer::new(settings, Arc::clone(&clock))
            .unwrap()
            .with_observers(BreakerMetrics::new("greeter"));
        let mut guarded = layer.layer(transport());
        let mut holding = guarded.clone();
        let mut call = |path: &str| {
            let request = Request::post(path).body(()).unwrap();
            let future = std::pin::pin!(guarded.call(request));
            let answered = future.poll(&mut Context::from_waker(Waker::noop()));
            assert!(matches!(answered, Poll::Ready(Ok(_))));
        };
        call("/svc/Hello");
        call("/svc/Bad");
        for _ in 0..3 {
            call("/svc/Fail"); // two failures trip it, the third is rejected
        }
        clock.advance(Duration::from_millis(101));
        let probe = {
            // A probe held open, so a second call finds the one slot taken.
            let request = Request::post("/svc/Fail").body(()).unwrap();
            holding.call(request)
        };
        call("/svc/Fail");
        drop(probe);
    });

    let series = series(&recorder);
    for (line, value) in &series {
        println!("{line} {value}");
    }
    let hello = "breaker=greeter,key=/svc/Hello";
    let fail = "breaker=greeter,key=/svc/Fail";
    let bad = "breaker=greeter,key=/svc/Bad";
    let expected: BTreeMap<String, f64> = [
        (format!("circuit_breaker_calls_total{{{hello},outcome=success}}"), 1.0),
        (format!("circuit_breaker_calls_total{{{bad},outcome=excluded}}"), 1.0),
        (format!("circuit_breaker_calls_total{{{fail},outcome=failure}}"), 2.0),
        (format!("circuit_breaker_calls_total{{{fail},outcome=rejected_open}}"), 1.0),
        (format!("circuit_breaker_calls_total{{{fail},outcome=rejected_too_many}}"), 1.0),
        // The probe, dropped before it answered.
        (format!("circuit_breaker_calls_total{{{fail},outcome=excluded}}"), 1.0),
        (
            "circuit_breaker_transitions_total{breaker=greeter,from=closed,key=/svc/Fail,reason=consecutive_failures,to=open}".to_owned(),
            1.0,
        ),
        (
            "circuit_breaker_transitions_total{breaker=greeter,from=open,key=/svc/Fail,reason=timeout_elapsed,to=half-open}".to_owned(),
            1.0,
        ),
        (format!("circuit_breaker_state{{{fail},state=closed}}"), 0.0),
        (format!("circuit_breaker_state{{{fail},state=half-open}}"), 1.0),
        (format!("circuit_breaker_state{{{fail},state=open}}"), 0.0),
        (format!("circuit_breaker_state{{{hello},state=closed}}"), 1.0),
        (format!("circuit_breaker_state{{{hello},state=half-open}}"), 0.0),
        (format!("circuit_breaker_state{{{hello},state=open}}"), 0.0),
    ]
    .into_iter()
    .collect();
    for (line, value) in &expected {
        assert_eq!(series.get(line), Some(value), "{line}");
    }
    // Every series is one of the three, labelled from closed sets.
    for line in series.keys() {
        assert!(
            line.starts_with("circuit_breaker_calls_total{")
                || line.starts_with("circuit_breaker_transitions_total{")
                || line.starts_with("circuit_breaker_state{"),
            "{line}"
        );
    }
    let zero = |line: &str| series.get(line).copied();
    assert_eq!(
        zero(&format!(
            "circuit_breaker_calls_total{{{hello},outcome=failure}}"
        )),
        Some(0.0),
        "registered with the breaker, at zero"
    );
}
