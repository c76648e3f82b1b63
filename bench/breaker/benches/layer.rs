//! The tower layer's cost per call as a user meets it, beside
//! tower-resilience's circuit breaker layer on the same in-process service
//! that answers at once: the service made ready, called, and the response
//! body read to its end, on a current-thread tokio runtime.
//!
//! `cargo bench -p breaker-bench --bench layer`

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use http::{Request, Response};
use std::time::{Duration, Instant};
use support::{Ready0, call, go_demo_settings};
use tokio::runtime::Runtime;
use tower::{Layer, Service};
use tripbreaker::{MonotonicClock, SharedBreaker};
use tripbreaker_tower::CircuitBreakerLayer;

fn layers(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    // One `block_on` per batch of calls, so the runtime's entry is not
    // counted in every call.
    fn run<S, B>(b: &mut criterion::Bencher, runtime: &Runtime, service: &mut S)
    where
        S: Service<Request<()>, Response = Response<B>>,
        S::Error: std::fmt::Debug,
        B: http_body::Body<Error: std::fmt::Debug>,
    {
        b.iter_custom(|calls| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..calls {
                    call(service).await;
                }
                start.elapsed()
            })
        })
    }
    let mut group = c.benchmark_group("layer: ready + call + body (current-thread runtime)");
    group.bench_function("bare service", |b| {
        let mut service = Ready0;
        run(b, &runtime, &mut service)
    });
    for (name, interval) in [
        (
            "this layer, Go demo settings (10 s interval)",
            Duration::from_secs(10),
        ),
        ("this layer, no interval", Duration::ZERO),
    ] {
        let breaker =
            SharedBreaker::new(go_demo_settings(interval), MonotonicClock::new()).unwrap();
        let mut service = CircuitBreakerLayer::new(breaker).layer(Ready0);
        group.bench_function(name, |b| run(b, &runtime, &mut service));
    }
    let _guard = runtime.enter();
    let resilience = tower_resilience_circuitbreaker::CircuitBreakerLayer::builder()
        .build()
        .unwrap();
    let mut service = resilience.layer(Ready0);
    group.bench_function("tower-resilience 0.13, its defaults", |b| {
        run(b, &runtime, &mut service)
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    targets = layers
}
criterion_main!(benches);
