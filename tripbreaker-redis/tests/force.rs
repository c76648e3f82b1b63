//! Steering a shared breaker on a real Redis (and a real Redis Cluster): a
//! force set through one handle reaches the others at their next call, ends
//! when released or when its time is up (the breaker then closed with fresh
//! counts), needs no settings in common with the handles it steers, and
//! meets a handle's local force by one rule: a force open wins, wherever it
//! was set.

mod support;

use parking_lot::Mutex;
use std::sync::Arc;
use std::time::Duration;
use support::redis_cluster::RedisCluster;
use support::redis_server::RedisServer;
use tripbreaker::{ManualClock, Outcome, Reason, Rejected, Settings, State, Transition, TripRule};
use tripbreaker_redis::{Force, ForceError, MAX_FORCE_TTL, RedisBreaker};

/// Far above any answer time on a busy machine: these tests are about
/// steering, not about falling back.
const STORE_TIMEOUT: Duration = Duration::from_secs(5);
const TTL: Duration = Duration::from_secs(60);

fn settings(name: &'static str) -> Settings {
    Settings {
        timeout: Duration::from_secs(30),
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new(name)
    }
}

/// The transitions a handle reported: from, to and why.
type Seen = Arc<Mutex<Vec<(State, State, Reason)>>>;

fn watched(
    builder: tripbreaker_redis::Builder,
    url: &str,
) -> (
    RedisBreaker<impl tripbreaker::Observer + Send + 'static>,
    Seen,
) {
    let seen = Seen::default();
    let sink = seen.clone();
    let breaker = builder
        .store_timeout(STORE_TIMEOUT)
        .observer(move |_: &str, t: Transition| sink.lock().push((t.from, t.to, t.reason)))
        .connect(url)
        .expect("a valid URL");
    (breaker, seen)
}

async fn fail<O: tripbreaker::Observer + Send + 'static>(breaker: &RedisBreaker<O>, calls: usize) {
    for _ in 0..calls {
        let ticket = breaker.try_acquire().await.expect("admitted");
        breaker.record(ticket, Outcome::Failure).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_force_reaches_the_other_handles_at_their_next_call_and_a_release_ends_it() {
    let server = RedisServer::start();
    let (caller, seen) = watched(RedisBreaker::builder(settings("steered")), &server.url());
    // The operator's handle runs other settings: steering needs none in common.
    let operator = server.handle(Settings {
        timeout: Duration::from_secs(5),
        ..settings("steered")
    });
    fail(&caller, 2).await;
    assert_eq!(caller.counts().await.consecutive_failures, 2);

    let forced = operator
        .force(Force::Open, TTL, "deploy of the payments API")
        .await
        .expect("forced");
    assert_eq!((forced.force, forced.remaining), (Force::Open, TTL));
    assert_eq!(caller.try_acquire().await.unwrap_err(), Rejected::Open);
    assert_eq!(
        *seen.lock(),
        [(State::Closed, State::ForcedOpen, Reason::Forced)],
        "the caller applied the force at its call"
    );
    let (state, counts) = caller.snapshot().await;
    assert_eq!((state, counts.requests), (State::ForcedOpen, 0));
    let next = caller
        .time_to_next_transition()
        .await
        .expect("the force ends");
    assert!(next <= TTL && !next.is_zero(), "{next:?}");
    let read = caller.forced().await.expect("read").expect("a force");
    assert_eq!(
        (read.force, read.reason.as_str()),
        (Force::Open, "deploy of the payments API")
    );
    assert!(read.remaining <= TTL && !read.remaining.is_zero());
    assert_eq!(
        caller.check_settings().await.map_err(|c| c.to_string()),
        Ok(())
    );

    let released = operator
        .release()
        .await
        .expect("released")
        .expect("a force");
    assert_eq!(released.force, Force::Open);
    assert_eq!(operator.forced().await.expect("read"), None);
    assert_eq!(operator.release().await.expect("nothing to release"), None);
    let ticket = caller.try_acquire().await.expect("closed again");
    caller.record(ticket, Outcome::Failure).await;
    assert_eq!(
        seen.lock().last(),
        Some(&(State::ForcedOpen, State::Closed, Reason::Released))
    );
    let (state, counts) = caller.snapshot().await;
    assert_eq!(state, State::Closed);
    assert_eq!(
        (counts.requests, counts.consecutive_failures),
        (1, 1),
        "fresh counts: the two failures before the force are gone"
    );
    let fields: Vec<Option<String>> = server.command(
        redis::cmd("HMGET")
            .arg(caller.key())
            .arg("fk")
            .arg("fend")
            .arg("frs"),
    );
    assert_eq!(
        fields,
        [None, None, None],
        "a released force leaves nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_force_ends_when_its_time_is_up_and_the_breaker_goes_on_closed_with_fresh_counts() {
    let server = RedisServer::start();
    let clock = Arc::new(ManualClock::new());
    let on = |name| RedisBreaker::builder(settings(name)).manual_clock(clock.clone());
    let (one, seen) = watched(on("expiring"), &server.url());
    let (other, _) = watched(on("expiring"), &server.url());

    // Forced closed: every call goes through and counts, nothing trips.
    one.force(
        Force::Closed,
        Duration::from_secs(10),
        "a flaky health check",
    )
    .await
    .expect("forced");
    assert_eq!(one.state().await, State::ForcedClosed, "applied by `one`");
    fail(&other, 5).await;
    let (state, counts) = one.snapshot().await;
    assert_eq!((state, counts.total_failures), (State::ForcedClosed, 5));
    clock.advance(Duration::from_secs(9));
    assert_eq!(
        other.forced().await.expect("read").map(|f| f.remaining),
        Some(Duration::from_secs(1))
    );

    // Its time is up: closed, with none of its counts.
    clock.advance(Duration::from_secs(1));
    assert_eq!(other.forced().await.expect("read"), None);
    let (state, counts) = one.snapshot().await;
    assert_eq!(
        (state, counts.requests, counts.total_failures),
        (State::Closed, 0, 0)
    );
    assert_eq!(
        *seen.lock(),
        [
            (State::Closed, State::ForcedClosed, Reason::Forced),
            (State::ForcedClosed, State::Closed, Reason::Released),
        ]
    );
    fail(&other, 3).await;
    assert_eq!(
        one.state().await,
        State::Open,
        "it trips again on its own counts"
    );

    // A force open replaces the open state, and ends in closed, not half-open.
    one.force(Force::Open, Duration::from_secs(5), "maintenance")
        .await
        .expect("forced");
    assert_eq!(other.try_acquire().await.unwrap_err(), Rejected::Open);
    clock.advance(Duration::from_secs(5));
    let ticket = other.try_acquire().await.expect("closed after the force");
    other.record(ticket, Outcome::Success).await;
    let (state, counts) = one.snapshot().await;
    assert_eq!(
        (state, counts.requests, counts.total_successes),
        (State::Closed, 1, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_force_open_wins_wherever_it_was_set() {
    let server = RedisServer::start();
    let here = server.handle(settings("local-and-shared"));
    let there = server.handle(settings("local-and-shared"));

    // A local force open: this handle alone rejects, without asking Redis.
    here.force_locally(Force::Open);
    assert_eq!(here.local_force(), Some(Force::Open));
    assert_eq!(here.try_acquire().await.unwrap_err(), Rejected::Open);
    assert_eq!(here.state().await, State::ForcedOpen);
    drop(there.try_acquire().await.expect("the others go on"));
    // ... and over a shared force closed.
    there
        .force(Force::Closed, TTL, "false alarms")
        .await
        .expect("forced");
    assert_eq!(here.try_acquire().await.unwrap_err(), Rejected::Open);
    drop(there.try_acquire().await.expect("forced closed"));

    // A local force closed yields to a shared force open.
    here.force_locally(Force::Closed);
    there
        .force(Force::Open, TTL, "incident 42")
        .await
        .expect("forced");
    assert_eq!(here.try_acquire().await.unwrap_err(), Rejected::Open);
    assert_eq!(here.state().await, State::ForcedOpen);

    // With no shared force, a local force closed admits, outside the shared
    // counts, even while the shared breaker is open.
    there.release().await.expect("released");
    fail(&there, 3).await;
    assert_eq!(there.state().await, State::Open);
    let ticket = here.try_acquire().await.expect("forced closed here");
    assert!(!ticket.is_shared(), "counted by this handle alone");
    here.record(ticket, Outcome::Failure).await;
    assert_eq!(here.state().await, State::ForcedClosed);
    let (state, counts) = there.snapshot().await;
    assert_eq!((state, counts.requests), (State::Open, 0));

    // Released locally: the shared breaker decides again.
    here.release_locally();
    assert_eq!(here.local_force(), None);
    assert_eq!(here.try_acquire().await.unwrap_err(), Rejected::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_forces_are_refused_before_anything_is_sent() {
    // No Redis on this port: the checks come first.
    let port = server_launcher::child_port().expect("a free port");
    let breaker = RedisBreaker::builder(settings("refused"))
        .store_timeout(Duration::from_millis(100))
        .connect(&format!("redis://127.0.0.1:{port}"))
        .expect("a valid URL");
    let refused = [
        (Duration::ZERO, "why", "more than 0s"),
        (
            MAX_FORCE_TTL + Duration::from_secs(1),
            "why",
            "at most 1day",
        ),
        (TTL, "two\nlines", "printable"),
    ];
    for (ttl, reason, says) in refused {
        let error = breaker.force(Force::Open, ttl, reason).await.unwrap_err();
        assert!(error.to_string().contains(says), "{error}");
    }
    let error = breaker.force(Force::Open, TTL, "why").await.unwrap_err();
    assert!(
        matches!(error, ForceError::Redis(_) | ForceError::Timeout(_)),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_force_reaches_every_handle_on_a_cluster() {
    let cluster = RedisCluster::start();
    let (one, seen) = watched(
        RedisBreaker::builder(settings("clustered-force")),
        &cluster.url(),
    );
    let (other, _) = watched(
        RedisBreaker::builder(settings("clustered-force")),
        &cluster.url(),
    );
    drop(one.try_acquire().await.expect("closed"));

    other
        .force(Force::Open, TTL, "failover drill")
        .await
        .expect("forced");
    assert_eq!(one.try_acquire().await.unwrap_err(), Rejected::Open);
    assert_eq!(
        *seen.lock(),
        [(State::Closed, State::ForcedOpen, Reason::Forced)]
    );
    let key = one.key();
    let master = cluster.master_of(key);
    let kind: Option<String> = cluster.command_on(&master, redis::cmd("HGET").arg(key).arg("fk"));
    assert_eq!(
        kind.as_deref(),
        Some("o"),
        "in the breaker's hash, on its master"
    );
    let breakers: Vec<String> = cluster
        .keys()
        .into_iter()
        .filter(|other| !other.ends_with(":handles") && !other.ends_with(":breakers"))
        .collect();
    assert_eq!(
        breakers,
        [key],
        "the only breaker key (beside the handles' presence)"
    );

    let released = other.release().await.expect("released").expect("a force");
    assert_eq!(released.reason, "failover drill");
    drop(one.try_acquire().await.expect("closed again"));
    assert_eq!(one.mode(), tripbreaker_redis::Mode::Shared);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handle_in_its_local_fallback_keeps_a_force_open_it_saw_and_obeys_a_new_one_when_it_rejoins()
 {
    let mut server = RedisServer::start();
    let on = |url: &str| {
        RedisBreaker::builder(settings("fallback-force"))
            .store_timeout(Duration::from_secs(1))
            .probe_interval(Duration::from_millis(100))
            .connect(url)
            .expect("a valid URL")
    };
    let (caller, operator) = (on(&server.url()), on(&server.url()));

    // Seen forced open, then Redis is gone: still rejected, locally.
    operator
        .force(Force::Open, TTL, "drill")
        .await
        .expect("forced");
    assert_eq!(caller.try_acquire().await.unwrap_err(), Rejected::Open);
    server.kill();
    assert_eq!(caller.try_acquire().await.unwrap_err(), Rejected::Open);
    assert!(matches!(
        caller.mode(),
        tripbreaker_redis::Mode::Local { .. }
    ));

    // Redis back, empty, and forced open again: the caller obeys once it rejoins.
    server.restart();
    let operator = on(&server.url()); // a new one, as each `client force` is
    operator
        .force(Force::Open, TTL, "drill, again")
        .await
        .expect("forced");
    let mut rejoined = false;
    for _ in 0..200 {
        let _ = caller.try_acquire().await;
        if caller.mode() == tripbreaker_redis::Mode::Shared {
            rejoined = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(rejoined, "the caller rejoined within 200 tries");
    assert_eq!(caller.try_acquire().await.unwrap_err(), Rejected::Open);
    assert_eq!(caller.state().await, State::ForcedOpen);
    operator.release().await.expect("released");
    drop(
        caller
            .try_acquire()
            .await
            .expect("closed after the release"),
    );
}
