//! The one-call API on a real Redis: results are counted by their
//! classification, and a call dropped before it ends gives its half-open
//! slot back.

mod support;

use std::time::{Duration, Instant};
use support::redis_server::RedisServer;
use tripbreaker::{CallError, Outcome, Rejected, Settings, State, TripRule};
use tripbreaker_redis::RedisBreaker;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_count_as_classified() {
    let server = RedisServer::start();
    let breaker = server.handle(Settings::new("calls"));
    let ok: Result<u32, CallError<&str>> = breaker.call(|| async { Ok(7) }).await;
    assert_eq!(ok, Ok(7));
    let failed: Result<u32, _> = breaker.call(|| async { Err("down") }).await;
    assert_eq!(failed, Err(CallError::Inner("down")));
    let not_found_is_fine = |result: &Result<u32, &str>| match result {
        Err(error) if *error == "not found" => Outcome::Excluded,
        Ok(_) => Outcome::Success,
        Err(_) => Outcome::Failure,
    };
    let excluded = breaker
        .call_with(|| async { Err("not found") }, not_found_is_fine)
        .await;
    assert_eq!(excluded, Err(CallError::Inner("not found")));
    let counts = breaker.counts().await;
    assert_eq!(
        (
            counts.requests,
            counts.total_successes,
            counts.total_failures,
            counts.total_exclusions
        ),
        (3, 1, 1, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_call_gives_its_half_open_slot_back() {
    let server = RedisServer::start();
    let settings = Settings {
        max_requests: 1,
        timeout: Duration::from_millis(100),
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..Settings::new("dropped")
    };
    let breaker = server.handle(settings);
    let _: Result<(), _> = breaker.call(|| async { Err("down") }).await;
    assert_eq!(breaker.state().await, State::Open);
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The one trial call hangs; its caller gives up.
    let hanging = breaker.call(std::future::pending::<Result<(), &str>>);
    assert!(
        tokio::time::timeout(Duration::from_millis(200), hanging)
            .await
            .is_err()
    );

    let deadline = Instant::now() + Duration::from_secs(10);
    let trial = loop {
        match breaker.try_acquire().await {
            Err(Rejected::TooManyRequests) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            other => break other,
        }
    };
    let trial = trial.expect("the dropped call's slot was given back");
    breaker.record(trial, Outcome::Success).await;
    assert_eq!(breaker.state().await, State::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_time_to_the_next_transition_is_the_cores() {
    let server = RedisServer::start();
    let clock = std::sync::Arc::new(tripbreaker::ManualClock::new());
    let settings = Settings {
        timeout: Duration::from_secs(5),
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..Settings::new("next-transition")
    };
    let breaker = RedisBreaker::builder(settings)
        .store_timeout(Duration::from_secs(5))
        .manual_clock(clock.clone())
        .connect(&server.url())
        .expect("a valid URL");
    let mut core = tripbreaker::CircuitBreaker::new(settings, clock.clone()).unwrap();
    assert_eq!(breaker.time_to_next_transition().await, None, "closed");

    let ticket = breaker.try_acquire().await.unwrap();
    breaker.record(ticket, Outcome::Failure).await;
    let ticket = core.try_acquire().unwrap();
    core.record(ticket, Outcome::Failure);
    clock.advance(Duration::from_millis(1_500));
    assert_eq!(breaker.state().await, State::Open);
    // Strictly after the timeout ends: one tick later, a nanosecond on the
    // core's clock, a microsecond on the store's.
    let shared = breaker.time_to_next_transition().await.expect("open");
    let local = core.time_to_next_transition().expect("open");
    assert_eq!(
        shared - Duration::from_micros(1),
        local - Duration::from_nanos(1),
        "open: the rest of the timeout"
    );
    assert_eq!(shared, Duration::from_micros(3_500_001));
}
