//! Faults seen through the client's breaker (a `tripbreaker_tower` layer over a
//! native tonic channel):
//!
//! - the real server binary, killed with SIGKILL in the middle of a run and
//!   restarted on the same port: the breaker opens within its trip
//!   threshold, rejects without touching the network while open (the
//!   restarted server's counters stay at zero), admits exactly
//!   `max_requests` probes in half-open (counted by the server), and closes
//!   once they succeed;
//! - slow mode past the per-call deadline: each call is a failure for the
//!   breaker, and the server drops the abandoned calls (received counts
//!   them, answered never does);
//! - calls dropped at every stage (before sending, waiting for the server,
//!   with an unread response body) never leak a half-open slot, over many
//!   rounds (`HARDENING_CANCEL_ROUNDS`, default 300).

#[path = "hardening_support.rs"]
mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use proto::greeter::faults_client::FaultsClient;
use proto::greeter::greeter_client::GreeterClient;
use proto::greeter::{FaultMode, GetStatusRequest, HelloRequest, Slow, fault_mode};
use server::faults::Mode;
use support::{SAY_HELLO, ServerProcess, SplitMix64, env_or, frame, hello, wait_until};
use tonic::Code;
use tonic::transport::{Channel, Endpoint};
use tower::{Layer as _, Service, ServiceExt as _};
use tripbreaker::{
    CircuitBreaker, Clock, ManualClock, MonotonicClock, Outcome, Rejected, Settings, SharedBreaker,
    State, Transition, TripRule,
};
use tripbreaker_tower::{CircuitBreakerLayer, CircuitBreakerService, GrpcClassifier, rejection};

type Transitions = Arc<Mutex<Vec<(State, State)>>>;
type Observer = Box<dyn FnMut(&str, Transition) + Send>;
type Observed<C> = SharedBreaker<C, Observer>;
type Guarded<C> = GreeterClient<CircuitBreakerService<Channel, Observed<C>>>;

/// A shared breaker on `clock` that logs its transitions.
fn observed_breaker<C: Clock>(settings: Settings, clock: C) -> (Observed<C>, Transitions) {
    let transitions: Transitions = Arc::default();
    let log = Arc::clone(&transitions);
    let observer: Observer =
        Box::new(move |_: &str, t: Transition| log.lock().unwrap().push((t.from, t.to)));
    let breaker = SharedBreaker::from_breaker(
        CircuitBreaker::new(settings, clock)
            .unwrap()
            .with_observer(observer),
    );
    (breaker, transitions)
}

/// A lazily connected channel to `url` with a per-call deadline.
fn lazy_channel(url: &str, deadline: Duration) -> Channel {
    Endpoint::from_shared(url.to_owned())
        .unwrap()
        .connect_timeout(deadline)
        .timeout(deadline)
        .connect_lazy()
}

/// A Greeter client whose calls go through `tripbreaker`.
fn guarded<C: Clock + Send + 'static>(
    channel: Channel,
    breaker: &Observed<C>,
    classifier: GrpcClassifier,
) -> Guarded<C> {
    GreeterClient::new(
        tower::ServiceBuilder::new()
            .layer(CircuitBreakerLayer::new(breaker.clone()).with_classifier(classifier))
            .service(channel),
    )
}

/// How one guarded call ended.
#[derive(Debug, Clone, PartialEq)]
enum Ended {
    Greeted(String),
    Rejected(Rejected),
    Failed(Code),
}

async fn say_hello<C: Clock + Send + 'static>(client: &mut Guarded<C>, name: &str) -> Ended {
    match client
        .say_hello(HelloRequest {
            name: name.to_owned(),
        })
        .await
    {
        Ok(reply) => Ended::Greeted(reply.into_inner().message),
        Err(status) => match rejection(&status) {
            Some(rejected) => Ended::Rejected(rejected),
            None => Ended::Failed(status.code()),
        },
    }
}

fn slow(delay_ms: u32) -> FaultMode {
    FaultMode {
        mode: Some(fault_mode::Mode::Slow(Slow { delay_ms })),
    }
}

/// The restarted server's SayHello counters, read over an unguarded channel.
async fn counters(url: &str) -> (u64, u64, u64) {
    let status = FaultsClient::new(support::channel(url).await)
        .get_status(GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    (status.received, status.answered, status.succeeded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_and_restarted_server_the_breaker_opens_probes_and_closes() {
    const TRIP: u32 = 3;
    const MAX_REQUESTS: u32 = 3;
    const OPEN_FOR: Duration = Duration::from_secs(3);
    let mut server = ServerProcess::start(&["--faults", "on"]);
    let url = server.url();
    let addr = server.addr().to_string();
    let settings = Settings {
        max_requests: MAX_REQUESTS,
        timeout: OPEN_FOR,
        ready_to_trip: TripRule::ConsecutiveFailures(TRIP),
        ..Settings::new("hardening")
    };
    let (breaker, transitions) = observed_breaker(settings, MonotonicClock::new());
    let mut client = guarded(
        lazy_channel(&url, Duration::from_secs(5)),
        &breaker,
        GrpcClassifier::server_errors(),
    );

    // A healthy run.
    for i in 0..10 {
        let name = format!("before-{i}");
        assert_eq!(
            say_hello(&mut client, &name).await,
            Ended::Greeted(format!("Hello {name}"))
        );
    }

    // Two calls in flight (the server holds them), then SIGKILL.
    let mut controls = FaultsClient::new(support::channel(&url).await);
    controls.set_mode(slow(10_000)).await.unwrap();
    controls
        .reset_counters(proto::greeter::ResetCountersRequest {})
        .await
        .unwrap();
    let in_flight: Vec<_> = (0..2)
        .map(|i| {
            let mut client = client.clone();
            tokio::spawn(async move { say_hello(&mut client, &format!("in-flight-{i}")).await })
        })
        .collect();
    let mut held = 0;
    for _ in 0..500 {
        held = counters(&url).await.0;
        if held >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(held, 2, "the two calls reached the server");
    server.kill();
    let mut network_failures = 0;
    for call in in_flight {
        let ended = call.await.unwrap();
        println!("a call in flight when the server was killed: {ended:?}");
        assert!(matches!(ended, Ended::Failed(_)), "{ended:?}");
        network_failures += 1;
    }
    // Further calls fail on the network until the breaker trips.
    let mut calls_after_kill = 0;
    while breaker.state() == State::Closed {
        calls_after_kill += 1;
        assert!(
            calls_after_kill <= TRIP,
            "still closed after {TRIP} failures"
        );
        let ended = say_hello(&mut client, "nobody-there").await;
        // Mostly `Unavailable` (connection refused); `Cancelled` when the
        // channel still held the dead connection. Either is a network failure
        // the breaker counts (the transport itself failed).
        println!("a call after the kill: {ended:?}");
        assert!(
            matches!(ended, Ended::Failed(Code::Unavailable | Code::Cancelled)),
            "{ended:?}"
        );
        network_failures += 1;
    }
    assert_eq!(breaker.state(), State::Open);
    println!("opened after {network_failures} failures ({calls_after_kill} calls after the kill)");
    assert_eq!(
        network_failures, TRIP,
        "it opened at exactly its trip threshold of consecutive failures"
    );

    // Restart on the same port while the breaker is open: every call is
    // refused by the breaker and none reaches the new server.
    server = ServerProcess::start_on(&addr, &["--faults", "on"]);
    assert_eq!(server.url(), url);
    for _ in 0..20 {
        assert_eq!(
            say_hello(&mut client, "refused").await,
            Ended::Rejected(Rejected::Open)
        );
    }
    assert_eq!(breaker.state(), State::Open, "rejections do not close it");
    assert_eq!(
        counters(&url).await,
        (0, 0, 0),
        "nothing touched the network"
    );

    // Half-open: slow answers keep the probes in flight together; of twelve
    // concurrent calls exactly `max_requests` go out.
    FaultsClient::new(support::channel(&url).await)
        .set_mode(slow(300))
        .await
        .unwrap();
    assert!(
        wait_until(OPEN_FOR * 3, || breaker.state() == State::HalfOpen).await,
        "half-open after the open timeout"
    );
    let probes: Vec<_> = (0..12)
        .map(|i| {
            let mut client = client.clone();
            tokio::spawn(async move { say_hello(&mut client, &format!("probe-{i}")).await })
        })
        .collect();
    let mut greeted = 0;
    let mut too_many = 0;
    for probe in probes {
        match probe.await.unwrap() {
            Ended::Greeted(_) => greeted += 1,
            Ended::Rejected(Rejected::TooManyRequests) => too_many += 1,
            other => panic!("a probe ended {other:?}"),
        }
    }
    assert_eq!((greeted, too_many), (MAX_REQUESTS, 12 - MAX_REQUESTS));
    assert_eq!(
        counters(&url).await,
        (3, 3, 3),
        "the server saw exactly the half-open probes"
    );
    assert_eq!(
        breaker.state(),
        State::Closed,
        "the probes' successes closed it"
    );

    // Closed again: calls flow.
    FaultsClient::new(support::channel(&url).await)
        .set_mode(Mode::Healthy.to_proto())
        .await
        .unwrap();
    for i in 0..10 {
        let name = format!("after-{i}");
        assert_eq!(
            say_hello(&mut client, &name).await,
            Ended::Greeted(format!("Hello {name}"))
        );
    }
    assert_eq!(counters(&url).await, (13, 13, 13));
    assert_eq!(
        *transitions.lock().unwrap(),
        [
            (State::Closed, State::Open),
            (State::Open, State::HalfOpen),
            (State::HalfOpen, State::Closed)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_calls_past_the_deadline_are_failures_and_the_server_drops_them() {
    const TRIP: u32 = 3;
    let server = server::spawn(server::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        static_dir: None,
        ..server::Config::default()
    })
    .await
    .unwrap();
    server.faults().set_mode(Mode::Slow {
        delay: Duration::from_millis(1500),
    });
    let settings = Settings {
        timeout: Duration::from_secs(60),
        ready_to_trip: TripRule::ConsecutiveFailures(TRIP),
        ..Settings::new("deadline")
    };
    let (breaker, transitions) = observed_breaker(settings, MonotonicClock::new());
    // The default classifier: only the callee's trouble counts, and a call
    // past its deadline is the callee's trouble.
    let mut client = guarded(
        lazy_channel(&server.url(), Duration::from_secs(5)),
        &breaker,
        GrpcClassifier::server_errors(),
    );

    for i in 0..TRIP {
        assert_eq!(breaker.counts().consecutive_failures, i);
        let mut request = tonic::Request::new(HelloRequest {
            name: format!("late-{i}"),
        });
        request.set_timeout(Duration::from_millis(200));
        let status = client.say_hello(request).await.unwrap_err();
        println!(
            "a call past its deadline: {:?} {:?}",
            status.code(),
            status.message()
        );
        assert_eq!(rejection(&status), None);
        // tonic's own timer usually fires first (`Cancelled: Timeout
        // expired`); the server's `DeadlineExceeded` when it wins the race.
        assert!(
            matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
            "{status:?}"
        );
    }
    assert_eq!(
        breaker.state(),
        State::Open,
        "{TRIP} deadline misses trip it"
    );
    assert_eq!(
        say_hello(&mut client, "after").await,
        Ended::Rejected(Rejected::Open)
    );
    assert_eq!(*transitions.lock().unwrap(), [(State::Closed, State::Open)]);

    // Well past the delay: each call reached the handler, none was answered.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let counters = server.faults().counters();
    assert_eq!(
        (counters.received, counters.answered),
        (u64::from(TRIP), 0),
        "{counters:?}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_calls_never_leak_half_open_slots() {
    const MAX_REQUESTS: u32 = 2;
    const OPEN_FOR: Duration = Duration::from_secs(1);
    let rounds: u64 = env_or("HARDENING_CANCEL_ROUNDS", 300);
    let seed: u64 = env_or("HARDENING_SEED", 0xCA_5CE1);
    let config = server::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        static_dir: None,
        ..server::Config::default()
    };
    // One server that holds calls (50 ms), one that answers at once.
    let slow_server = server::spawn(config.clone()).await.unwrap();
    slow_server.faults().set_mode(Mode::Slow {
        delay: Duration::from_millis(50),
    });
    let fast_server = server::spawn(config).await.unwrap();

    let clock = Arc::new(ManualClock::new());
    let settings = Settings {
        max_requests: MAX_REQUESTS,
        timeout: OPEN_FOR,
        ready_to_trip: TripRule::ConsecutiveFailures(1),
        ..Settings::new("cancel")
    };
    let (breaker, _transitions) = observed_breaker(settings, Arc::clone(&clock));
    let layer =
        CircuitBreakerLayer::new(breaker.clone()).with_classifier(GrpcClassifier::server_errors());
    let slow_channel = support::channel(&slow_server.url()).await;
    let fast_channel = support::channel(&fast_server.url()).await;
    let mut slow_client = GreeterClient::new(layer.layer(slow_channel.clone()));
    let mut raw_fast = layer.layer(fast_channel.clone());

    let mut rng = SplitMix64::new(seed);
    let mut dropped = [0u64; 4];
    let mut finished_anyway = 0;
    for round in 0..rounds {
        // Half-open with every slot free: trip it if needed, then let the
        // open timeout pass on the hand-moved clock.
        loop {
            match breaker.state() {
                State::HalfOpen => break,
                State::Open => clock.advance(OPEN_FOR + Duration::from_millis(1)),
                _ => breaker.acquire().unwrap().record(Outcome::Failure),
            }
        }
        let stage = rng.index(4);
        let completed = match stage {
            // Made, then dropped before it was ever polled.
            0 => {
                let call = slow_client.say_hello(HelloRequest {
                    name: "never".into(),
                });
                drop(call);
                false
            }
            // Dropped while the server holds it (it needs 50 ms).
            1 => {
                let wait = Duration::from_millis(rng.below(40));
                let call = slow_client.say_hello(HelloRequest {
                    name: "slow".into(),
                });
                tokio::time::timeout(wait, call).await.is_ok()
            }
            // Two at once, both dropped while in flight.
            2 => {
                let wait = Duration::from_millis(rng.below(40));
                let mut other = slow_client.clone();
                let both = async {
                    tokio::join!(
                        slow_client.say_hello(HelloRequest { name: "a".into() }),
                        other.say_hello(HelloRequest { name: "b".into() }),
                    )
                };
                tokio::time::timeout(wait, both).await.is_ok()
            }
            // Answered, but the response body (message and trailers) is
            // dropped unread: the permit travels with the body.
            _ => {
                let request = http::Request::builder()
                    .method(http::Method::POST)
                    .uri(format!("{}{SAY_HELLO}", fast_server.url()))
                    .header("content-type", "application/grpc")
                    .header("te", "trailers")
                    .body(tonic::body::Body::new(http_body_util::Full::new(
                        bytes::Bytes::from(frame(0, &hello("unread"))),
                    )))
                    .unwrap();
                let response = raw_fast.ready().await.unwrap().call(request).await.unwrap();
                assert_eq!(response.status(), 200);
                drop(response);
                false
            }
        };
        // On a loaded machine a timer can fire late, so one of two calls may
        // be answered before the other is dropped: a success holds its slot
        // by right (it counts towards closing), so that round proves nothing.
        let completed = completed || breaker.counts().total_successes > 0;
        if completed {
            // The machine was slow enough for the server to answer first:
            // that call is a success, so start the next round afresh.
            finished_anyway += 1;
            if breaker.state() == State::HalfOpen {
                while let Ok(permit) = breaker.acquire() {
                    permit.record(Outcome::Failure);
                }
            }
            continue;
        }
        dropped[stage] += 1;
        // Every slot is free again: exactly `max_requests` are admitted.
        assert_eq!(breaker.state(), State::HalfOpen, "round {round}");
        let permits: Vec<_> = (0..MAX_REQUESTS)
            .map(|i| {
                breaker.acquire().unwrap_or_else(|e| {
                    panic!("round {round} (stage {stage}): slot {i} leaked: {e}")
                })
            })
            .collect();
        assert_eq!(
            breaker.acquire().unwrap_err(),
            Rejected::TooManyRequests,
            "round {round}"
        );
        drop(permits);
    }
    println!(
        "dropped calls: {} before polling, {} in flight, {} pairs in flight, {} with unread bodies; \
         {finished_anyway} finished before they could be dropped",
        dropped[0], dropped[1], dropped[2], dropped[3]
    );
    assert!(dropped.iter().all(|&n| n > 0) || rounds < 20, "{dropped:?}");

    // Probes that complete close it.
    let mut fast_client = GreeterClient::new(layer.layer(fast_channel));
    while breaker.state() != State::HalfOpen {
        clock.advance(OPEN_FOR + Duration::from_millis(1));
        if breaker.state() == State::Closed {
            breaker.acquire().unwrap().record(Outcome::Failure);
        }
    }
    for i in 0..MAX_REQUESTS {
        let reply = fast_client
            .say_hello(HelloRequest {
                name: format!("probe-{i}"),
            })
            .await
            .unwrap();
        assert_eq!(reply.into_inner().message, format!("Hello probe-{i}"));
    }
    assert_eq!(breaker.state(), State::Closed);
    slow_server.shutdown().await.unwrap();
    fast_server.shutdown().await.unwrap();
}
