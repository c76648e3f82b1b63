//! Redis killed, restarted, paused or emptied under a shared breaker: calls
//! go on through the local fallback without waiting past the store timeout,
//! handles rejoin when Redis answers, and an emptied Redis never re-admits
//! calls a breaker seen open would reject.

mod support;

use std::time::{Duration, Instant};
use support::redis_server::RedisServer;
use tripbreaker::{Outcome, Rejected, Settings, State, TripRule};
use tripbreaker_redis::{Mode, RedisBreaker};

const STORE_TIMEOUT: Duration = Duration::from_millis(50);
const PROBE_INTERVAL: Duration = Duration::from_millis(100);
/// What "did not block" means here: far above the store timeout, so a
/// noisy machine cannot fail the test, far below a hung call.
const NEVER_BLOCKED: Duration = Duration::from_secs(1);
/// How long Redis stays down in the restart test.
const OUTAGE: Duration = Duration::from_secs(3);
/// How long a handle may take to rejoin a restarted Redis.
const REJOIN_LIMIT: Duration = Duration::from_secs(20);

fn settings(name: &'static str) -> Settings {
    Settings {
        max_requests: 1,
        timeout: Duration::from_secs(60),
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new(name)
    }
}

fn handle(server: &RedisServer, settings: Settings) -> RedisBreaker {
    RedisBreaker::builder(settings)
        .store_timeout(STORE_TIMEOUT)
        .probe_interval(PROBE_INTERVAL)
        .connect(&server.url())
        .expect("a valid URL")
}

/// `try_acquire`, checking it answered within [`NEVER_BLOCKED`].
async fn acquire(breaker: &RedisBreaker) -> Result<tripbreaker_redis::Ticket, Rejected> {
    let started = Instant::now();
    let result = tokio::time::timeout(NEVER_BLOCKED, breaker.try_acquire())
        .await
        .expect("try_acquire never waits much past the store timeout");
    assert!(started.elapsed() < NEVER_BLOCKED);
    result
}

async fn record(breaker: &RedisBreaker, ticket: tripbreaker_redis::Ticket, outcome: Outcome) {
    tokio::time::timeout(NEVER_BLOCKED, breaker.record(ticket, outcome))
        .await
        .expect("record never waits much past the store timeout");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_go_on_through_the_local_breaker_when_redis_is_killed() {
    let mut server = RedisServer::start();
    let breaker = handle(&server, settings("killed"));
    let ticket = acquire(&breaker).await.expect("closed");
    assert!(ticket.is_shared());
    record(&breaker, ticket, Outcome::Success).await;
    assert_eq!(breaker.mode(), Mode::Shared);

    server.kill();
    for _ in 0..20 {
        let ticket = acquire(&breaker)
            .await
            .expect("the local breaker is closed");
        record(&breaker, ticket, Outcome::Success).await;
    }
    let Mode::Local { reason, .. } = breaker.mode() else {
        panic!("the handle fell back: {:?}", breaker.mode());
    };
    assert!(!reason.is_empty());
    let ticket = acquire(&breaker).await.expect("closed");
    assert!(!ticket.is_shared(), "the local breaker admitted it");
    record(&breaker, ticket, Outcome::Failure).await;

    // The local breaker counts and trips by the same settings.
    for _ in 0..2 {
        let ticket = acquire(&breaker).await.expect("not yet tripped");
        record(&breaker, ticket, Outcome::Failure).await;
    }
    assert_eq!(acquire(&breaker).await.unwrap_err(), Rejected::Open);
    let reading = tokio::time::timeout(NEVER_BLOCKED, breaker.state()).await;
    assert_eq!(reading.expect("state() never blocks either"), State::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_rejoin_a_restarted_redis() {
    let mut server = RedisServer::start();
    let breaker = handle(&server, settings("restarted"));
    let ticket = acquire(&breaker).await.expect("closed");
    record(&breaker, ticket, Outcome::Success).await;

    server.kill();
    // Down for many probe intervals, so the connection's own reconnection
    // attempts run out before Redis is back.
    let outage = Instant::now() + OUTAGE;
    while Instant::now() < outage {
        let ticket = acquire(&breaker)
            .await
            .expect("the local breaker is closed");
        assert!(!ticket.is_shared());
        record(&breaker, ticket, Outcome::Success).await;
        tokio::time::sleep(PROBE_INTERVAL / 4).await;
    }
    assert!(matches!(breaker.mode(), Mode::Local { .. }));

    server.restart();
    let deadline = Instant::now() + REJOIN_LIMIT;
    let shared = loop {
        let ticket = acquire(&breaker).await.expect("closed either way");
        let shared = ticket.is_shared();
        record(&breaker, ticket, Outcome::Success).await;
        if shared || Instant::now() > deadline {
            break shared;
        }
        tokio::time::sleep(PROBE_INTERVAL / 2).await;
    };
    assert!(shared, "the handle rejoined within {REJOIN_LIMIT:?}");
    assert_eq!(breaker.mode(), Mode::Shared);
    let (state, counts) = breaker.snapshot().await;
    assert_eq!(state, State::Closed);
    assert!(
        counts.requests >= 1,
        "the shared breaker counts again: {counts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emptied_redis_never_re_admits_what_an_open_breaker_rejects() {
    let mut server = RedisServer::start();
    let breaker = handle(&server, settings("reopened"));
    trip(&breaker).await;
    assert_eq!(breaker.state().await, State::Open);

    // Down: the local fallback keeps the open state it last saw.
    server.kill();
    assert_eq!(acquire(&breaker).await.unwrap_err(), Rejected::Open);
    assert!(matches!(breaker.mode(), Mode::Local { .. }));

    // Back, empty: the key is recreated open from what the handle saw.
    server.restart();
    rejoin_rejecting(&breaker).await;
    let newcomer = handle(&server, settings("reopened"));
    assert_eq!(
        newcomer.state().await,
        State::Open,
        "the shared state is open again"
    );
    assert_eq!(acquire(&newcomer).await.unwrap_err(), Rejected::Open);
}

/// Waits (at most [`REJOIN_LIMIT`]) for `tripbreaker` to rejoin the shared
/// state, checking that every call meanwhile is rejected as open.
async fn rejoin_rejecting(breaker: &RedisBreaker) {
    let deadline = Instant::now() + REJOIN_LIMIT;
    while breaker.mode() != Mode::Shared && Instant::now() < deadline {
        assert_eq!(acquire(breaker).await.unwrap_err(), Rejected::Open);
        tokio::time::sleep(PROBE_INTERVAL / 2).await;
    }
    assert_eq!(
        breaker.mode(),
        Mode::Shared,
        "rejoined within {REJOIN_LIMIT:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outcome_from_before_the_key_was_lost_never_counts() {
    let server = RedisServer::start();
    let breaker = handle(&server, settings("lost"));
    let ticket = acquire(&breaker).await.expect("closed");
    let () = server.command(redis::cmd("DEL").arg(breaker.key()));
    record(&breaker, ticket, Outcome::Failure).await;
    let counts = breaker.counts().await;
    assert_eq!(counts.total_failures, 0, "{counts:?}");
    assert_eq!(breaker.mode(), Mode::Shared);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admission_answered_too_late_gives_its_half_open_slot_back() {
    let server = RedisServer::start();
    let settings = Settings {
        timeout: Duration::from_millis(200),
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..settings("late")
    };
    let breaker = handle(&server, settings);
    let ticket = acquire(&breaker).await.expect("closed");
    record(&breaker, ticket, Outcome::Failure).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Redis holds every command for a while: the admission of the one
    // half-open trial call answers long after the store timeout.
    let () = server.command(redis::cmd("CLIENT").arg("PAUSE").arg(500).arg("ALL"));
    let ticket = acquire(&breaker).await;
    assert!(
        matches!(breaker.mode(), Mode::Local { .. }),
        "fell back while paused"
    );
    drop(ticket);

    // After the pause the late admission is given back as excluded, so a
    // newcomer gets the trial slot instead of waiting for ever.
    let newcomer = handle(&server, settings);
    let deadline = Instant::now() + Duration::from_secs(10);
    let probe = loop {
        match acquire(&newcomer).await {
            Ok(ticket) if ticket.is_shared() => break Ok(ticket),
            Ok(_) | Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            other => break other,
        }
    };
    let probe = probe.expect("the trial slot was given back");
    record(&newcomer, probe, Outcome::Success).await;
    assert_eq!(newcomer.state().await, State::Closed);
}

/// Fails three calls in a row: the breaker (of [`settings`]) opens.
async fn trip(breaker: &RedisBreaker) {
    for _ in 0..3 {
        let ticket = acquire(breaker).await.expect("closed");
        record(breaker, ticket, Outcome::Failure).await;
    }
}

/// Acquires until the handle admits a call (or `limit` passes), recording
/// nothing: the rejections before it, in order.
async fn first_admission(
    breaker: &RedisBreaker,
    limit: Duration,
) -> (Vec<Rejected>, Option<tripbreaker_redis::Ticket>) {
    let deadline = Instant::now() + limit;
    let mut rejections = Vec::new();
    while Instant::now() < deadline {
        match acquire(breaker).await {
            Ok(ticket) => return (rejections, Some(ticket)),
            Err(rejected) => rejections.push(rejected),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (rejections, None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_redis_while_open_never_admits_more_than_half_open_would() {
    let mut server = RedisServer::start();
    let settings = Settings {
        timeout: Duration::from_millis(500),
        ..settings("lost-while-open")
    };
    let breaker = handle(&server, settings);
    trip(&breaker).await;
    assert_eq!(breaker.state().await, State::Open);

    server.kill();
    // The local breaker goes on from the open state it saw: it rejects,
    // then turns half-open and admits max_requests (1) trial call, no more.
    let (rejections, probe) = first_admission(&breaker, REJOIN_LIMIT).await;
    assert!(matches!(breaker.mode(), Mode::Local { .. }));
    assert!(!rejections.is_empty() && rejections.iter().all(|r| *r == Rejected::Open));
    let probe = probe.expect("half-open after the open timeout");
    assert!(!probe.is_shared());
    assert_eq!(breaker.state().await, State::HalfOpen);
    assert_eq!(
        acquire(&breaker).await.unwrap_err(),
        Rejected::TooManyRequests,
        "one trial call at a time, as the shared breaker would allow"
    );
    record(&breaker, probe, Outcome::Success).await;
    assert_eq!(breaker.state().await, State::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_redis_while_half_open_starts_the_local_breaker_open() {
    let mut server = RedisServer::start();
    let settings = Settings {
        timeout: Duration::from_millis(300),
        ..settings("lost-while-half-open")
    };
    let breaker = handle(&server, settings);
    let elsewhere = handle(&server, settings);
    trip(&breaker).await;
    // Another handle takes the one trial call; this one sees half-open.
    let (_, trial) = first_admission(&elsewhere, REJOIN_LIMIT).await;
    let trial = trial.expect("half-open after the open timeout");
    assert!(trial.is_shared());
    assert_eq!(breaker.state().await, State::HalfOpen);

    server.kill();
    // The trial may still be running elsewhere: locally the breaker is
    // open (for a fresh timeout), not closed.
    assert_eq!(acquire(&breaker).await.unwrap_err(), Rejected::Open);
    assert!(matches!(breaker.mode(), Mode::Local { .. }));
    assert_eq!(breaker.state().await, State::Open);
    drop(trial);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_restarted_empty_resumes_what_the_local_breaker_decided_meanwhile() {
    let mut server = RedisServer::start();
    let breaker = handle(&server, settings("opened-while-away"));
    let ticket = acquire(&breaker).await.expect("closed");
    record(&breaker, ticket, Outcome::Success).await;

    // Redis goes away; meanwhile the local breaker trips on its own failures.
    server.kill();
    trip(&breaker).await;
    assert!(matches!(breaker.mode(), Mode::Local { .. }));
    assert_eq!(acquire(&breaker).await.unwrap_err(), Rejected::Open);

    // Back, empty: the shared breaker is recreated open, not closed.
    server.restart();
    rejoin_rejecting(&breaker).await;
    let newcomer = handle(&server, settings("opened-while-away"));
    assert_eq!(newcomer.state().await, State::Open);
    assert_eq!(acquire(&newcomer).await.unwrap_err(), Rejected::Open);
    let left = newcomer.time_to_next_transition().await.expect("open");
    assert!(
        left <= Duration::from_secs(60) && left > Duration::from_secs(30),
        "open for what was left of the local open timeout (60 s): {left:?}"
    );
}
