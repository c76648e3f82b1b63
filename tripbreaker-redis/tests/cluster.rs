//! A shared breaker on a real Redis Cluster (six `redis-server` processes on
//! loopback): handles reach it through any of its nodes, its key lives on
//! the master of its name's slot, other settings are refused, and a cluster that does not answer yet
//! sends calls to the local breaker without waiting past the store timeout,
//! until it answers.

mod support;

use std::time::{Duration, Instant};
use support::redis_cluster::RedisCluster;
use tripbreaker::{Outcome, Rejected, Settings, State, TripRule};
use tripbreaker_redis::{Mode, RedisBreaker};

/// Far above any answer time on a busy machine: these tests are about
/// sharing through the cluster, not about falling back.
const STORE_TIMEOUT: Duration = Duration::from_secs(5);
/// What "did not block" means for a cluster that is down.
const NEVER_BLOCKED: Duration = Duration::from_secs(1);
/// While local, how often a handle asks the cluster again.
const PROBE_INTERVAL: Duration = Duration::from_millis(100);
/// How long a handle may take to join a cluster that came up.
const REJOIN_LIMIT: Duration = Duration::from_secs(20);

fn settings() -> Settings {
    Settings {
        timeout: Duration::from_secs(60),
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new("clustered")
    }
}

fn handle(url: &str, store_timeout: Duration) -> RedisBreaker {
    RedisBreaker::builder(settings())
        .store_timeout(store_timeout)
        .connect(url)
        .expect("a valid cluster URL")
}

/// `redis-cluster://HOST:PORT` with only the node at `redis://HOST:PORT` as its seed.
fn seeded_by(node: &str) -> String {
    format!(
        "redis-cluster://{}",
        node.strip_prefix("redis://").expect("a redis:// URL")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_share_one_breaker_through_any_node_of_a_cluster() {
    let cluster = RedisCluster::start();
    let through_all = handle(&cluster.url(), STORE_TIMEOUT);
    let replica = &cluster.replica_urls()[0];
    let through_a_replica = handle(&seeded_by(replica), STORE_TIMEOUT);

    for _ in 0..3 {
        let ticket = through_all.try_acquire().await.expect("closed");
        assert!(ticket.is_shared());
        through_all.record(ticket, Outcome::Failure).await;
    }
    assert_eq!(
        through_a_replica.try_acquire().await.unwrap_err(),
        Rejected::Open,
        "the other handle sees the trip"
    );
    let (state, counts) = through_a_replica.snapshot().await;
    assert_eq!(state, State::Open);
    assert_eq!(counts.requests, 0, "a new generation");
    assert_eq!(through_all.mode(), Mode::Shared);
    assert_eq!(through_a_replica.mode(), Mode::Shared);

    // The key is `namespace:{name}`: its slot is the name's, on one master.
    let key = through_all.key();
    assert_eq!(key, "breaker:{clustered}");
    let slot =
        |what: &str| -> i64 { cluster.command(redis::cmd("CLUSTER").arg("KEYSLOT").arg(what)) };
    assert_eq!(slot(key), slot("clustered"));
    let master = cluster.master_of(key);
    let state: Option<i64> = cluster.command_on(&master, redis::cmd("HGET").arg(key).arg("st"));
    assert_eq!(state, Some(2), "open, in the hash on {master}");
    // Beside it only the handles' presence: their set in the same slot, the
    // namespace's registry of names wherever its own key hashes.
    for other in cluster.keys() {
        if other != "breaker:breakers" {
            assert_eq!(
                slot(&other),
                slot("clustered"),
                "{other} in the breaker's slot"
            );
            assert!(
                other.starts_with(key),
                "{other} is one of the breaker's keys"
            );
        }
    }

    // One set of settings per breaker, on a cluster too.
    let other = RedisBreaker::builder(Settings {
        timeout: Duration::from_secs(5),
        ..settings()
    })
    .store_timeout(STORE_TIMEOUT)
    .connect(&cluster.url())
    .expect("a valid cluster URL");
    let conflict = other.check_settings().await.unwrap_err();
    let named: Vec<_> = conflict.differences().iter().map(|d| &*d.setting).collect();
    assert_eq!(named, ["timeout"], "{conflict}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_go_local_while_the_cluster_is_down_and_shared_once_it_answers() {
    // The cluster's ports, where nothing listens yet.
    let ports: [u16; 6] =
        std::array::from_fn(|_| server_launcher::child_port().expect("a free loopback port"));
    let url = format!(
        "redis-cluster://127.0.0.1:{},127.0.0.1:{}",
        ports[0], ports[1]
    );
    let breaker = RedisBreaker::builder(settings())
        .store_timeout(Duration::from_millis(50))
        .probe_interval(PROBE_INTERVAL)
        .connect(&url)
        .expect("a valid cluster URL");
    for _ in 0..5 {
        let started = Instant::now();
        let ticket = tokio::time::timeout(NEVER_BLOCKED, breaker.try_acquire())
            .await
            .expect("try_acquire never waits much past the store timeout")
            .expect("the local breaker is closed");
        println!("a call with the cluster down: {:?}", started.elapsed());
        assert!(!ticket.is_shared(), "the local breaker admitted it");
        breaker.record(ticket, Outcome::Success).await;
    }
    let Mode::Local { reason, .. } = breaker.mode() else {
        panic!("the handle fell back: {:?}", breaker.mode());
    };
    assert!(!reason.is_empty());

    let _cluster = tokio::task::spawn_blocking(move || RedisCluster::start_on(&ports))
        .await
        .expect("the cluster starts");
    let started = Instant::now();
    let shared = loop {
        let ticket = breaker.try_acquire().await.expect("closed either way");
        let shared = ticket.is_shared();
        breaker.record(ticket, Outcome::Success).await;
        if shared || started.elapsed() > REJOIN_LIMIT {
            break shared;
        }
        tokio::time::sleep(PROBE_INTERVAL / 2).await;
    };
    println!("rejoined {:?} after the cluster was ok", started.elapsed());
    assert!(
        shared,
        "the handle joined the cluster within {REJOIN_LIMIT:?}"
    );
    assert_eq!(breaker.mode(), Mode::Shared);
}
