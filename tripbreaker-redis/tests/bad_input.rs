//! Bad input from a real Redis: the breaker's key holding another type, the
//! script cache flushed, Redis at maxmemory, fields the script cannot have
//! written. Each sends the handle to its local breaker (never a panic), a
//! handle that saw the breaker open keeps rejecting meanwhile, and it
//! rejoins once the store is sound again. (The log line of each is checked
//! in `tests/logging.rs`.)

mod support;

use std::time::{Duration, Instant};
use support::redis_server::RedisServer;
use tripbreaker::{Outcome, Rejected, Settings, State, TripRule};
use tripbreaker_redis::{Mode, RedisBreaker, Ticket};

const STORE_TIMEOUT: Duration = Duration::from_secs(2);
const PROBE_INTERVAL: Duration = Duration::from_millis(100);
/// How long a handle may take to rejoin a store that is sound again.
const REJOIN_LIMIT: Duration = Duration::from_secs(20);
/// The script, to load it as the test's own user.
const SCRIPT: &str = include_str!("../src/breaker.lua");

fn settings(name: &'static str) -> Settings {
    Settings {
        max_requests: 1,
        timeout: Duration::from_secs(60),
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new(name)
    }
}

fn handle_at(url: &str, name: &'static str) -> RedisBreaker {
    RedisBreaker::builder(settings(name))
        .store_timeout(STORE_TIMEOUT)
        .probe_interval(PROBE_INTERVAL)
        .connect(url)
        .expect("a valid URL")
}

fn handle(server: &RedisServer, name: &'static str) -> RedisBreaker {
    handle_at(&server.url(), name)
}

async fn admitted(breaker: &RedisBreaker) -> Ticket {
    breaker.try_acquire().await.expect("closed")
}

/// Fails three calls in a row through the shared state: it opens.
async fn trip(breaker: &RedisBreaker) {
    for _ in 0..3 {
        let ticket = admitted(breaker).await;
        assert!(ticket.is_shared());
        breaker.record(ticket, Outcome::Failure).await;
    }
    assert_eq!(breaker.state().await, State::Open);
}

/// The handle went local, for a reason that says `because`.
fn assert_local(breaker: &RedisBreaker, because: &str) {
    match breaker.mode() {
        Mode::Local { reason, .. } => {
            println!("{}: local because {reason}", breaker.name());
            assert!(reason.contains(because), "{because}: {reason}");
        }
        Mode::Shared => panic!("{}: the handle went local", breaker.name()),
    }
}

/// While the store's answers cannot be used, a handle that saw the breaker
/// open rejects every call, as the shared breaker would.
async fn assert_rejects(breaker: &RedisBreaker, because: &str) {
    for _ in 0..5 {
        assert_eq!(breaker.try_acquire().await.unwrap_err(), Rejected::Open);
        tokio::time::sleep(PROBE_INTERVAL / 2).await; // probes included
    }
    assert_local(breaker, because);
}

/// Calls until the handle uses the shared state again (at most [`REJOIN_LIMIT`]).
async fn rejoin(breaker: &RedisBreaker) {
    let deadline = Instant::now() + REJOIN_LIMIT;
    while breaker.mode() != Mode::Shared && Instant::now() < deadline {
        let _ = breaker.try_acquire().await;
        tokio::time::sleep(PROBE_INTERVAL / 2).await;
    }
    assert_eq!(
        breaker.mode(),
        Mode::Shared,
        "rejoined within {REJOIN_LIMIT:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_of_another_type_sends_the_handle_to_its_local_breaker() {
    let server = RedisServer::start();
    let closed = handle(&server, "overwritten-closed");
    drop(admitted(&closed).await);
    let () = server.command(redis::cmd("SET").arg(closed.key()).arg("mine"));
    let ticket = admitted(&closed).await;
    assert!(!ticket.is_shared(), "the local breaker admitted it");
    assert_local(&closed, "WRONGTYPE");
    closed.record(ticket, Outcome::Success).await;
    let value: String = server.command(redis::cmd("GET").arg(closed.key()));
    assert_eq!(value, "mine", "the other value is left alone");

    let open = handle(&server, "overwritten-open");
    trip(&open).await;
    let () = server.command(redis::cmd("SET").arg(open.key()).arg("mine"));
    assert_rejects(&open, "WRONGTYPE").await;
    // Deleted: the key is made again, open as the handle last saw it.
    let () = server.command(redis::cmd("DEL").arg(open.key()));
    rejoin(&open).await;
    assert_eq!(open.state().await, State::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flushed_script_cache_is_loaded_again_by_the_next_call() {
    let server = RedisServer::start();
    let breaker = handle(&server, "flushed");
    drop(admitted(&breaker).await);
    let () = server.command(redis::cmd("SCRIPT").arg("FLUSH"));
    let ticket = admitted(&breaker).await;
    assert!(ticket.is_shared(), "the same call loaded the script again");
    breaker.record(ticket, Outcome::Success).await;
    assert_eq!(breaker.mode(), Mode::Shared);
    let sha = redis::Script::new(SCRIPT).get_hash().to_owned();
    let loaded: Vec<bool> = server.command(redis::cmd("SCRIPT").arg("EXISTS").arg(sha));
    assert_eq!(loaded, [true]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flushed_script_the_handle_may_not_load_sends_it_to_its_local_breaker() {
    let server = RedisServer::start();
    // A user that may run scripts but not load them (NOSCRIPT, then NOPERM).
    let () = server.command(
        redis::cmd("ACL")
            .arg("SETUSER")
            .arg("runner")
            .arg("on")
            .arg(">secret")
            .arg("~*")
            .arg("+@all")
            .arg("-script"),
    );
    let load = || {
        let _: String = server.command(redis::cmd("SCRIPT").arg("LOAD").arg(SCRIPT));
    };
    load();
    let url = server.url().replace("redis://", "redis://runner:secret@");
    let breaker = handle_at(&url, "unloadable");
    trip(&breaker).await;

    let () = server.command(redis::cmd("SCRIPT").arg("FLUSH"));
    assert_rejects(&breaker, "no permissions to run the 'script|load' command").await;
    load();
    rejoin(&breaker).await;
    assert_eq!(breaker.state().await, State::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_out_of_memory_sends_the_handle_to_its_local_breaker() {
    let server = RedisServer::start();
    let closed = handle(&server, "oom-closed");
    let open = handle(&server, "oom-open");
    drop(admitted(&closed).await);
    trip(&open).await;
    let config = |name: &str, value: &str| {
        let () = server.command(redis::cmd("CONFIG").arg("SET").arg(name).arg(value));
    };
    config("maxmemory-policy", "noeviction");
    config("maxmemory", "1");

    let ticket = admitted(&closed).await;
    assert!(!ticket.is_shared(), "the local breaker admitted it");
    assert_local(&closed, "OOM");
    closed.record(ticket, Outcome::Success).await;
    assert_rejects(&open, "OOM").await;

    config("maxmemory", "0");
    rejoin(&open).await;
    assert_eq!(open.state().await, State::Open);
    rejoin(&closed).await;
}

/// Fields no script run can have written, each making a reply the handle
/// refuses: a state that does not exist, a count that is not an integer, a
/// negative count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_of_the_wrong_shape_send_the_handle_to_its_local_breaker() {
    let server = RedisServer::start();
    let tamper = |key: &str, lua: &str| {
        let () = server.command(redis::cmd("EVAL").arg(lua).arg(1).arg(key));
    };
    let cases = [
        (
            "bad-state",
            "redis.call('HSET', KEYS[1], 'st', 7)",
            "unknown state 7",
        ),
        (
            "bad-count-type",
            "redis.call('HSET', KEYS[1], 't', cmsgpack.pack({1, 'x', 0, 0, 0, 0}))",
            "reply",
        ),
        (
            "bad-count",
            "redis.call('HSET', KEYS[1], 't', cmsgpack.pack({-5, 0, 0, 0, 0, 0}))",
            // -5 or -4: the dropped ticket's outcome may be counted after it.
            "count -",
        ),
    ];
    for (name, lua, because) in cases {
        let closed = handle(&server, name);
        drop(admitted(&closed).await);
        tamper(closed.key(), lua);
        let ticket = admitted(&closed).await;
        assert!(!ticket.is_shared(), "{name}: the local breaker admitted it");
        assert_local(&closed, because);
        closed.record(ticket, Outcome::Success).await;
        // A sound key again: the handle rejoins.
        let () = server.command(redis::cmd("DEL").arg(closed.key()));
        rejoin(&closed).await;
    }

    // Seen open, the handle keeps rejecting while the replies are wrong.
    let open = handle(&server, "bad-while-open");
    trip(&open).await;
    tamper(open.key(), "redis.call('HSET', KEYS[1], 'st', 7)");
    assert_rejects(&open, "unknown state 7").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_denied_the_change_channel_still_runs_the_breaker() {
    let server = RedisServer::start();
    // Every command, no pub/sub channel (Redis 7's default for a new user).
    let () = server.command(
        redis::cmd("ACL")
            .arg("SETUSER")
            .arg("quiet")
            .arg("on")
            .arg(">secret")
            .arg("~*")
            .arg("resetchannels")
            .arg("+@all"),
    );
    let url = server.url().replace("redis://", "redis://quiet:secret@");
    let breaker = handle_at(&url, "no-channel");
    trip(&breaker).await;
    assert_eq!(breaker.mode(), Mode::Shared);
}
