//! Falling back and rejoining are each logged once. Alone in its binary:
//! tracing caches per call site whether anyone listens, so a test on
//! another thread without a subscriber would silence these events.

mod support;

use std::time::{Duration, Instant};
use support::redis_server::RedisServer;
use tripbreaker::{Outcome, Settings, TripRule};
use tripbreaker_redis::{Mode, RedisBreaker};

const PROBE_INTERVAL: Duration = Duration::from_millis(100);
const REJOIN_LIMIT: Duration = Duration::from_secs(20);
const NEVER_BLOCKED: Duration = Duration::from_secs(1);

fn handle(server: &RedisServer) -> RedisBreaker {
    let settings = Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new("logged")
    };
    RedisBreaker::builder(settings)
        .store_timeout(Duration::from_millis(50))
        .probe_interval(PROBE_INTERVAL)
        .connect(&server.url())
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

#[tokio::test(flavor = "current_thread")]
async fn falling_back_and_rejoining_are_each_logged_once() {
    let lines = Lines::default();
    let writer = lines.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

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
    let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    let count = |needle: &str| text.lines().filter(|line| line.contains(needle)).count();
    assert_eq!(count("uses a local breaker"), 1, "{text}");
    assert_eq!(count("rejoined the shared breaker"), 1, "{text}");
}
