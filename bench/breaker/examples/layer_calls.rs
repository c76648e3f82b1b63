//! Makes a given number of calls through one of the `layer` benchmark's
//! services, for callgrind to count the instructions they take: counts are
//! the same from run to run on a busy machine, where times are not.
//!
//! ```text
//! cargo build --release -p breaker-bench --example layer_calls
//! valgrind --tool=callgrind target/release/examples/layer_calls go-demo 20000
//! ```
//!
//! The difference between two counts (say 10,000 and 20,000 calls) divided
//! by the difference in calls is one call's cost, start-up left out.

#[path = "../benches/support/mod.rs"]
mod support;

use http::{Request, Response};
use std::time::Duration;
use support::{Ready0, call, go_demo_settings};
use tower::{Layer, Service};
use tripbreaker::{MonotonicClock, SharedBreaker};
use tripbreaker_tower::CircuitBreakerLayer;

/// The services that can be counted, as named on the command line.
const SERVICES: &str = "bare | go-demo | no-interval | tower-resilience";

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(service), Some(calls)) = (args.next(), args.next()) else {
        eprintln!("usage: layer_calls <{SERVICES}> <calls>");
        std::process::exit(2);
    };
    let Ok(calls) = calls.parse::<u64>() else {
        eprintln!("calls must be a whole number, not {calls:?}");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a current-thread runtime");
    let _guard = runtime.enter();
    match service.as_str() {
        "bare" => runtime.block_on(call_times(&mut Ready0, calls)),
        "go-demo" => runtime.block_on(call_times(&mut guarded(Duration::from_secs(10)), calls)),
        "no-interval" => runtime.block_on(call_times(&mut guarded(Duration::ZERO), calls)),
        "tower-resilience" => {
            let layer = tower_resilience_circuitbreaker::CircuitBreakerLayer::builder()
                .build()
                .expect("tower-resilience's defaults");
            runtime.block_on(call_times(&mut layer.layer(Ready0), calls))
        }
        other => {
            eprintln!("no service {other:?}: one of {SERVICES}");
            std::process::exit(2);
        }
    }
}

/// This crate's layer around the service, with the Go demo's settings but `interval`.
fn guarded(
    interval: Duration,
) -> impl Service<
    Request<()>,
    Response = Response<impl http_body::Body<Error: std::fmt::Debug>>,
    Error: std::fmt::Debug,
> {
    let breaker = SharedBreaker::new(go_demo_settings(interval), MonotonicClock::new())
        .expect("valid settings");
    CircuitBreakerLayer::new(breaker).layer(Ready0)
}

/// `calls` calls through `service`.
async fn call_times<S, B>(service: &mut S, calls: u64)
where
    S: Service<Request<()>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
    B: http_body::Body<Error: std::fmt::Debug>,
{
    for _ in 0..calls {
        call(service).await;
    }
}
