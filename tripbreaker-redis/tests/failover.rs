//! The master holding two breakers' slot is killed mid-run on a real Redis
//! Cluster: calls go on through the local fallback without waiting past
//! the store timeout (admitted for the closed breaker, rejected for the
//! open one), every handle rejoins the promoted replica, which has the open
//! state, and half-open then admits no more than `max_requests` trial
//! calls across the fleet.

mod support;

use std::time::{Duration, Instant};
use support::redis_cluster::RedisCluster;
use tripbreaker::{Outcome, Rejected, Settings, State, TripRule};
use tripbreaker_redis::{Mode, RedisBreaker, Ticket};

/// Handles per breaker, each on a cluster connection of its own.
const HANDLES: usize = 4;
const MAX_REQUESTS: u32 = 2;
/// Far longer than a failover (a node timeout of 1 s, an election, the
/// handles' next probes), so the open state outlasts it.
const OPEN_TIMEOUT: Duration = Duration::from_secs(15);
/// Longer than the 50 ms default: six Redis processes and their election
/// share a small machine here, and a call that timed out past the open
/// timeout would send its handle to its local breaker, whose own trial
/// calls the fleet's `max_requests` does not count.
const STORE_TIMEOUT: Duration = Duration::from_millis(250);
const PROBE_INTERVAL: Duration = Duration::from_millis(100);
/// What "did not block" means: far above the store timeout, so a noisy
/// machine cannot fail the test, far below a hung call.
const NEVER_BLOCKED: Duration = Duration::from_secs(1);
/// How long the failover and the rejoining may take.
const FAILOVER_LIMIT: Duration = Duration::from_secs(30);

fn settings(name: &'static str) -> Settings {
    Settings {
        max_requests: MAX_REQUESTS,
        timeout: OPEN_TIMEOUT,
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new(name)
    }
}

fn handle(cluster: &RedisCluster, name: &'static str, store_timeout: Duration) -> RedisBreaker {
    RedisBreaker::builder(settings(name))
        .store_timeout(store_timeout)
        .probe_interval(PROBE_INTERVAL)
        .connect(&cluster.url())
        .expect("a valid cluster URL")
}

fn fleet(cluster: &RedisCluster, name: &'static str) -> Vec<RedisBreaker> {
    (0..HANDLES)
        .map(|_| handle(cluster, name, STORE_TIMEOUT))
        .collect()
}

/// Calls (recording successes) until `breaker` uses the shared state and
/// it answers as `expected`: a first connection to a cluster (its slots
/// learnt from a node) may take longer than the store timeout.
async fn until_shared(breaker: &RedisBreaker, expected: Result<(), Rejected>, limit: Instant) {
    loop {
        let (result, _) = acquire(breaker).await;
        let answer = result.as_ref().map(drop).map_err(|r| *r);
        let shared = breaker.mode() == Mode::Shared;
        if let Ok(ticket) = result {
            breaker.record(ticket, Outcome::Success).await;
        }
        if shared && answer == expected {
            return;
        }
        assert!(Instant::now() < limit, "{}: shared in time", breaker.name());
        tokio::time::sleep(PROBE_INTERVAL / 2).await;
    }
}

/// `try_acquire`, checking it answered within [`NEVER_BLOCKED`]; how long it took.
async fn acquire(breaker: &RedisBreaker) -> (Result<Ticket, Rejected>, Duration) {
    let started = Instant::now();
    let result = tokio::time::timeout(NEVER_BLOCKED, breaker.try_acquire())
        .await
        .expect("try_acquire never waits much past the store timeout");
    (result, started.elapsed())
}

/// A breaker name whose slot is on the same master as `key`'s.
fn name_beside(cluster: &RedisCluster, key: &str) -> &'static str {
    let master = cluster.master_of(key);
    (0..)
        .map(|n| format!("closed-{n}"))
        .find(|name| cluster.master_of(name) == master)
        .map(|name| &*name.leak())
        .expect("a name on every master")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_master_fails_over_without_blocking_calls_or_widening_half_open() {
    let mut cluster = tokio::task::spawn_blocking(RedisCluster::start)
        .await
        .expect("the cluster starts");
    let opened = fleet(&cluster, "failover");
    let key = opened[0].key().to_owned();
    let closed = fleet(&cluster, name_beside(&cluster, &key));
    let limit = Instant::now() + FAILOVER_LIMIT;
    for breaker in opened.iter().chain(&closed) {
        until_shared(breaker, Ok(()), limit).await;
    }
    // Tripped through a patient handle of its own (the same settings), so
    // a slow machine cannot lose a failure to the store timeout.
    let tripping = handle(&cluster, "failover", NEVER_BLOCKED);
    for _ in 0..3 {
        let ticket = tripping.try_acquire().await.expect("closed");
        tripping.record(ticket, Outcome::Failure).await;
    }
    assert_eq!(tripping.state().await, State::Open);
    for breaker in &opened {
        until_shared(breaker, Err(Rejected::Open), limit).await;
    }

    let killed = cluster.kill_master_of(&key);
    println!("killed {killed}, the master of {key}");
    let started = Instant::now();
    let (mut slowest, mut admitted, mut local) = (Duration::ZERO, 0, 0);
    let promoted = loop {
        for breaker in &closed {
            let (ticket, took) = acquire(breaker).await;
            slowest = slowest.max(took);
            let ticket = ticket.expect("the closed breaker admits, locally or not");
            admitted += 1;
            breaker.record(ticket, Outcome::Success).await;
        }
        for breaker in &opened {
            let (rejected, took) = acquire(breaker).await;
            slowest = slowest.max(took);
            assert_eq!(rejected.unwrap_err(), Rejected::Open, "open throughout");
            local += usize::from(breaker.mode() != Mode::Shared);
        }
        if let Some(promoted) = cluster.promoted_master(&key) {
            break promoted;
        }
        assert!(started.elapsed() < FAILOVER_LIMIT, "failed over in time");
        tokio::time::sleep(PROBE_INTERVAL / 4).await;
    };
    println!(
        "{promoted} took over after {:?}: {admitted} calls admitted meanwhile, \
         {local} rejections decided locally, the slowest call {slowest:?}",
        started.elapsed()
    );
    assert!(local > 0, "the handles used their local breakers");

    // Every handle rejoins the promoted replica, which kept the open state.
    let fleet: Vec<&RedisBreaker> = opened.iter().chain(&closed).collect();
    while fleet.iter().any(|b| b.mode() != Mode::Shared) {
        assert!(started.elapsed() < FAILOVER_LIMIT, "rejoined in time");
        for breaker in &fleet {
            if let (Ok(ticket), _) = acquire(breaker).await {
                breaker.record(ticket, Outcome::Success).await;
            }
        }
        tokio::time::sleep(PROBE_INTERVAL / 2).await;
    }
    println!(
        "every handle rejoined {:?} after the kill",
        started.elapsed()
    );
    let state: Option<i64> = cluster.command_on(&promoted, redis::cmd("HGET").arg(&key).arg("st"));
    assert_eq!(state, Some(2), "open on the promoted replica");
    let left = opened[0]
        .time_to_next_transition()
        .await
        .expect("the failover did not outlast the open timeout: lengthen OPEN_TIMEOUT");
    assert_eq!(
        opened[0].mode(),
        Mode::Shared,
        "the time left is the shared state's"
    );

    // Half-open: the whole fleet asks again and again; the trial calls are
    // held, and no more than MAX_REQUESTS are admitted in all.
    tokio::time::sleep(left).await;
    let mut trials = Vec::new();
    let asking = Instant::now();
    while asking.elapsed() < Duration::from_secs(1) {
        for breaker in &opened {
            match acquire(breaker).await.0 {
                Ok(ticket) => trials.push((breaker, ticket)),
                Err(rejected) => assert_eq!(rejected, Rejected::TooManyRequests),
            }
        }
    }
    assert_eq!(trials.len(), MAX_REQUESTS as usize, "trial calls in all");
    assert!(trials.iter().all(|(_, ticket)| ticket.is_shared()));
    for (breaker, ticket) in trials {
        breaker.record(ticket, Outcome::Success).await;
    }
    for breaker in &opened {
        assert_eq!(breaker.state().await, State::Closed);
    }
}
