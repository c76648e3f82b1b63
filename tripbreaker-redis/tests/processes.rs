//! Eight real client processes (`tests/bin/shared_client.rs`) share one
//! breaker on one Redis (and again on a Redis Cluster), in front of a fake
//! dependency this test controls: the breaker opens after `trip` failures in total, admits at most
//! `max_requests` trial calls across all processes in half-open, and then
//! is closed for every process.

mod support;

use futures_util::stream::{FuturesUnordered, StreamExt};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::redis_cluster::RedisCluster;
use support::redis_server::RedisServer;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpListener;
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::Semaphore;

const PROCESSES: usize = 8;
const TRIP: usize = 3;
const MAX_REQUESTS: usize = 2;
const OPEN_TIMEOUT: Duration = Duration::from_millis(500);
/// The fake's gate: open while it has these permits, shut while the test holds them.
const GATE: usize = 1_000;
/// Every wait on a child or on the fake ends by then.
const LIMIT: Duration = Duration::from_secs(30);

/// The dependency: answers `ok` or `fail`, counts calls and the most in
/// flight at once, and holds calls while its gate is shut.
struct Fake {
    failing: AtomicBool,
    calls: AtomicUsize,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    gate: Semaphore,
}

impl Fake {
    async fn serve(self: Arc<Self>, listener: TcpListener) {
        while let Ok((stream, _)) = listener.accept().await {
            let fake = self.clone();
            tokio::spawn(async move {
                let mut stream = BufReader::new(stream);
                let mut line = String::new();
                if stream.read_line(&mut line).await.is_err() {
                    return;
                }
                fake.calls.fetch_add(1, Ordering::SeqCst);
                let now = fake.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                fake.most_in_flight.fetch_max(now, Ordering::SeqCst);
                drop(fake.gate.acquire().await);
                fake.in_flight.fetch_sub(1, Ordering::SeqCst);
                let reply: &[u8] = if fake.failing.load(Ordering::SeqCst) {
                    b"fail\n"
                } else {
                    b"ok\n"
                };
                let _ = stream.get_mut().write_all(reply).await;
            });
        }
    }
}

/// One client process, killed on drop.
struct Client {
    _child: Child,
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Client {
    fn spawn(redis: &str, fake: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shared-client"))
            .args([
                redis,
                fake,
                "processes",
                &TRIP.to_string(),
                &MAX_REQUESTS.to_string(),
            ])
            .arg(OPEN_TIMEOUT.as_millis().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("cargo builds shared-client for the tests");
        Client {
            stdin: child.stdin.take().expect("piped"),
            stdout: BufReader::new(child.stdout.take().expect("piped")).lines(),
            _child: child,
        }
    }

    async fn send(&mut self, command: &str) {
        self.stdin
            .write_all(format!("{command}\n").as_bytes())
            .await
            .expect("the client reads");
    }

    async fn answer(&mut self) -> String {
        tokio::time::timeout(LIMIT, self.stdout.next_line())
            .await
            .expect("the client answers in time")
            .expect("the client's output")
            .expect("the client is alive")
    }

    async fn ask(&mut self, command: &str) -> String {
        self.send(command).await;
        self.answer().await
    }
}

async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + LIMIT;
    while !condition() {
        assert!(Instant::now() < deadline, "waited {LIMIT:?} for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_share_one_breaker() {
    let server = RedisServer::start();
    share_one_breaker(&server.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_share_one_breaker_on_a_cluster() {
    let cluster = tokio::task::spawn_blocking(RedisCluster::start)
        .await
        .expect("the cluster starts");
    share_one_breaker(&cluster.url()).await;
}

/// The test, on the store at `url`.
async fn share_one_breaker(url: &str) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fake_addr = listener.local_addr().unwrap().to_string();
    let fake = Arc::new(Fake {
        failing: AtomicBool::new(true),
        calls: AtomicUsize::new(0),
        in_flight: AtomicUsize::new(0),
        most_in_flight: AtomicUsize::new(0),
        gate: Semaphore::new(GATE),
    });
    tokio::spawn(fake.clone().serve(listener));
    let mut clients: Vec<Client> = (0..PROCESSES)
        .map(|_| Client::spawn(url, &fake_addr))
        .collect();

    // The dependency fails; the processes take turns. After TRIP failures
    // in total the breaker is open for all: the rest never call it.
    let mut answers = Vec::new();
    for round in 0..2 {
        for (index, client) in clients.iter_mut().enumerate() {
            answers.push((round, index, client.ask("attempt").await));
        }
    }
    let failed: Vec<_> = answers
        .iter()
        .filter(|(.., a)| a == "admitted fail")
        .collect();
    assert_eq!(failed.len(), TRIP, "{answers:?}");
    assert!(
        failed
            .iter()
            .all(|(round, index, _)| *round == 0 && *index < TRIP),
        "{answers:?}"
    );
    assert!(
        answers[TRIP..].iter().all(|(.., a)| a == "rejected open"),
        "{answers:?}"
    );
    assert_eq!(
        fake.calls.load(Ordering::SeqCst),
        TRIP,
        "calls that reached the dependency"
    );

    // Half-open: the dependency works again but holds its calls; all eight
    // ask at once and only MAX_REQUESTS trial calls go through.
    fake.failing.store(false, Ordering::SeqCst);
    let gate = fake.gate.acquire_many(GATE as u32).await.unwrap();
    tokio::time::sleep(OPEN_TIMEOUT + Duration::from_millis(200)).await;
    for client in &mut clients {
        client.send("attempt").await;
    }
    wait_until("the trial calls to arrive", || {
        fake.in_flight.load(Ordering::SeqCst) == MAX_REQUESTS
    })
    .await;
    // The gate opens only once every other process was refused: a process
    // slow to ask would otherwise find the breaker closed by the trials.
    let mut pending: FuturesUnordered<_> = clients.iter_mut().map(Client::answer).collect();
    let mut answers = Vec::new();
    let mut gate = Some(gate);
    while let Some(answer) = pending.next().await {
        answers.push(answer);
        if answers.len() == PROCESSES - MAX_REQUESTS {
            drop(gate.take());
        }
    }
    drop(pending);
    let admitted = answers.iter().filter(|a| *a == "admitted ok").count();
    let refused = answers.iter().filter(|a| *a == "rejected too-many").count();
    assert_eq!(
        (admitted, refused),
        (MAX_REQUESTS, PROCESSES - MAX_REQUESTS),
        "{answers:?}"
    );
    assert_eq!(
        fake.most_in_flight.load(Ordering::SeqCst),
        MAX_REQUESTS,
        "trial calls at once"
    );

    // Enough trial successes closed it, for every process.
    for client in &mut clients {
        assert_eq!(client.ask("state").await, "state closed");
    }
    for client in &mut clients {
        client.send("attempt").await;
    }
    for client in &mut clients {
        assert_eq!(client.answer().await, "admitted ok");
    }
    assert_eq!(
        fake.calls.load(Ordering::SeqCst),
        TRIP + MAX_REQUESTS + PROCESSES
    );
}
