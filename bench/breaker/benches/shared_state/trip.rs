//! The fleet after its dependency starts failing: `HANDLES` handles in this
//! process, each on its own connection (and, in fast mode, its own
//! subscription) and each with one caller at `RATE`, under
//! `ConsecutiveFailures(TRIP_AFTER)`. Counts the failures the fleet makes
//! past the trip point before every handle refuses, and times how long the
//! trip takes to reach the other handles: from the moment the handle whose
//! call tripped the breaker has its reply, to each other handle's first
//! refusal, all on this process' one clock.

use crate::percentile;
use bench_results::TripRow;
use breaker_bench::{Sharing, builder, warm_up_all};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tripbreaker::{Observer, Outcome, Settings, State, Transition, TripRule};
use tripbreaker_redis::RedisBreaker;

/// Handles, one caller each (the crate docs' example of the bound).
const HANDLES: usize = 16;
/// `n` of `ConsecutiveFailures(n)`.
const TRIP_AFTER: u32 = 3;
/// Calls a second each caller asks for (it gets fewer when calls are slower).
const RATE: u32 = 1_000;
/// Trips measured, each on a fresh key.
const ROUNDS: usize = 10;
/// How long the dependency works before it fails.
const HEALTHY: Duration = Duration::from_millis(500);
/// How often the round trip is timed while it works.
const PROBE_EVERY: Duration = Duration::from_millis(10);
/// Every caller stops by then after the failures start.
const LIMIT: Duration = Duration::from_secs(10);

/// Long open (no half-open within a round), trips on `TRIP_AFTER` failures.
fn settings() -> Settings {
    Settings {
        max_requests: 1,
        timeout: Duration::from_secs(60),
        ready_to_trip: TripRule::ConsecutiveFailures(TRIP_AFTER),
        ..Settings::new("trip")
    }
}

/// Which handle tripped the breaker, and when it learned it: the one
/// whose script run made the change reports it.
type Trip = Arc<Mutex<Option<(usize, Instant)>>>;

/// The observer of handle `handle`: notes the trip.
struct TripSeen {
    handle: usize,
    trip: Trip,
}

impl Observer for TripSeen {
    fn on_transition(&mut self, _name: &str, transition: Transition) {
        if transition.to == State::Open {
            let mut trip = self.trip.lock().expect("not poisoned");
            trip.get_or_insert((self.handle, Instant::now()));
        }
    }
}

/// What one caller saw.
#[derive(Default)]
struct Caller {
    successes: u64,
    failures: u64,
    refused_at: Option<Instant>,
}

/// One trip.
struct Round {
    past_trip: u64,
    reach: Vec<Duration>,
    rate_per_handle: f64,
    round_trips: Vec<Duration>,
}

/// `ROUNDS` trips in `sharing` on the Redis at `url`.
pub async fn trips(url: &str, sharing: Sharing) -> TripRow {
    let mut rounds = Vec::new();
    for round in 0..ROUNDS {
        let namespace = format!("trip-{}-{round}", sharing.arg());
        rounds.push(trip_once(url, sharing, &namespace).await);
    }
    let past: Vec<u64> = rounds.iter().map(|r| r.past_trip).collect();
    let mut reach: Vec<Duration> = rounds.iter().flat_map(|r| r.reach.clone()).collect();
    reach.sort();
    let mut round_trips: Vec<Duration> =
        rounds.iter().flat_map(|r| r.round_trips.clone()).collect();
    round_trips.sort();
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    TripRow {
        guard: sharing.guard(),
        handles: HANDLES,
        trip_after: TRIP_AFTER,
        rate_per_handle: rounds.iter().map(|r| r.rate_per_handle).sum::<f64>() / ROUNDS as f64,
        round_trip_us: micros(percentile(&round_trips, 50)),
        rounds: ROUNDS,
        past_trip_max: past.iter().copied().max().unwrap_or(0),
        past_trip_mean: past.iter().sum::<u64>() as f64 / ROUNDS as f64,
        reach_p50_us: micros(percentile(&reach, 50)),
        reach_p99_us: micros(percentile(&reach, 99)),
    }
}

async fn trip_once(url: &str, sharing: Sharing, namespace: &str) -> Round {
    let trip = Trip::default();
    let handles: Vec<_> = (0..HANDLES)
        .map(|handle| {
            builder(settings(), sharing)
                .namespace(namespace)
                .observer(TripSeen {
                    handle,
                    trip: trip.clone(),
                })
                .connect(url)
                .expect("a valid URL")
        })
        .collect();
    warm_up_all(&handles, sharing).await;

    let failing = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let deadline = started + HEALTHY + LIMIT;
    let callers: Vec<_> = handles
        .iter()
        .map(|h| tokio::spawn(call(h.clone(), failing.clone(), deadline)))
        .collect();
    let prober = tokio::spawn(time_round_trips(handles[0].clone(), failing.clone()));
    tokio::time::sleep(HEALTHY).await;
    let healthy = started.elapsed();
    failing.store(true, Ordering::SeqCst);

    let mut seen = Vec::new();
    for caller in callers {
        seen.push(caller.await.expect("a caller"));
    }
    let round_trips = prober.await.expect("the prober");
    let (tripper, tripped_at) = trip
        .lock()
        .expect("not poisoned")
        .expect("the breaker tripped");
    let reach = seen
        .iter()
        .enumerate()
        .filter(|(handle, _)| *handle != tripper)
        .map(|(handle, caller)| {
            let refused = caller
                .refused_at
                .unwrap_or_else(|| panic!("handle {handle} never refused within {LIMIT:?}"));
            // A handle refused before the tripping one had its reply counts as at once.
            refused.saturating_duration_since(tripped_at)
        })
        .collect();
    let failures: u64 = seen.iter().map(|c| c.failures).sum();
    let successes: u64 = seen.iter().map(|c| c.successes).sum();
    Round {
        past_trip: failures.saturating_sub(u64::from(TRIP_AFTER)),
        reach,
        rate_per_handle: successes as f64 / HANDLES as f64 / healthy.as_secs_f64(),
        round_trips,
    }
}

/// One caller: a call every `1 / RATE` to a dependency that works until
/// `failing`, until its first refusal (or `deadline`).
async fn call(
    breaker: RedisBreaker<TripSeen>,
    failing: Arc<AtomicBool>,
    deadline: Instant,
) -> Caller {
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / RATE);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut caller = Caller::default();
    while Instant::now() < deadline {
        ticks.tick().await;
        match breaker.try_acquire().await {
            Ok(ticket) => {
                let outcome = if failing.load(Ordering::SeqCst) {
                    caller.failures += 1;
                    Outcome::Failure
                } else {
                    caller.successes += 1;
                    Outcome::Success
                };
                breaker.record(ticket, outcome).await;
            }
            Err(rejected) => {
                assert!(
                    failing.load(Ordering::SeqCst),
                    "refused while the dependency works: {rejected}"
                );
                caller.refused_at = Some(Instant::now());
                break;
            }
        }
    }
    caller
}

/// One script call's round trip (a read of the state), timed every
/// `PROBE_EVERY` while the dependency works.
async fn time_round_trips(
    breaker: RedisBreaker<TripSeen>,
    failing: Arc<AtomicBool>,
) -> Vec<Duration> {
    let mut times = Vec::new();
    while !failing.load(Ordering::SeqCst) {
        let started = Instant::now();
        breaker.state().await;
        times.push(started.elapsed());
        tokio::time::sleep(PROBE_EVERY).await;
    }
    times
}
