//! Fast mode on a real Redis: closed calls cost no round trip, what a
//! handle counted reaches the shared counts at its sync, a failure that
//! could trip is sent at once, the handles' failures together trip the
//! breaker, every handle learns of the trip by its next sync (or at once,
//! pushed to it, as it learns of a force), on a Redis and on a cluster,
//! and half-open stays exact across handles.

mod support;

use std::time::Duration;
use support::redis_cluster::RedisCluster;
use support::redis_server::RedisServer;
use tripbreaker::{Outcome, Rejected, Settings, State, TripRule};
use tripbreaker_redis::{Force, RedisBreaker, SharedMode};

const STORE_TIMEOUT: Duration = Duration::from_secs(5);
/// A sync period longer than any test: only failures that could trip,
/// and `sync()`, send anything.
const NEVER: Duration = Duration::from_secs(3600);
const TRIP: u32 = 3;

fn settings(name: &'static str, timeout: Duration) -> Settings {
    Settings {
        max_requests: 1,
        timeout,
        ready_to_trip: TripRule::ConsecutiveFailures(TRIP),
        ..Settings::new(name)
    }
}

fn fast(server: &RedisServer, settings: Settings, sync: Duration) -> RedisBreaker {
    fast_at(&server.url(), settings, sync)
}

fn fast_at(url: &str, settings: Settings, sync: Duration) -> RedisBreaker {
    RedisBreaker::builder(settings)
        .store_timeout(STORE_TIMEOUT)
        .shared_mode(SharedMode::Fast { sync })
        // Presence calls would count among the script calls counted here.
        .presence(None)
        .connect(url)
        .expect("a valid URL")
}

/// Calls through `breaker` until it refuses (at most 200 tries, 20 ms apart).
async fn refuses_soon(breaker: &RedisBreaker) -> Rejected {
    for _ in 0..200 {
        match breaker.try_acquire().await {
            Err(rejected) => return rejected,
            Ok(ticket) => breaker.record(ticket, Outcome::Success).await,
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{} still admits after 200 tries", breaker.key());
}

async fn call(breaker: &RedisBreaker, outcome: Outcome) -> Result<(), Rejected> {
    let ticket = breaker.try_acquire().await?;
    breaker.record(ticket, outcome).await;
    Ok(())
}

fn script_calls(server: &RedisServer) -> u64 {
    let calls = server.command_calls();
    calls.get("evalsha").copied().unwrap_or(0) + calls.get("eval").copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_calls_cost_no_round_trip_and_reach_the_shared_counts_at_the_sync() {
    let server = RedisServer::start();
    // Never tripping: failures in a row are counted, never sent at once.
    let settings = Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(1000),
        ..settings("fast-closed", Duration::from_secs(60))
    };
    let breaker = fast(&server, settings, NEVER);
    let exact = server.handle(settings);
    call(&breaker, Outcome::Success).await.expect("closed"); // learns the state
    let before = script_calls(&server);
    for outcome in [
        Outcome::Success,
        Outcome::Failure,
        Outcome::Excluded,
        Outcome::Failure,
    ] {
        for _ in 0..50 {
            call(&breaker, outcome).await.expect("closed");
        }
        call(&breaker, Outcome::Success).await.expect("closed");
    }
    assert_eq!(script_calls(&server), before, "204 calls, no script call");
    assert_eq!(exact.counts().await.requests, 1, "not synced yet");

    breaker.sync().await;
    let counts = exact.counts().await;
    assert_eq!(
        (
            counts.requests,
            counts.total_successes,
            counts.total_failures,
            counts.total_exclusions,
            counts.consecutive_successes
        ),
        (205, 55, 100, 50, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_that_could_trip_is_sent_at_once() {
    let server = RedisServer::start();
    let breaker = fast(
        &server,
        settings("fast-trip", Duration::from_secs(60)),
        NEVER,
    );
    let exact = server.handle(settings("fast-trip", Duration::from_secs(60)));
    call(&breaker, Outcome::Success).await.expect("closed");
    call(&breaker, Outcome::Failure).await.expect("closed");
    call(&breaker, Outcome::Failure).await.expect("closed");
    assert_eq!(exact.state().await, State::Closed, "two failures stay here");
    call(&breaker, Outcome::Failure).await.expect("closed");
    assert_eq!(
        exact.state().await,
        State::Open,
        "the third was sent at once"
    );
    assert_eq!(breaker.try_acquire().await.unwrap_err(), Rejected::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_handles_failures_trip_the_breaker_together_and_each_learns_by_its_sync() {
    let server = RedisServer::start();
    let sync = Duration::from_millis(100);
    let one = fast(
        &server,
        settings("fast-fleet", Duration::from_secs(60)),
        sync,
    );
    let other = fast(
        &server,
        settings("fast-fleet", Duration::from_secs(60)),
        sync,
    );
    for handle in [&one, &other] {
        call(handle, Outcome::Success).await.expect("closed"); // learns the state
    }
    for handle in [&one, &other] {
        for _ in 1..TRIP {
            call(handle, Outcome::Failure).await.expect("closed");
        }
    }
    // Two failures each, none enough alone: the syncs add them up (1 + 2
    // + 2 failures in a row, whichever syncs last), and the breaker opens.
    let mut rejected = [false, false];
    for _ in 0..100 {
        for (n, handle) in [&one, &other].into_iter().enumerate() {
            rejected[n] = handle.try_acquire().await.is_err();
        }
        if rejected == [true, true] {
            break;
        }
        tokio::time::sleep(sync / 2).await;
    }
    assert_eq!(
        rejected,
        [true, true],
        "both handles refuse within 100 tries"
    );
    assert_eq!(one.state().await, State::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_admits_max_requests_across_fast_handles() {
    let server = RedisServer::start();
    let timeout = Duration::from_millis(200);
    let one = fast(&server, settings("fast-half-open", timeout), NEVER);
    let other = fast(&server, settings("fast-half-open", timeout), NEVER);
    call(&one, Outcome::Success).await.expect("closed");
    for _ in 0..3 {
        call(&one, Outcome::Failure).await.expect("closed");
    }
    assert_eq!(other.state().await, State::Open);
    tokio::time::sleep(timeout * 2).await;

    let trial = one.try_acquire().await.expect("one trial call");
    assert_eq!(
        other.try_acquire().await.unwrap_err(),
        Rejected::TooManyRequests,
        "max_requests is 1 across the handles"
    );
    one.record(trial, Outcome::Success).await;
    assert_eq!(other.state().await, State::Closed);
    // Closed again: the next calls are fast again, counted in a new generation.
    call(&other, Outcome::Success).await.expect("closed");
    call(&other, Outcome::Success).await.expect("closed");
    other.sync().await;
    assert_eq!(one.counts().await.requests, 2);
}

/// With no sync in the test's time, only the push can tell `other`.
async fn a_trip_and_a_force_are_pushed_to_the_other_handle(url: &str) {
    let one = fast_at(url, settings("fast-pushed", Duration::from_secs(60)), NEVER);
    let other = fast_at(url, settings("fast-pushed", Duration::from_secs(60)), NEVER);
    call(&one, Outcome::Success).await.expect("closed");
    call(&other, Outcome::Success).await.expect("closed");
    for _ in 0..TRIP {
        call(&one, Outcome::Failure).await.expect("closed");
    }
    assert_eq!(refuses_soon(&other).await, Rejected::Open);

    one.force(Force::Closed, Duration::from_secs(60), "pushed")
        .await
        .expect("forced");
    call(&other, Outcome::Success).await.expect("forced closed");
    one.force(Force::Open, Duration::from_secs(60), "pushed")
        .await
        .expect("forced");
    assert_eq!(refuses_soon(&other).await, Rejected::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trip_and_a_force_are_pushed_to_fast_handles() {
    let server = RedisServer::start();
    a_trip_and_a_force_are_pushed_to_the_other_handle(&server.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trip_and_a_force_are_pushed_to_fast_handles_on_a_cluster() {
    let cluster = RedisCluster::start();
    a_trip_and_a_force_are_pushed_to_the_other_handle(&cluster.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_success_counts_as_a_failure_in_fast_mode_too() {
    let server = RedisServer::start();
    let clock = std::sync::Arc::new(tripbreaker::ManualClock::new());
    let settings = Settings {
        slow_call: Some(Duration::from_millis(50)),
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..Settings::new("fast-slow")
    };
    let breaker = RedisBreaker::builder(settings)
        .store_timeout(STORE_TIMEOUT)
        .manual_clock(clock.clone())
        .shared_mode(SharedMode::Fast { sync: NEVER })
        .connect(&server.url())
        .expect("a valid URL");
    call(&breaker, Outcome::Success).await.expect("closed");
    let before = script_calls(&server);
    let ticket = breaker.try_acquire().await.expect("closed");
    assert_eq!(script_calls(&server), before, "admitted here");
    clock.advance(Duration::from_millis(60));
    breaker.record(ticket, Outcome::Success).await;
    assert_eq!(
        breaker.state().await,
        State::Open,
        "sent at once, and tripped"
    );
}

/// The crate docs' bound, `F ≤ H · min(n, …)`: handles failing every call
/// at once, as fast as they can, make at most `n` failures each before
/// every one refuses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_handles_make_at_most_n_failures_each_before_all_refuse() {
    const HANDLES: u32 = 4;
    let server = RedisServer::start();
    let tasks: Vec<_> = (0..HANDLES)
        .map(|_| {
            let handle = fast(
                &server,
                settings("fast-bound", Duration::from_secs(60)),
                NEVER,
            );
            tokio::spawn(async move {
                for failures in 0..1000 {
                    if call(&handle, Outcome::Failure).await.is_err() {
                        return failures;
                    }
                }
                panic!("still admitting after 1000 failures");
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        let failures = task.await.expect("a handle's task");
        assert!(failures <= TRIP, "{failures} failures from one handle");
        total += failures;
    }
    assert!((TRIP..=HANDLES * TRIP).contains(&total), "{total} in all");
}
