//! The fleet's watch stream read by a client nobody here wrote: Connect for
//! Node's gRPC-Web transport (`e2e/connect-node/watch.mjs`), over HTTP/1.1,
//! with stubs `buf generate` makes from the project's own proto. It sees
//! the snapshot, the trip of a shared breaker as it happens and a force
//! made through the service, and its stream ends cleanly when the server
//! stops. Needs `cargo xtask install --only connect-node` (npm packages
//! pinned in `e2e/connect-node/package-lock.json`).

#[path = "hardening_support.rs"]
mod support;

#[path = "../../tripbreaker-redis/tests/support/redis_server.rs"]
#[allow(dead_code)] // the test uses only part of it
mod redis_server;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use proto::breaker::v1::fleet_client::FleetClient;
use proto::breaker::v1::{Force, ForceRequest};
use redis_server::RedisServer;
use serde_json::Value;
use support::{ServerProcess, channel};
use tripbreaker::{Outcome, Settings, TripRule};
use tripbreaker_redis::RedisBreaker;

/// The longest a line of the script may take: far above what a change
/// takes, so a loaded machine does not fail the test.
const PATIENCE: Duration = Duration::from_secs(20);

fn connect_node() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("connect-node")
}

/// The stubs, generated from `proto/proto` into `connect-node/gen`.
fn generate_stubs(dir: &Path) {
    let buf = dir.join("node_modules/.bin/buf");
    assert!(
        buf.exists(),
        "{} is missing: run `cargo xtask install --only connect-node`",
        buf.display()
    );
    let generated = Command::new(&buf)
        .arg("generate")
        .current_dir(dir)
        .output()
        .expect("buf runs");
    assert!(generated.status.success(), "buf generate: {generated:?}");
}

/// `node watch.mjs URL`, killed when dropped; its stdout's JSON lines.
struct Watcher {
    child: Child,
    lines: mpsc::Receiver<Value>,
}

impl Watcher {
    fn start(dir: &Path, url: &str) -> Self {
        let mut child = Command::new("node")
            .arg("watch.mjs")
            .arg(url)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs (cargo xtask install --only connect-node)");
        let stdout = child.stdout.take().expect("piped");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line).unwrap_or(Value::String(line));
                if send.send(value).is_err() {
                    break;
                }
            }
        });
        Watcher { child, lines }
    }

    /// Reads lines until one passes `wanted`.
    fn until(&self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let line = self
                .lines
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("{what}: no such line in {PATIENCE:?}"));
            println!("{line}");
            assert!(line.get("error").is_none(), "{what}: {line}");
            if wanted(&line) {
                return line;
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The breaker `greeter` in an update, if it is there.
fn greeter(update: &Value) -> Option<&Value> {
    update["breakers"]
        .as_array()?
        .iter()
        .find(|breaker| breaker["name"] == "greeter")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_for_node_watches_a_trip_and_a_force_until_the_server_stops() {
    let dir = connect_node();
    generate_stubs(&dir);
    let redis = RedisServer::start();
    let redis_url = redis.url();
    let mut server = ServerProcess::start(&["--shared-state", &redis_url]);
    let breaker = RedisBreaker::builder(Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new("greeter")
    })
    .connect(&redis_url)
    .expect("a valid URL");
    let ticket = breaker.try_acquire().await.expect("closed");
    breaker.record(ticket, Outcome::Success).await;

    let watcher = Watcher::start(&dir, &server.url());
    let first = watcher.until("the snapshot", |line| line.get("snapshot").is_some());
    assert_eq!(first["snapshot"], true);
    watcher.until("greeter closed", |line| {
        greeter(line).is_some_and(|b| b["state"] == "BREAKER_STATE_CLOSED")
    });

    for _ in 0..3 {
        let ticket = breaker.try_acquire().await.expect("closed");
        breaker.record(ticket, Outcome::Failure).await;
    }
    watcher.until("greeter open", |line| {
        greeter(line).is_some_and(|b| b["state"] == "BREAKER_STATE_OPEN")
    });

    let mut fleet = FleetClient::new(channel(&server.url()).await);
    fleet
        .force(ForceRequest {
            name: "greeter".into(),
            force: Force::Closed as i32,
            ttl_ms: 30_000,
            reason: "from Rust, seen in Node".into(),
        })
        .await
        .expect("forced");
    let forced = watcher.until("greeter forced closed", |line| {
        greeter(line).is_some_and(|b| b["forced"]["force"] == "FORCE_CLOSED")
    });
    assert_eq!(
        greeter(&forced).unwrap()["forced"]["reason"],
        "from Rust, seen in Node"
    );

    let stopped = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("kill");
    assert!(stopped.success());
    let last = watcher.until("the end", |line| line.get("ended").is_some());
    assert_eq!(last["ended"], "ok");
    let deadline = std::time::Instant::now() + PATIENCE;
    let exit = loop {
        if let Some(exit) = server.try_wait().expect("the server's status") {
            break exit;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server never stopped"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
}
