//! The breaker the `shared_state` benchmark shares through Redis, written
//! once for the benchmark and for its `fleet-process` children: a handle
//! with other settings would refuse to share it.

use bench_results::Guard;
use std::time::Duration;
use tripbreaker::{Outcome, Settings, TripRule};
use tripbreaker_redis::{Builder, DEFAULT_SYNC, RedisBreaker, SharedMode};

/// The benchmark's breaker: the Go demo's settings, never tripping, so
/// every call of a throughput run is admitted.
pub fn settings() -> Settings {
    Settings {
        max_requests: 3,
        interval: Duration::from_secs(10),
        timeout: Duration::from_secs(5),
        ready_to_trip: TripRule::ConsecutiveFailures(1_000_000),
        ..Settings::new("bench")
    }
}

/// How the benchmark shares a breaker: exact, or fast with the default
/// sync period ([`DEFAULT_SYNC`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// [`SharedMode::Exact`]: every admission and outcome a script call.
    Exact,
    /// [`SharedMode::Fast`], synced every [`DEFAULT_SYNC`].
    Fast,
}

impl Sharing {
    /// Both, in the order the report shows them.
    pub const BOTH: [Sharing; 2] = [Sharing::Exact, Sharing::Fast];

    /// The handle's mode.
    pub fn mode(self) -> SharedMode {
        match self {
            Sharing::Exact => SharedMode::Exact,
            Sharing::Fast => SharedMode::Fast { sync: DEFAULT_SYNC },
        }
    }

    /// How the report names what a call through it does.
    pub fn guard(self) -> Guard {
        match self {
            Sharing::Exact => Guard::Redis,
            Sharing::Fast => Guard::RedisFast,
        }
    }

    /// Its name on a `fleet-process` command line.
    pub fn arg(self) -> &'static str {
        match self {
            Sharing::Exact => "exact",
            Sharing::Fast => "fast",
        }
    }

    /// The sharing a command line names.
    pub fn from_arg(arg: &str) -> Option<Sharing> {
        Sharing::BOTH.into_iter().find(|s| s.arg() == arg)
    }
}

/// A builder of handles with `settings` shared as `sharing` says, waiting
/// up to 5 s for Redis: long enough never to fall back on a loaded
/// machine, which would measure the local breaker instead.
pub fn builder(settings: Settings, sharing: Sharing) -> Builder {
    RedisBreaker::builder(settings)
        .store_timeout(Duration::from_secs(5))
        .shared_mode(sharing.mode())
}

/// A handle on the benchmark's breaker ([`settings`]) at `url`.
pub fn handle(url: &str, sharing: Sharing) -> RedisBreaker {
    builder(settings(), sharing)
        .connect(url)
        .expect("a valid URL")
}

/// One guarded call that succeeds: admitted, then recorded as a success.
pub async fn guarded_call<O: tripbreaker::Observer + Send + 'static>(breaker: &RedisBreaker<O>) {
    let ticket = breaker
        .try_acquire()
        .await
        .expect("the benchmark's breaker stays closed");
    breaker.record(ticket, Outcome::Success).await;
}

/// Returns once `breaker` calls as it will in steady state: its script
/// loaded and, in fast mode, subscribed to the breaker's changes and
/// admitting by itself (the subscription, made in the background, makes
/// the next call ask Redis once more; a few sync periods cover it).
pub async fn warm_up<O: tripbreaker::Observer + Send + 'static>(
    breaker: &RedisBreaker<O>,
    sharing: Sharing,
) {
    guarded_call(breaker).await;
    if let SharedMode::Fast { sync } = sharing.mode() {
        for _ in 0..3 {
            tokio::time::sleep(sync).await;
            guarded_call(breaker).await;
        }
    }
}

/// [`warm_up`] for each of `handles`, all at once.
pub async fn warm_up_all<O: tripbreaker::Observer + Send + 'static>(
    handles: &[RedisBreaker<O>],
    sharing: Sharing,
) {
    let warming: Vec<_> = handles
        .iter()
        .map(|h| {
            let h = h.clone();
            tokio::spawn(async move { warm_up(&h, sharing).await })
        })
        .collect();
    for warm in warming {
        warm.await.expect("a handle warms up");
    }
}
