//! One set of settings per shared breaker, on a real Redis: the first
//! handle records its settings; a handle with other settings under the
//! same name is refused, told which settings differ, and decides with its
//! local breaker without touching the shared state.

mod support;

use std::time::Duration;
use support::redis_server::RedisServer;
use tripbreaker::{Outcome, Settings, TripRule};
use tripbreaker_redis::Mode;

fn settings() -> Settings {
    Settings {
        max_requests: 3,
        timeout: Duration::from_secs(60),
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new("fingerprinted")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handle_with_other_settings_is_refused_naming_them() {
    let server = RedisServer::start();
    let first = server.handle(settings());
    assert_eq!(first.check_settings().await, Ok(()));
    let ticket = first.try_acquire().await.expect("closed");
    first.record(ticket, Outcome::Success).await;
    let recorded: Vec<String> =
        server.command(redis::cmd("HMGET").arg(first.key()).arg("fp").arg("cfg"));
    println!("recorded: {recorded:?}");
    assert_eq!(recorded[0].len(), 16, "a fingerprint of 16 hex digits");
    assert!(recorded[1].contains("timeout=60s"), "{}", recorded[1]);

    let same = server.handle(settings());
    assert_eq!(
        same.check_settings().await,
        Ok(()),
        "the same settings join"
    );

    let other = server.handle(Settings {
        max_requests: 1,
        timeout: Duration::from_secs(5),
        ..settings()
    });
    let conflict = other.check_settings().await.unwrap_err();
    println!("{conflict}");
    assert_eq!(conflict.key(), "breaker:{fingerprinted}");
    let named: Vec<_> = conflict
        .differences()
        .iter()
        .map(|d| (d.setting.as_str(), d.here.as_str(), d.shared.as_str()))
        .collect();
    assert_eq!(
        named,
        [("max_requests", "1", "3"), ("timeout", "5s", "60s")]
    );
    assert_eq!(conflict.shared_settings(), recorded[1]);
    let said = conflict.to_string();
    assert!(
        said.contains("timeout is 5s here but 60s in the shared state"),
        "{said}"
    );

    // Its calls go to its local breaker, and the shared state never sees them.
    let before: Vec<Vec<u8>> = server.command(redis::cmd("HGETALL").arg(first.key()));
    for _ in 0..3 {
        let ticket = other
            .try_acquire()
            .await
            .expect("the local breaker is closed");
        assert!(!ticket.is_shared(), "admitted by the local breaker");
        other.record(ticket, Outcome::Failure).await;
    }
    let Mode::Local { reason, .. } = other.mode() else {
        panic!("the refused handle is local: {:?}", other.mode());
    };
    assert!(reason.contains("timeout is 5s here"), "{reason}");
    let after: Vec<Vec<u8>> = server.command(redis::cmd("HGETALL").arg(first.key()));
    assert_eq!(before, after, "nothing written by the refused handle");
    let counts = first.counts().await;
    assert_eq!(
        (counts.requests, counts.total_failures),
        (1, 0),
        "the shared counts are the first handle's"
    );
    assert_eq!(first.mode(), Mode::Shared);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_lost_is_recorded_again_by_whoever_comes_next() {
    let server = RedisServer::start();
    let first = server.handle(settings());
    assert_eq!(first.check_settings().await, Ok(()));
    let () = server.command(redis::cmd("DEL").arg(first.key()));
    // After the loss (an expiry, a restart), other settings may start it.
    let other = server.handle(Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(5),
        ..settings()
    });
    assert_eq!(other.check_settings().await, Ok(()));
    let conflict = first.check_settings().await.unwrap_err();
    let named: Vec<_> = conflict
        .differences()
        .iter()
        .map(|d| d.setting.as_str())
        .collect();
    assert_eq!(named, ["ready_to_trip"]);
}
