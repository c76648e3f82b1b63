//! What metrics and keys cost per call: a shared breaker with and without
//! `MetricsObserver` (a recorder installed), and the keyed layer's call with
//! 1, 1,024 and 100,000 keys beside the bare service and the one-breaker
//! layer, on an in-process service that answers at once.
//!
//! `cargo bench -p breaker-bench --bench keyed`

mod support;

use criterion::{BenchmarkId, Criterion, black_box, criterion_group, criterion_main};
use http::{Request, Uri};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use support::{Ready0, go_demo_settings};
use tower::{Layer, Service};
use tripbreaker::{CircuitBreaker, MonotonicClock, Outcome, SharedBreaker};
use tripbreaker_tower::{CircuitBreakerLayer, KeyedCircuitBreakerLayer, MetricsObserver};

fn metrics_on_and_off(c: &mut Criterion) {
    let recorder = metrics_util::debugging::DebuggingRecorder::new();
    metrics::set_global_recorder(recorder).expect("the only recorder");
    let mut group = c.benchmark_group("metrics: admit + success (SharedBreaker)");
    for (name, settings) in [
        ("no interval", go_demo_settings(Duration::ZERO)),
        ("10 s interval", go_demo_settings(Duration::from_secs(10))),
    ] {
        let off = SharedBreaker::new(settings, MonotonicClock::new()).unwrap();
        group.bench_function(BenchmarkId::new("off", name), |b| {
            b.iter(|| off.acquire().unwrap().record(Outcome::Success))
        });
        let on = SharedBreaker::from_breaker(
            CircuitBreaker::new(settings, MonotonicClock::new())
                .unwrap()
                .with_observer(MetricsObserver::new("bench", "key")),
        );
        group.bench_function(BenchmarkId::new("on", name), |b| {
            b.iter(|| on.acquire().unwrap().record(Outcome::Success))
        });
    }
    group.finish();
}

/// One call through `service`, its future polled once (it is ready).
fn call<S: Service<Request<()>>>(service: &mut S, uri: &Uri) {
    let request = Request::post(uri.clone()).body(()).unwrap();
    let future = std::pin::pin!(service.call(request));
    let answer = future.poll(&mut Context::from_waker(Waker::noop()));
    black_box(matches!(answer, Poll::Ready(Ok(_))));
}

fn keyed_lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("keyed layer: call (Go demo settings)");
    let one = Uri::from_static("/greeter.Greeter/SayHello");
    group.bench_function("bare service", |b| b.iter(|| call(&mut Ready0, &one)));
    let breaker = SharedBreaker::new(
        go_demo_settings(Duration::from_secs(10)),
        MonotonicClock::new(),
    )
    .unwrap();
    let mut single = CircuitBreakerLayer::new(breaker).layer(Ready0);
    group.bench_function("one breaker (CircuitBreakerLayer)", |b| {
        b.iter(|| call(&mut single, &one))
    });
    for keys in [1usize, 1_024, 100_000] {
        let layer = KeyedCircuitBreakerLayer::new(
            go_demo_settings(Duration::from_secs(10)),
            MonotonicClock::new(),
        )
        .unwrap()
        .with_capacity(keys);
        let mut keyed = layer.layer(Ready0);
        let uris: Vec<Uri> = (0..keys)
            .map(|n| format!("/greeter.Greeter/Method{n:06}").parse().unwrap())
            .collect();
        for uri in &uris {
            call(&mut keyed, uri);
        }
        assert_eq!(keyed.len(), keys);
        let mut next = 0;
        group.bench_function(BenchmarkId::new("keyed", format!("{keys} keys")), |b| {
            b.iter(|| {
                call(&mut keyed, &uris[next]);
                next = (next + 1) % uris.len();
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = metrics_on_and_off, keyed_lookup
}
criterion_main!(benches);
