//! Load on the real server binary, run as a child process on loopback: many
//! concurrent native clients (tonic channels, HTTP/2) and gRPC-Web clients
//! (HTTP/1.1, binary and text) call SayHello with a unique name each, for a
//! bounded time. Every request gets exactly one reply and each reply is its
//! own (`Hello <name>`); nothing is lost (the server's counters agree with
//! the clients'); and the server's resident memory, sampled from
//! `/proc/<pid>/status`, does not keep growing after warm-up.
//!
//! Bounds (defaults fit ~15 s on 2 cores): `HARDENING_LOAD_SECS` (6),
//! `HARDENING_CLIENTS` (16, half native, half gRPC-Web), `HARDENING_IN_FLIGHT`
//! (calls in flight per client, 4), `HARDENING_LOAD_MAX_REQUESTS` (per
//! client, 1 000 000).

#[path = "hardening_support.rs"]
mod support;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use proto::greeter::GetStatusRequest;
use proto::greeter::HelloRequest;
use proto::greeter::faults_client::FaultsClient;
use proto::greeter::greeter_client::GreeterClient;
use support::{SAY_HELLO, ServerProcess, env_or, frame, hello, http1_client, web_call};

/// What the clients saw, added up.
#[derive(Default)]
struct Tally {
    sent: AtomicU64,
    matched: AtomicU64,
    mismatched: AtomicU64,
    errors: AtomicU64,
    native: AtomicU64,
    web: AtomicU64,
    first_problems: Mutex<Vec<String>>,
}

impl Tally {
    fn problem(&self, what: String, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_problems.lock().unwrap();
        if first.len() < 10 {
            first.push(what);
        }
    }

    fn reply(&self, name: &str, reply: Result<String, String>) {
        match reply {
            Ok(message) if message == format!("Hello {name}") => {
                self.matched.fetch_add(1, Ordering::Relaxed);
            }
            Ok(message) => self.problem(format!("{name}: got {message:?}"), &self.mismatched),
            Err(error) => self.problem(format!("{name}: {error}"), &self.errors),
        }
    }
}

/// One RSS sample: seconds since the start, KiB.
type Sample = (f64, u64);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_every_reply_matches_nothing_lost_memory_bounded() {
    let secs: u64 = env_or("HARDENING_LOAD_SECS", 6);
    let clients: usize = env_or("HARDENING_CLIENTS", 16);
    let in_flight: usize = env_or("HARDENING_IN_FLIGHT", 4);
    let max_per_client: u64 = env_or("HARDENING_LOAD_MAX_REQUESTS", 1_000_000);
    assert!(secs > 0 && clients > 0 && in_flight > 0 && max_per_client > 0);

    let server = ServerProcess::start(&["--faults", "on"]);
    let url = server.url();
    let pid = server.pid();
    let mut faults = FaultsClient::new(support::channel(&url).await);
    faults
        .reset_counters(proto::greeter::ResetCountersRequest {})
        .await
        .unwrap();

    // Memory, sampled every 250 ms on a thread of its own until told to stop.
    let started = Instant::now();
    let stop_sampling = Arc::new(AtomicBool::new(false));
    let sampler = {
        let stop = Arc::clone(&stop_sampling);
        std::thread::spawn(move || {
            let mut samples: Vec<Sample> = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                if let Some(kib) = support::rss_kib(pid) {
                    samples.push((started.elapsed().as_secs_f64(), kib));
                }
                std::thread::sleep(Duration::from_millis(250));
            }
            samples
        })
    };

    let tally = Arc::new(Tally::default());
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for client in 0..clients {
        let native = client % 2 == 0;
        // One connection per client: a channel (HTTP/2, calls multiplexed)
        // or an HTTP/1.1 client (a connection per call in flight).
        let channel = if native {
            Some(support::channel(&url).await)
        } else {
            None
        };
        let web = http1_client();
        for task in 0..in_flight {
            let (tally, url, channel, web) = (
                Arc::clone(&tally),
                url.clone(),
                channel.clone(),
                web.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut greeter = channel.map(GreeterClient::new);
                let mut seq = 0;
                while seq < max_per_client && Instant::now() < deadline {
                    let name = format!("c{client}-t{task}-n{seq}");
                    tally.sent.fetch_add(1, Ordering::Relaxed);
                    let reply = match greeter.as_mut() {
                        Some(greeter) => {
                            tally.native.fetch_add(1, Ordering::Relaxed);
                            let mut request =
                                tonic::Request::new(HelloRequest { name: name.clone() });
                            request.set_timeout(Duration::from_secs(30));
                            greeter
                                .say_hello(request)
                                .await
                                .map(|r| r.into_inner().message)
                                .map_err(|status| format!("{status:?}"))
                        }
                        None => {
                            tally.web.fetch_add(1, Ordering::Relaxed);
                            web_hello(&web, &url, &name, seq % 2 == 1).await
                        }
                    };
                    tally.reply(&name, reply);
                    seq += 1;
                }
            }));
        }
    }
    for task in tasks {
        task.await.expect("a client task panicked");
    }
    let elapsed = started.elapsed();
    // A last sample after the load, then stop sampling.
    std::thread::sleep(Duration::from_millis(300));
    stop_sampling.store(true, Ordering::Relaxed);
    let samples = sampler.join().unwrap();

    let status = faults
        .get_status(GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    let sent = tally.sent.load(Ordering::Relaxed);
    let matched = tally.matched.load(Ordering::Relaxed);
    let mismatched = tally.mismatched.load(Ordering::Relaxed);
    let errors = tally.errors.load(Ordering::Relaxed);
    let peak = samples.iter().map(|s| s.1).max().unwrap_or(0);
    let early = early_sample(&samples);
    let late = late_peak(&samples);
    println!(
        "load: {clients} clients x {in_flight} in flight for {:.1} s: {sent} requests \
         ({} native, {} gRPC-Web), {matched} matched, {mismatched} mismatched, {errors} errors, \
         {:.0} requests/s; server counted received {} answered {} succeeded {}",
        elapsed.as_secs_f64(),
        tally.native.load(Ordering::Relaxed),
        tally.web.load(Ordering::Relaxed),
        sent as f64 / elapsed.as_secs_f64(),
        status.received,
        status.answered,
        status.succeeded,
    );
    println!(
        "memory: peak RSS {} KiB, early (after warm-up) {} KiB, late peak {} KiB, {} samples: {:?}",
        peak,
        early,
        late,
        samples.len(),
        samples.iter().map(|s| s.1).collect::<Vec<_>>()
    );

    let problems = tally.first_problems.lock().unwrap().clone();
    assert!(sent > 0, "no request was sent");
    assert_eq!(errors, 0, "errors: {problems:#?}");
    assert_eq!(mismatched, 0, "replies to someone else: {problems:#?}");
    assert_eq!(matched, sent, "every request got exactly its own reply");
    assert_eq!(
        (status.received, status.answered, status.succeeded),
        (sent, sent, sent),
        "the server answered every request it received, and received every one sent"
    );
    // Generous: a leak of even a few hundred bytes per call would show over
    // tens of thousands of calls; allocator noise and warm-up do not.
    assert!(
        late <= early + early / 2 + 32 * 1024,
        "RSS kept growing: early {early} KiB, late peak {late} KiB"
    );
    drop(server);
}

/// gRPC-Web SayHello, binary or text (base64 both ways).
async fn web_hello(
    client: &reqwest::Client,
    url: &str,
    name: &str,
    text: bool,
) -> Result<String, String> {
    let framed = frame(0, &hello(name));
    let reply = if text {
        web_call(
            client,
            url,
            SAY_HELLO,
            "application/grpc-web-text",
            STANDARD.encode(framed).into_bytes(),
        )
        .await?
    } else {
        web_call(client, url, SAY_HELLO, "application/grpc-web+proto", framed).await?
    };
    match (reply.grpc_status, reply.greeting()) {
        (Some(0), Some(greeting)) => Ok(greeting),
        _ => Err(format!("{}: {reply:?}", reply.outcome())),
    }
}

/// The sample taken once the load has warmed up: the first one after a
/// quarter of the run (at least 1 s).
fn early_sample(samples: &[Sample]) -> u64 {
    let end = samples.last().map_or(0.0, |s| s.0);
    let warm = (end / 4.0).max(1.0).min(end);
    samples
        .iter()
        .find(|s| s.0 >= warm)
        .or(samples.last())
        .map_or(0, |s| s.1)
}

/// The highest sample of the last quarter of the run.
fn late_peak(samples: &[Sample]) -> u64 {
    let end = samples.last().map_or(0.0, |s| s.0);
    samples
        .iter()
        .filter(|s| s.0 >= end * 0.75)
        .map(|s| s.1)
        .max()
        .unwrap_or(0)
}
