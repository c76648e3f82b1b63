//! Falling back and rejoining are each logged once, and a fallback says
//! what went wrong. Alone in their binary, each test with a subscriber of
//! its own: tracing caches per call site whether anyone listens, so a test
//! on another thread without a subscriber would silence these events.

mod support;

use std::time::{Duration, Instant};
use support::redis_server::RedisServer;
use tripbreaker::{Outcome, Settings, TripRule};
use tripbreaker_redis::{Mode, RedisBreaker};

const PROBE_INTERVAL: Duration = Duration::from_millis(100);
const REJOIN_LIMIT: Duration = Duration::from_secs(20);
const NEVER_BLOCKED: Duration = Duration::from_secs(1);

fn handle(server: &RedisServer) -> RedisBreaker {
    handle_on(&server.url(), settings("logged"))
}

fn settings(name: &'static str) -> Settings {
    Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new(name)
    }
}

fn handle_on(url: &str, settings: Settings) -> RedisBreaker {
    RedisBreaker::builder(settings)
        .store_timeout(Duration::from_millis(50))
        .probe_interval(PROBE_INTERVAL)
        .connect(url)
        .expect("a valid URL")
}

async fn call(breaker: &RedisBreaker) {
    let ticket = tokio::time::timeout(NEVER_BLOCKED, breaker.try_acquire())
        .await
        .expect("never blocked")
        .expect("closed");
    breaker.record(ticket, Outcome::Success).await;
}

/// A log sink the test can read.
#[derive(Clone, Default)]
struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Lines {
    /// A subscriber writing here, for the calling thread until the guard drops.
    fn listen(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn falling_back_and_rejoining_are_each_logged_once() {
    let lines = Lines::default();
    let _logging = lines.listen();

    let mut server = RedisServer::start();
    let breaker = handle(&server);
    server.kill();
    for _ in 0..5 {
        call(&breaker).await;
        tokio::time::sleep(PROBE_INTERVAL).await; // each round probes Redis again
    }
    server.restart();
    let deadline = Instant::now() + REJOIN_LIMIT;
    while breaker.mode() != Mode::Shared && Instant::now() < deadline {
        call(&breaker).await;
        tokio::time::sleep(PROBE_INTERVAL / 2).await;
    }
    let text = lines.text();
    let count = |needle: &str| text.lines().filter(|line| line.contains(needle)).count();
    assert_eq!(count("uses a local breaker"), 1, "{text}");
    assert_eq!(count("rejoined the shared breaker"), 1, "{text}");
    assert_eq!(
        count("Redis did not answer: this handle uses a local breaker"),
        1,
        "{text}"
    );
}

/// Bad input from Redis, one kind per breaker: each handle says once, in
/// one line, what went wrong, however many calls meet it.
#[tokio::test(flavor = "current_thread")]
async fn each_kind_of_bad_input_is_logged_once_saying_what() {
    let lines = Lines::default();
    let _logging = lines.listen();
    let server = RedisServer::start();
    let run = |command: &redis::Cmd| {
        let () = server.command(command);
    };
    // A user that may run the script but not load it again.
    run(redis::cmd("ACL")
        .arg("SETUSER")
        .arg("runner")
        .arg(&["on", ">pw", "~*", "+@all", "-script"]));
    let script = include_str!("../src/breaker.lua");
    let _: String = server.command(redis::cmd("SCRIPT").arg("LOAD").arg(script));
    let runner_url = server.url().replace("redis://", "redis://runner:pw@");

    let wrong_type = handle_on(&server.url(), settings("wrong-type"));
    let wrong_reply = handle_on(&server.url(), settings("wrong-reply"));
    let not_loadable = handle_on(&runner_url, settings("not-loadable"));
    let first = handle_on(&server.url(), settings("other-settings"));
    let other_settings = handle_on(
        &server.url(),
        Settings {
            max_requests: 2,
            ..settings("other-settings")
        },
    );
    let out_of_memory = handle_on(&server.url(), settings("out-of-memory"));
    for breaker in [
        &wrong_type,
        &wrong_reply,
        &not_loadable,
        &first,
        &out_of_memory,
    ] {
        call(breaker).await;
        assert_eq!(breaker.mode(), Mode::Shared);
    }

    run(redis::cmd("SET").arg(wrong_type.key()).arg("mine"));
    run(redis::cmd("HSET").arg(wrong_reply.key()).arg("st").arg(7));
    run(redis::cmd("SCRIPT").arg("FLUSH"));
    // The runner first: any other handle's call loads the script again.
    let failing = [&not_loadable, &wrong_type, &wrong_reply, &other_settings];
    for _ in 0..5 {
        for breaker in failing {
            call(breaker).await;
        }
        tokio::time::sleep(PROBE_INTERVAL).await; // each round probes Redis again
    }
    run(redis::cmd("CONFIG")
        .arg("SET")
        .arg("maxmemory-policy")
        .arg("noeviction"));
    run(redis::cmd("CONFIG").arg("SET").arg("maxmemory").arg("1"));
    for _ in 0..5 {
        call(&out_of_memory).await;
        tokio::time::sleep(PROBE_INTERVAL).await;
    }
    run(redis::cmd("CONFIG").arg("SET").arg("maxmemory").arg("0"));

    let text = lines.text();
    for (name, what) in [
        (
            "wrong-type",
            "the breaker's key holds another type of value (delete it to share again)",
        ),
        (
            "wrong-reply",
            "the breaker's script gave a reply it cannot give",
        ),
        (
            "not-loadable",
            "Redis does not let this handle run (or load again) the breaker's script",
        ),
        (
            "other-settings",
            "the shared breaker runs other settings than this handle's",
        ),
        (
            "out-of-memory",
            "Redis is out of memory (maxmemory) and refuses the breaker's writes",
        ),
    ] {
        let said: Vec<&str> = text
            .lines()
            .filter(|line| line.contains("uses a local breaker") && line.contains(name))
            .collect();
        assert_eq!(said.len(), 1, "{name}, one line:\n{text}");
        assert!(said[0].contains(what), "{name}: {}", said[0]);
        println!("{}", said[0]);
    }
}
