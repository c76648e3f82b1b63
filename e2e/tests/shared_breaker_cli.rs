//! The README's shared-breaker demo, with real processes: a `redis-server`
//! of the test's own on a free loopback port (no persistence), the server
//! binary failing every SayHello (`--initial-fault failing`), and the
//! `client` binary run twice with `--shared-state`: once the first client's
//! failures have tripped the shared breaker, the second refuses every call
//! and fails none itself. Without `--shared-state` it fails its own calls
//! first (the control). Also: a bad `--shared-state` is refused naming the
//! flag, a client whose settings differ from the shared breaker's is
//! refused at start (exit 2) naming them, and a Redis that is down at start
//! leaves the calls going on through a local breaker, said once. And
//! `client force`: a force open from the CLI makes the next client refuse
//! every call, a force closed keeps a failing server's calls going without
//! a trip, a release closes the breaker again, and bad forces exit 2.

#[path = "hardening_support.rs"]
mod support;

#[path = "../../tripbreaker-tower/tests/support/refused.rs"]
mod refused;

#[path = "support/client_process.rs"]
mod client_process;

#[path = "../../tripbreaker-redis/tests/support/redis_server.rs"]
#[allow(dead_code)] // the test uses only part of it
mod redis_server;

use client_process::{Run, run_client};
use redis_server::RedisServer;
use refused::RefusedPort;
use support::ServerProcess;

const OPEN: &str = "Error calling SayHello: circuit breaker is open";
const FAILED: &str =
    "Error calling SayHello: rpc error: code = Unavailable desc = injected failure";
const TRIPPED: &str = "Circuit Breaker 'greeter' changed from closed to open";
const GREETING: &str = "Greeting: Hello World";

/// Runs the client binary against `server` with `args` and `env`.
fn client(server: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    run_client(&[&["--server", server], args].concat(), env)
}

/// `n` calls, close together, with an open timeout far longer than the test.
fn calls(n: &'static str) -> Vec<&'static str> {
    vec![
        "--calls",
        n,
        "--every",
        "20ms",
        "--timeout",
        "60s",
        "--trip",
        "3",
    ]
}

fn count(lines: &[String], line: &str) -> usize {
    lines.iter().filter(|l| *l == line).count()
}

#[test]
fn a_second_client_refuses_every_call_once_the_first_tripped_the_shared_breaker() {
    let server = ServerProcess::start(&["--initial-fault", "failing"]);
    let url = server.url();
    // Fast mode sends the failure that trips at once: the same lines.
    for mode in ["exact", "fast"] {
        let redis = RedisServer::start();
        let redis_url = redis.url();
        let shared = |n| {
            let store = vec!["--shared-state", &redis_url, "--shared-mode", mode];
            [calls(n), store].concat()
        };

        let first = client(&url, &shared("5"), &[]);
        assert!(first.status.success(), "{mode}: {first:?}");
        assert_eq!(
            first.stdout,
            [FAILED, FAILED, TRIPPED, FAILED, OPEN, OPEN],
            "{mode}: the first client trips the shared breaker with its own failures"
        );

        let second = client(&url, &shared("5"), &[]);
        assert!(second.status.success(), "{mode}: {second:?}");
        assert_eq!(
            second.stdout, [OPEN; 5],
            "{mode}: the second client refuses every call and never fails one itself"
        );
    }

    // The control: a client with a breaker of its own fails `trip` calls first.
    let alone = client(&url, &calls("5"), &[]);
    assert!(alone.status.success(), "{alone:?}");
    assert_eq!(count(&alone.stdout, FAILED), 3, "{alone:?}");
    assert_eq!(count(&alone.stdout, OPEN), 2, "{alone:?}");
}

#[test]
fn a_shared_state_that_is_not_a_redis_url_is_refused_naming_the_flag() {
    // No server is needed: the flags are read before any call.
    let unused = "http://127.0.0.1:9";
    for (args, env) in [
        (vec!["--shared-state", "127.0.0.1:6379"], vec![]),
        (
            vec![],
            vec![("GREETER_SHARED_STATE", "http://127.0.0.1:6379")],
        ),
    ] {
        let run = client(unused, &[args, calls("1")].concat(), &env);
        assert!(!run.status.success(), "{run:?}");
        assert_eq!(run.status.code(), Some(2), "a usage error: {run:?}");
        assert!(run.stdout.is_empty(), "no call was made: {run:?}");
        assert!(
            run.stderr.contains("--shared-state") && run.stderr.contains("is not a Redis URL"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_client_with_other_settings_on_a_shared_breaker_is_refused_at_start_naming_them() {
    let redis = RedisServer::start();
    let server = ServerProcess::start(&[]);
    let redis_url = redis.url();
    let first = client(
        &server.url(),
        &[calls("1"), vec!["--shared-state", &redis_url]].concat(),
        &[],
    );
    assert!(first.status.success(), "{first:?}");

    // The same breaker (`greeter`) with another open timeout and trip count.
    let other = [
        "--calls",
        "1",
        "--timeout",
        "5s",
        "--trip",
        "2",
        "--shared-state",
        &redis_url,
    ];
    let run = client(&server.url(), &other, &[]);
    assert_eq!(run.status.code(), Some(2), "a usage error: {run:?}");
    assert!(run.stdout.is_empty(), "no call was made: {run:?}");
    for said in [
        "--shared-state",
        "runs other settings",
        "timeout is 5s here but 60s in the shared state",
        "ready_to_trip is consecutive_failures(2) here but consecutive_failures(3)",
    ] {
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
}

#[test]
fn with_redis_down_at_start_calls_go_on_through_a_local_breaker_said_once() {
    let server = ServerProcess::start(&[]);
    let refused = RefusedPort::bind();
    let nowhere = format!("redis://{}", refused.addr());
    let args = [calls("4"), vec!["--shared-state", &nowhere]].concat();

    let run = client(&server.url(), &args, &[]);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        run.stdout, [GREETING; 4],
        "every call was made and answered"
    );
    assert_eq!(
        run.stderr
            .matches("this handle uses a local breaker")
            .count(),
        1,
        "the fallback is logged once: {}",
        run.stderr
    );
}

const FORCED_OPEN: &str = "Circuit Breaker 'greeter' changed from closed to forced-open";
const RELEASED: &str = "Circuit Breaker 'greeter' changed from forced-open to closed";

#[test]
fn a_force_from_the_cli_steers_every_client_until_it_is_released() {
    let redis = RedisServer::start();
    let server = ServerProcess::start(&[]);
    let redis_url = redis.url();
    let shared = [calls("3"), vec!["--shared-state", &redis_url]].concat();
    let force = |args: &[&str]| {
        let run = run_client(
            &[&["force"], args, &["--shared-state", &redis_url]].concat(),
            &[],
        );
        assert!(run.status.success(), "{run:?}");
        run.stdout
    };

    let said = force(&[
        "open",
        "--for",
        "60s",
        "--reason",
        "deploy of the greeter service",
    ]);
    assert_eq!(
        said,
        [r#"forced open for 1m: "deploy of the greeter service""#]
    );
    let refused = client(&server.url(), &shared, &[]);
    assert!(refused.status.success(), "{refused:?}");
    assert_eq!(
        refused.stdout,
        [FORCED_OPEN, OPEN, OPEN, OPEN],
        "a healthy server, and not one call made"
    );

    let said = force(&["release"]);
    assert_eq!(said.len(), 1);
    assert!(
        said[0].starts_with("released the force open (")
            && said[0].ends_with(r#" left: "deploy of the greeter service")"#),
        "{said:?}"
    );
    assert_eq!(force(&["release"]), ["no force to release"]);
    let closed = client(&server.url(), &shared, &[]);
    assert_eq!(closed.stdout, [RELEASED, GREETING, GREETING, GREETING]);
}

#[test]
fn a_force_closed_from_the_cli_keeps_a_failing_servers_calls_going_without_a_trip() {
    let redis = RedisServer::start();
    let server = ServerProcess::start(&["--initial-fault", "failing"]);
    let redis_url = redis.url();
    let args = [
        "force",
        "closed",
        "--shared-state",
        &redis_url,
        "--for",
        "10m",
        "--reason",
        "false alarms",
    ];
    let run = run_client(&args, &[]);
    assert_eq!(
        run.stdout,
        [r#"forced closed for 10m: "false alarms""#],
        "{run:?}"
    );
    let shared = [calls("5"), vec!["--shared-state", &redis_url]].concat();
    let failing = client(&server.url(), &shared, &[]);
    assert_eq!(
        failing.stdout,
        [
            "Circuit Breaker 'greeter' changed from closed to forced-closed",
            FAILED,
            FAILED,
            FAILED,
            FAILED,
            FAILED
        ],
        "five failures past a trip count of 3, and no trip"
    );
}

#[test]
fn bad_forces_exit_2_naming_what_is_wrong() {
    // No Redis is needed: each is refused before any is asked.
    let forced = |rest: &str| format!("force open --shared-state redis://127.0.0.1:9 {rest}");
    for (args, says) in [
        (
            "force open --for 60s --reason x".to_owned(),
            "--shared-state <URL>",
        ),
        ("force release".to_owned(), "--shared-state <URL>"),
        (
            forced("--for soon --reason x"),
            "invalid value 'soon' for '--for <DURATION>'",
        ),
        (
            forced("--for 0s --reason x"),
            "a force must last more than 0s",
        ),
        (
            forced("--for 25h --reason x"),
            "a force may last at most 1day",
        ),
    ] {
        let args: Vec<&str> = args.split_whitespace().collect();
        assert_refused(&run_client(&args, &[]), says);
    }
    let reason = [
        "force",
        "open",
        "--shared-state",
        "redis://127.0.0.1:9",
        "--for",
        "1m",
    ];
    let run = run_client(&[&reason[..], &["--reason", "a\nb"]].concat(), &[]);
    assert_refused(
        &run,
        "--reason: a reason is at most 200 bytes of printable text",
    );
}

/// The run exited 2, printing nothing but an error that says `says`.
fn assert_refused(run: &Run, says: &str) {
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains(says), "{says}: {}", run.stderr);
}
