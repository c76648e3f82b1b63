//! The settings gobreaker does not have (backoff of the open timeout, the
//! longest half-open wait, the slow-call rule, failure-rate rules over
//! rolling windows) are not in the recorded vectors: here random runs of
//! them are replayed on the core and on two Redis handles taking turns,
//! and every step must agree.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::redis_server::RedisServer;
use tripbreaker::{
    Backoff, CircuitBreaker, ManualClock, Outcome, Rejected, Settings, Transition, TripRule,
};
use tripbreaker_redis::{RedisBreaker, Ticket};

const RUNS: u64 = 150;
const STEPS: usize = 80;

/// A small deterministic generator (xorshift64*), so a failure replays.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// Every field of every transition: states, time, reason and counts.
type Log = Arc<Mutex<Vec<Transition>>>;

fn recorder(log: &Log) -> impl FnMut(&str, Transition) + Send + 'static {
    let log = log.clone();
    move |_: &str, t: Transition| log.lock().unwrap().push(t)
}

fn settings(random: &mut Random) -> Settings {
    let ms = |n: u64| Duration::from_millis(n);
    let interval = [0, 100, 300][random.below(3) as usize];
    Settings {
        max_requests: random.below(4) as u32,
        interval: ms(interval),
        bucket_period: if interval > 0 && random.below(2) == 0 {
            ms(50)
        } else {
            Duration::ZERO
        },
        timeout: ms(50 + random.below(200)),
        ready_to_trip: if random.below(2) == 0 {
            TripRule::ConsecutiveFailures(1 + random.below(3) as u32)
        } else {
            TripRule::FailureRate {
                min_requests: 1 + random.below(4) as u32,
                ratio: 0.5,
            }
        },
        slow_call: (random.below(2) == 0).then(|| ms(30)),
        backoff: (random.below(2) == 0).then(|| Backoff {
            multiplier: 2,
            max_timeout: ms(600),
        }),
        max_half_open_wait: (random.below(2) == 0).then(|| ms(120)),
        ..Settings::new("extras")
    }
}

fn rejection<T>(result: &Result<T, Rejected>) -> Option<Rejected> {
    result.as_ref().err().copied()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extras_match_the_core_across_handles() {
    let server = RedisServer::start();
    for run in 0..RUNS {
        let mut random = Random(0x9E37_79B9_7F4A_7C15 ^ (run + 1));
        let settings = settings(&mut random);
        let clock = Arc::new(ManualClock::new());
        let (core_log, shared_log) = (Log::default(), Log::default());
        let mut core = CircuitBreaker::<_, _, 64>::new_rolling(settings, clock.clone())
            .unwrap()
            .with_observer(recorder(&core_log));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                RedisBreaker::builder(settings)
                    .namespace(format!("extras-{run}"))
                    .store_timeout(Duration::from_secs(10))
                    .manual_clock(clock.clone())
                    .observer(recorder(&shared_log))
                    .connect(&server.url())
                    .unwrap()
            })
            .collect();
        handles[0].snapshot().await; // the shared breaker begins at time 0, as the core does
        let mut tickets: Vec<(tripbreaker::Ticket, Ticket)> = Vec::new();
        for step in 0..STEPS {
            let handle = &handles[step % 2];
            let context = || format!("run {run} step {step} settings {settings:?}");
            match random.below(4) {
                0 => clock.advance(Duration::from_millis(random.below(160))),
                1 => {
                    let (local, shared) = (core.try_acquire(), handle.try_acquire().await);
                    assert_eq!(rejection(&local), rejection(&shared), "{}", context());
                    if let (Ok(local), Ok(shared)) = (local, shared) {
                        tickets.push((local, shared));
                    }
                }
                _ if !tickets.is_empty() => {
                    let (local, shared) =
                        tickets.swap_remove(random.below(tickets.len() as u64) as usize);
                    let outcome = [Outcome::Success, Outcome::Failure, Outcome::Excluded]
                        [random.below(3) as usize];
                    core.record(local, outcome);
                    handle.record(shared, outcome).await;
                }
                _ => {}
            }
            let (state, counts) = handle.snapshot().await;
            assert_eq!(
                (core.state(), core.counts()),
                (state, counts),
                "{}",
                context()
            );
            let expected = std::mem::take(&mut *core_log.lock().unwrap());
            assert_eq!(
                expected,
                std::mem::take(&mut *shared_log.lock().unwrap()),
                "{}",
                context()
            );
        }
        for (local, shared) in tickets {
            core.record(local, Outcome::Excluded);
            handles[0].record(shared, Outcome::Excluded).await;
        }
    }
}
