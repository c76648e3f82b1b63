//! `breaker.v1.Fleet` on the real server binary with `--shared-state`, a
//! `redis-server` of the test's own, and handles of a shared breaker in
//! this process: a watcher sees the trip, a force and a release as they
//! happen, and every handle obeys a force made through the service; bad
//! requests, a force from a foreign page or host, a server without shared
//! state or without steering, and too
//! many watchers are each answered with a status that says why; a watcher
//! reads the stream over gRPC-Web (HTTP/1.1) as a browser does; the
//! streams end when the server stops; and a hundred watchers, half of
//! them never reading, leave the server's memory bounded and SayHello
//! answered.

#[path = "hardening_support.rs"]
mod support;

#[path = "../../tripbreaker-redis/tests/support/redis_server.rs"]
#[allow(dead_code)] // the test uses only part of it
mod redis_server;

use std::time::{Duration, Instant};

use proto::breaker::v1::fleet_client::FleetClient;
use proto::breaker::v1::{
    BreakerState, FleetUpdate, Force, ForceRequest, ListRequest, ReleaseRequest, SharedBreaker,
    WatchRequest,
};
use redis_server::RedisServer;
use support::{ServerProcess, channel};
use tonic::transport::Channel;
use tonic::{Code, Streaming};
use tripbreaker::{Outcome, Settings, TripRule};
use tripbreaker_redis::RedisBreaker;

/// The longest any awaited update may take here: far above the second a
/// change takes, so a loaded machine does not fail the test.
const PATIENCE: Duration = Duration::from_secs(15);

fn settings() -> Settings {
    Settings {
        timeout: Duration::from_secs(60),
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new("greeter")
    }
}

/// A handle on the shared breaker `greeter`, saying it is alive as every
/// handle does by default (so the fleet lists it).
fn handle(redis: &RedisServer) -> RedisBreaker {
    RedisBreaker::builder(settings())
        .store_timeout(Duration::from_secs(5))
        .connect(&redis.url())
        .expect("a valid URL")
}

fn fleet_server(redis: &RedisServer, extra: &[&str]) -> ServerProcess {
    let url = redis.url();
    ServerProcess::start(&[&["--shared-state", url.as_str()], extra].concat())
}

async fn fleet_client(server: &ServerProcess) -> FleetClient<Channel> {
    FleetClient::new(channel(&server.url()).await)
}

/// One successful call: a breaker is listed once it has a key.
async fn succeed_once(handle: &RedisBreaker) {
    let ticket = handle.try_acquire().await.expect("closed");
    handle.record(ticket, Outcome::Success).await;
}

/// Three failed calls in a row: the breaker opens.
async fn trip(handle: &RedisBreaker) {
    for _ in 0..3 {
        let ticket = handle.try_acquire().await.expect("closed");
        handle.record(ticket, Outcome::Failure).await;
    }
}

/// Waits until the fleet lists `n` breakers.
async fn wait_until_listed(fleet: &mut FleetClient<Channel>, n: usize) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let listed = fleet
            .list(ListRequest {})
            .await
            .expect("a list")
            .into_inner();
        if listed.breakers.len() >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{n} breakers never listed: {listed:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The breaker `name` as the watcher knows it from the updates it read.
#[derive(Default)]
struct Known {
    breakers: std::collections::BTreeMap<String, SharedBreaker>,
}

impl Known {
    fn apply(&mut self, update: FleetUpdate) {
        if update.snapshot {
            self.breakers.clear();
        }
        for breaker in update.breakers {
            self.breakers.insert(breaker.name.clone(), breaker);
        }
        for name in update.removed {
            self.breakers.remove(&name);
        }
    }
}

/// Reads `watch` until `greeter` is as `wanted` says; how long it took.
async fn until(
    watch: &mut Streaming<FleetUpdate>,
    known: &mut Known,
    what: &str,
    wanted: impl Fn(&SharedBreaker) -> bool,
) -> Duration {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if known.breakers.get("greeter").is_some_and(&wanted) {
            return started.elapsed();
        }
        let update = tokio::time::timeout_at(deadline, watch.message())
            .await
            .unwrap_or_else(|_| panic!("{what}: not seen in {PATIENCE:?}: {:?}", known.breakers))
            .expect("the stream goes on")
            .expect("the stream goes on");
        known.apply(update);
    }
}

fn state(breaker: &SharedBreaker) -> BreakerState {
    BreakerState::try_from(breaker.state).expect("a state")
}

fn force(name: &str, force: Force, ttl: Duration, reason: &str) -> ForceRequest {
    ForceRequest {
        name: name.into(),
        force: force as i32,
        ttl_ms: u64::try_from(ttl.as_millis()).unwrap(),
        reason: reason.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_sees_a_trip_a_force_and_a_release_and_every_handle_obeys() {
    let redis = RedisServer::start();
    let server = fleet_server(&redis, &[]);
    let (first, second) = (handle(&redis), handle(&redis));
    let mut fleet = fleet_client(&server).await;
    let mut watch = fleet
        .watch(WatchRequest {})
        .await
        .expect("a stream")
        .into_inner();
    let first_update = watch
        .message()
        .await
        .expect("an update")
        .expect("a first update");
    assert!(first_update.snapshot, "the first update is a snapshot");
    let mut known = Known::default();
    known.apply(first_update);

    succeed_once(&first).await;
    until(
        &mut watch,
        &mut known,
        "listed, closed, both handles",
        |b| state(b) == BreakerState::Closed && b.handles_seen == 2,
    )
    .await;

    trip(&first).await;
    let took = until(&mut watch, &mut known, "open", |b| {
        state(b) == BreakerState::Open
    })
    .await;
    println!("the trip reached the watcher {took:?} after the third failure");
    let open = &known.breakers["greeter"];
    assert!(
        open.open_remaining_ms > 0 && open.open_remaining_ms <= 60_000,
        "{open:?}"
    );
    assert!(
        second.try_acquire().await.is_err(),
        "the other handle sees it open"
    );

    let forced = fleet
        .force(force(
            "greeter",
            Force::Closed,
            Duration::from_secs(30),
            "drill",
        ))
        .await
        .expect("forced")
        .into_inner();
    assert_eq!(state(&forced), BreakerState::Closed);
    let how = forced.forced.as_ref().expect("forced");
    assert_eq!(
        (how.force, how.reason.as_str()),
        (Force::Closed as i32, "drill")
    );
    assert!(
        how.remaining_ms > 0 && how.remaining_ms <= 30_000,
        "{how:?}"
    );
    until(&mut watch, &mut known, "forced closed", |b| {
        b.forced.is_some() && state(b) == BreakerState::Closed
    })
    .await;
    let ticket = second.try_acquire().await.expect("forced closed: admitted");
    second.record(ticket, Outcome::Failure).await;

    fleet
        .force(force(
            "greeter",
            Force::Open,
            Duration::from_secs(30),
            "deploy",
        ))
        .await
        .expect("forced");
    until(&mut watch, &mut known, "forced open", |b| {
        state(b) == BreakerState::Open
            && b.forced
                .as_ref()
                .is_some_and(|f| f.force == Force::Open as i32)
    })
    .await;
    assert!(first.try_acquire().await.is_err(), "forced open: refused");

    let released = fleet
        .release(ReleaseRequest {
            name: "greeter".into(),
        })
        .await
        .expect("released")
        .into_inner();
    assert_eq!(
        (state(&released), released.forced.is_none()),
        (BreakerState::Closed, true)
    );
    until(&mut watch, &mut known, "released", |b| {
        b.forced.is_none() && state(b) == BreakerState::Closed
    })
    .await;
    assert!(first.try_acquire().await.is_ok(), "released: closed again");

    // A force that runs out ends by itself: the watcher sees that too.
    fleet
        .force(force(
            "greeter",
            Force::Open,
            Duration::from_secs(1),
            "a blip",
        ))
        .await
        .expect("forced");
    until(&mut watch, &mut known, "forced for a second", |b| {
        b.forced.is_some()
    })
    .await;
    until(&mut watch, &mut known, "its force over", |b| {
        b.forced.is_none() && state(b) == BreakerState::Closed
    })
    .await;

    let listed = fleet
        .list(ListRequest {})
        .await
        .expect("a list")
        .into_inner();
    assert!(listed.shared_state);
    let names: Vec<_> = listed.breakers.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["greeter"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_refused_saying_why() {
    let redis = RedisServer::start();
    let server = fleet_server(&redis, &[]);
    let handle = handle(&redis);
    succeed_once(&handle).await;
    let mut fleet = fleet_client(&server).await;
    wait_until_listed(&mut fleet, 1).await;
    let minute = Duration::from_secs(60);
    let cases = [
        (
            force("nobody", Force::Open, minute, ""),
            Code::NotFound,
            "no shared breaker is named",
        ),
        (
            force("greeter", Force::Open, Duration::ZERO, ""),
            Code::InvalidArgument,
            "more than 0s",
        ),
        (
            force("greeter", Force::Open, Duration::from_secs(2 * 86_400), ""),
            Code::InvalidArgument,
            "at most 1day",
        ),
        (
            force("greeter", Force::Unspecified, minute, ""),
            Code::InvalidArgument,
            "FORCE_OPEN or FORCE_CLOSED",
        ),
        (
            force("greeter", Force::Open, minute, "a\nb"),
            Code::InvalidArgument,
            "control characters",
        ),
        (
            force(&"n".repeat(201), Force::Open, minute, ""),
            Code::InvalidArgument,
            "a breaker name is 1 to 200 bytes",
        ),
        (
            force("", Force::Open, minute, ""),
            Code::InvalidArgument,
            "empty",
        ),
    ];
    for (request, code, says) in cases {
        let status = fleet.force(request.clone()).await.unwrap_err();
        assert_eq!(status.code(), code, "{request:?}: {status:?}");
        assert!(status.message().contains(says), "{request:?}: {status:?}");
    }
    let status = fleet
        .release(ReleaseRequest {
            name: "nobody".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
    let names: Vec<_> = fleet
        .list(ListRequest {})
        .await
        .unwrap()
        .into_inner()
        .breakers
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(names, ["greeter"], "no key made for a name nobody uses");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_force_from_a_foreign_page_or_host_is_refused_before_it_runs() {
    let redis = RedisServer::start();
    let server = fleet_server(&redis, &[]);
    let handle = handle(&redis);
    succeed_once(&handle).await;
    wait_until_listed(&mut fleet_client(&server).await, 1).await;
    let request = force(
        "greeter",
        Force::Open,
        Duration::from_secs(60),
        "from a page",
    );
    let body = support::frame(0, &prost::Message::encode_to_vec(&request));
    let path = "/breaker.v1.Fleet/Force";
    let client = support::http1_client();
    let url = server.url();

    let foreign = support::web_call_from(&client, &url, path, "http://evil.example", body.clone())
        .await
        .expect("an answer");
    assert_eq!(foreign.http, 403, "{foreign:?}");
    let rebound = support::http1_call(
        &client,
        http::Method::POST,
        &url,
        path,
        &[
            ("host", "evil.example"),
            ("content-type", "application/grpc-web+proto"),
            ("x-grpc-web", "1"),
        ],
        body.clone(),
    )
    .await
    .expect("an answer");
    assert_eq!(rebound.http, 421, "{rebound:?}");
    let listed = fleet_client(&server)
        .await
        .list(ListRequest {})
        .await
        .unwrap()
        .into_inner();
    assert!(
        listed.breakers[0].forced.is_none(),
        "neither ran: {listed:?}"
    );

    let origin = format!("http://127.0.0.1:{}", server.addr().port());
    let own = support::web_call_from(&client, &url, path, &origin, body)
        .await
        .expect("an answer");
    assert_eq!((own.http, own.grpc_status), (200, Some(0)), "{own:?}");
    assert!(
        handle.try_acquire().await.is_err(),
        "the page's own force holds"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_shared_state_or_steering_the_server_says_so() {
    let plain = ServerProcess::start(&[]);
    let mut fleet = fleet_client(&plain).await;
    let listed = fleet
        .list(ListRequest {})
        .await
        .expect("a list")
        .into_inner();
    assert_eq!((listed.shared_state, listed.breakers.len()), (false, 0));
    let status = fleet.watch(WatchRequest {}).await.unwrap_err();
    assert_eq!(status.code(), Code::FailedPrecondition, "{status:?}");
    assert!(status.message().contains("--shared-state"), "{status:?}");

    let redis = RedisServer::start();
    let _handle = handle(&redis);
    let unsteered = fleet_server(&redis, &["--faults", "off"]);
    let mut fleet = fleet_client(&unsteered).await;
    assert!(
        fleet
            .list(ListRequest {})
            .await
            .expect("a list")
            .into_inner()
            .shared_state
    );
    let status = fleet
        .force(force("greeter", Force::Open, Duration::from_secs(60), ""))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");
    let status = fleet
        .release(ReleaseRequest {
            name: "greeter".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::PermissionDenied, "{status:?}");

    let (exit, output) = ServerProcess::run_to_exit(
        &["--shared-state", "http://127.0.0.1:6379"],
        &[],
        Duration::from_secs(30),
    );
    assert_eq!(exit.code(), Some(2), "{output}");
    assert!(output.contains("--shared-state"), "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_are_limited_and_their_streams_end_when_the_server_stops() {
    let redis = RedisServer::start();
    let mut server = fleet_server(&redis, &["--max-watchers", "2"]);
    let mut fleet = fleet_client(&server).await;
    let mut one = fleet
        .watch(WatchRequest {})
        .await
        .expect("a first watcher")
        .into_inner();
    let two = fleet
        .watch(WatchRequest {})
        .await
        .expect("a second watcher")
        .into_inner();
    let status = fleet.watch(WatchRequest {}).await.unwrap_err();
    assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    assert!(status.message().contains("--max-watchers"), "{status:?}");
    drop(two);
    let deadline = Instant::now() + PATIENCE;
    let _three = loop {
        match fleet.watch(WatchRequest {}).await {
            Ok(stream) => break stream,
            Err(status) => assert!(
                Instant::now() < deadline,
                "the slot never came back: {status:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        one.message()
            .await
            .expect("an update")
            .expect("the snapshot")
            .snapshot
    );

    let stopped = Instant::now();
    let terminated = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("kill");
    assert!(terminated.success());
    let ended = tokio::time::timeout(PATIENCE, one.message())
        .await
        .expect("the stream ends");
    assert!(matches!(ended, Ok(None)), "ended cleanly: {ended:?}");
    while server.is_running() {
        assert!(stopped.elapsed() < PATIENCE, "the server never stopped");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!("stopped in {:?} with watchers open", stopped.elapsed());
}

/// Reads whole gRPC-Web frames off a streaming HTTP/1.1 response.
struct WebFrames {
    response: reqwest::Response,
    buffered: Vec<u8>,
}

impl WebFrames {
    /// The next data frame's message, decoded.
    async fn next(&mut self) -> FleetUpdate {
        loop {
            if self.buffered.len() >= 5 {
                let len = u32::from_be_bytes(self.buffered[1..5].try_into().unwrap()) as usize;
                if self.buffered.len() >= 5 + len {
                    let frame: Vec<u8> = self.buffered.drain(..5 + len).collect();
                    assert_eq!(frame[0], 0, "a data frame, not trailers: {frame:?}");
                    return prost::Message::decode(&frame[5..]).expect("a FleetUpdate");
                }
            }
            let chunk = tokio::time::timeout(PATIENCE, self.response.chunk())
                .await
                .expect("a frame in time")
                .expect("the body goes on")
                .expect("the body goes on");
            self.buffered.extend_from_slice(&chunk);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_watches_over_grpc_web_on_http1() {
    let redis = RedisServer::start();
    let server = fleet_server(&redis, &[]);
    let breaker = handle(&redis);
    succeed_once(&breaker).await;
    let origin = format!("http://127.0.0.1:{}", server.addr().port());
    let response = support::http1_client()
        .post(format!("{}/breaker.v1.Fleet/Watch", server.url()))
        .header("content-type", "application/grpc-web+proto")
        .header("accept", "application/grpc-web+proto")
        .header("x-grpc-web", "1")
        .header("origin", &origin)
        .body(support::frame(0, &[]))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], origin.as_str());
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/grpc-web")
    );
    let mut frames = WebFrames {
        response,
        buffered: Vec::new(),
    };
    let mut known = Known::default();
    known.apply(frames.next().await);
    while !known.breakers.contains_key("greeter") {
        known.apply(frames.next().await);
    }
    trip(&breaker).await;
    while known
        .breakers
        .get("greeter")
        .is_none_or(|b| state(b) != BreakerState::Open)
    {
        known.apply(frames.next().await);
    }
}

/// The server's resident memory, from `/proc`.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server runs");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in kB")
}

/// Breakers of many names, so that every snapshot is sizeable.
const BREAKERS: usize = 100;
const WATCHERS: usize = 100;
/// Watchers per connection (a connection takes 100 streams at most).
const PER_CONNECTION: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_watchers_half_never_reading_leave_memory_bounded_and_calls_answered() {
    let redis = RedisServer::start();
    let server = fleet_server(&redis, &["--max-watchers", "128"]);
    let handles: Vec<RedisBreaker> = (0..BREAKERS)
        .map(|i| {
            RedisBreaker::builder(Settings {
                ready_to_trip: TripRule::ConsecutiveFailures(3),
                // A breaker's name is `&'static str`: these live as long as the test.
                ..Settings::new(String::leak(format!(
                    "backend-{i:03}-with-a-longer-name-to-weigh-on-the-snapshot"
                )))
            })
            .store_timeout(Duration::from_secs(5))
            .connect(&redis.url())
            .expect("a valid URL")
        })
        .collect();
    for handle in &handles {
        succeed_once(handle).await;
    }
    let mut fleet = fleet_client(&server).await;
    wait_until_listed(&mut fleet, BREAKERS).await;

    let greeter = proto::greeter::greeter_client::GreeterClient::new(channel(&server.url()).await);
    let (_, alone) = tokio::join!(
        churn(&handles, &mut fleet),
        say_hello_times(greeter.clone(), 200)
    );

    let mut idle = Vec::new();
    let mut readers = Vec::new();
    for connection in 0..WATCHERS / PER_CONNECTION {
        let mut client = fleet_client(&server).await;
        for n in 0..PER_CONNECTION {
            let stream = client
                .watch(WatchRequest {})
                .await
                .expect("a watcher")
                .into_inner();
            if (connection * PER_CONNECTION + n).is_multiple_of(2) {
                idle.push(stream);
            } else {
                readers.push(tokio::spawn(read_all(stream)));
            }
        }
    }
    let before = resident_kib(server.pid());
    // The readers are sent every change, the idle watchers' connections
    // fill and stop.
    let (_, watched) = tokio::join!(
        churn(&handles, &mut fleet),
        say_hello_times(greeter.clone(), 200)
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = resident_kib(server.pid());
    let answered = tokio::time::timeout(
        PATIENCE,
        greeter.clone().say_hello(proto::greeter::HelloRequest {
            name: "after".into(),
        }),
    )
    .await
    .expect("answered in time");
    assert!(answered.is_ok(), "{answered:?}");
    println!(
        "{WATCHERS} watchers ({} never reading), {BREAKERS} breakers changing: server resident \
         {before} KiB before, {after} KiB after; SayHello median {:?} (max {:?}) without watchers, \
         {:?} (max {:?}) with them",
        idle.len(),
        median(&alone),
        alone.iter().max().unwrap(),
        median(&watched),
        watched.iter().max().unwrap(),
    );
    assert!(
        after < before + 64 * 1024,
        "grew from {before} KiB to {after} KiB"
    );
    drop(idle);
    for reader in readers {
        reader.abort();
    }
}

/// Every breaker tripped and closed again five times over, a tenth of
/// them forced open and released each time.
async fn churn(handles: &[RedisBreaker], fleet: &mut FleetClient<Channel>) {
    for round in 0..10 {
        let outcome = if round % 2 == 0 {
            Outcome::Failure
        } else {
            Outcome::Success
        };
        for handle in handles {
            for _ in 0..3 {
                if let Ok(ticket) = handle.try_acquire().await {
                    handle.record(ticket, outcome).await;
                }
            }
        }
        for handle in handles.iter().step_by(10) {
            let name = handle.name();
            let ttl = Duration::from_secs(60);
            let _ = fleet.force(force(name, Force::Open, ttl, "churn")).await;
            let _ = fleet.release(ReleaseRequest { name: name.into() }).await;
        }
    }
}

/// Reads a watch stream to its end; how many updates it read.
async fn read_all(mut stream: Streaming<FleetUpdate>) -> usize {
    let mut read = 0;
    while let Ok(Some(_)) = stream.message().await {
        read += 1;
    }
    read
}

/// `n` SayHello calls one after the other, each one's time.
async fn say_hello_times(
    mut greeter: proto::greeter::greeter_client::GreeterClient<Channel>,
    n: usize,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let reply = greeter
            .say_hello(proto::greeter::HelloRequest {
                name: "World".into(),
            })
            .await;
        assert!(reply.is_ok(), "{reply:?}");
        times.push(started.elapsed());
    }
    times
}

fn median(times: &[Duration]) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[sorted.len() / 2]
}
