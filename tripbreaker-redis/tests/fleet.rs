//! The fleet's view of its shared breakers on a real Redis (and a real
//! Redis Cluster): listed from the handles' presence, with the state in
//! force, counts and handles seen; changes followed as they are published;
//! forced and released by name.

mod support;

use futures_util::StreamExt;
use std::time::Duration;
use support::redis_cluster::RedisCluster;
use support::redis_server::RedisServer;
use tripbreaker::{Outcome, Rejected, Settings, State, TripRule};
use tripbreaker_redis::{Fleet, FleetError, Force, RedisBreaker};

const PRESENCE: Duration = Duration::from_millis(100);

fn settings(name: &'static str) -> Settings {
    Settings {
        timeout: Duration::from_secs(30),
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new(name)
    }
}

fn handle(url: &str, settings: Settings) -> RedisBreaker {
    RedisBreaker::builder(settings)
        .store_timeout(Duration::from_secs(5))
        .presence(Some(PRESENCE))
        .connect(url)
        .expect("a valid URL")
}

async fn call(breaker: &RedisBreaker, outcome: Outcome) -> Result<(), Rejected> {
    let ticket = breaker.try_acquire().await?;
    breaker.record(ticket, outcome).await;
    Ok(())
}

/// Lists until `done` holds (at most 5 s), then returns that list.
async fn list_until(
    fleet: &Fleet,
    done: impl Fn(&[tripbreaker_redis::BreakerView]) -> bool,
) -> Vec<tripbreaker_redis::BreakerView> {
    for _ in 0..100 {
        let list = fleet.list().await.expect("a list");
        if done(&list) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the list never became right: {:?}", fleet.list().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_lists_each_breaker_with_its_state_counts_and_handles() {
    let server = RedisServer::start();
    let fleet = Fleet::connect(&server.url()).expect("a valid URL");
    assert!(
        fleet.list().await.expect("a list").is_empty(),
        "nothing yet"
    );

    let a1 = handle(&server.url(), settings("fleet-a"));
    let a2 = handle(&server.url(), settings("fleet-a"));
    let b = handle(&server.url(), settings("fleet-b"));
    call(&a1, Outcome::Success).await.expect("closed");
    call(&b, Outcome::Failure).await.expect("closed");
    let list = list_until(&fleet, |list| {
        list.len() == 2 && list[0].handles_seen == 2 && list[1].handles_seen == 1
    })
    .await;
    assert_eq!(list[0].name, "fleet-a");
    assert_eq!(
        (list[0].state, list[0].counts.total_successes),
        (State::Closed, 1)
    );
    assert_eq!(list[1].name, "fleet-b");
    assert_eq!(list[1].counts.consecutive_failures, 1);

    for _ in 0..3 {
        call(&a2, Outcome::Failure).await.expect("closed");
    }
    let a = fleet
        .breaker("fleet-a")
        .await
        .expect("a read")
        .expect("there");
    assert_eq!(a.state, State::Open);
    let left = a.open_remaining.expect("open for a while");
    assert!(
        left > Duration::from_secs(25) && left <= Duration::from_secs(30),
        "{left:?}"
    );
    assert_eq!(a.forced, None);

    // A breaker whose key is gone leaves the list.
    drop(b);
    server.command::<()>(redis::cmd("DEL").arg("breaker:{fleet-b}"));
    let list = list_until(&fleet, |list| list.len() == 1).await;
    assert_eq!(list[0].name, "fleet-a");
    assert!(fleet.breaker("fleet-b").await.expect("a read").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_is_heard_as_it_is_published() {
    let server = RedisServer::start();
    let fleet = Fleet::connect(&server.url()).expect("a valid URL");
    let mut changes = fleet.changes().await.expect("a subscription");
    let breaker = handle(&server.url(), settings("fleet-changes"));
    for _ in 0..3 {
        call(&breaker, Outcome::Failure).await.expect("closed");
    }
    let heard = tokio::time::timeout(Duration::from_secs(5), changes.next()).await;
    assert_eq!(
        heard.expect("heard in time"),
        Some("fleet-changes".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_breaker_forced_by_name_stops_every_handle_until_released() {
    let server = RedisServer::start();
    let fleet = Fleet::connect(&server.url()).expect("a valid URL");
    let unknown = fleet
        .force("nobody-uses-it", Force::Open, Duration::from_secs(60), "x")
        .await
        .unwrap_err();
    assert!(matches!(unknown, FleetError::Unknown(_)), "{unknown}");
    assert!(
        server
            .command::<Vec<String>>(redis::cmd("KEYS").arg("*"))
            .is_empty(),
        "no key made"
    );

    let breaker = handle(&server.url(), settings("fleet-force"));
    call(&breaker, Outcome::Success).await.expect("closed");
    list_until(&fleet, |list| list.len() == 1).await;
    let forced = fleet
        .force(
            "fleet-force",
            Force::Open,
            Duration::from_secs(60),
            "deploy",
        )
        .await
        .expect("forced");
    assert_eq!(forced.state, State::Open);
    let force = forced.forced.expect("forced");
    assert_eq!(
        (force.force, force.reason.as_str()),
        (Force::Open, "deploy")
    );
    assert!(
        force.remaining > Duration::from_secs(59),
        "{:?}",
        force.remaining
    );
    assert!(call(&breaker, Outcome::Success).await.is_err(), "rejected");

    let released = fleet.release("fleet-force").await.expect("released");
    assert_eq!((released.state, released.forced), (State::Closed, None));
    call(&breaker, Outcome::Success)
        .await
        .expect("closed again");
    assert_eq!(breaker.state().await, State::Closed);

    let too_long = fleet
        .force(
            "fleet-force",
            Force::Open,
            Duration::from_secs(2 * 86_400),
            "x",
        )
        .await
        .unwrap_err();
    assert!(too_long.to_string().contains("at most 1day"), "{too_long}");
    assert!(matches!(
        fleet.breaker("").await.unwrap_err(),
        FleetError::Name(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_fleet_lists_and_forces_across_slots() {
    let cluster = RedisCluster::start();
    let fleet = Fleet::connect(&cluster.url()).expect("a valid URL");
    let mut changes = fleet.changes().await.expect("a subscription");
    // Names in different slots, so on different masters.
    let handles =
        ["alpha", "bravo", "charlie", "delta"].map(|name| handle(&cluster.url(), settings(name)));
    for breaker in &handles {
        call(breaker, Outcome::Success).await.expect("closed");
    }
    let list = list_until(&fleet, |list| list.len() == 4).await;
    let names: Vec<_> = list.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["alpha", "bravo", "charlie", "delta"]);
    fleet
        .force("charlie", Force::Closed, Duration::from_secs(60), "hold")
        .await
        .expect("forced");
    let heard = tokio::time::timeout(Duration::from_secs(5), changes.next()).await;
    assert_eq!(heard.expect("heard in time"), Some("charlie".to_owned()));
    let charlie = fleet
        .breaker("charlie")
        .await
        .expect("a read")
        .expect("there");
    assert_eq!(charlie.forced.map(|f| f.force), Some(Force::Closed));
}
