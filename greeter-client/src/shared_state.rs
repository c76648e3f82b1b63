//! Natively, with feature `shared-state`: a breaker shared by every client
//! process through Redis (`tripbreaker_redis`), or the local one, chosen when
//! the program starts. The page never enables it (a browser cannot reach
//! Redis), so its wasm holds no Redis client.

use crate::{Breaker, Error, Guard, Settings, TransitionSink};
use std::future::{Future, ready};
use std::pin::Pin;
use std::time::Duration;
use tripbreaker::{AsyncBreakerRef, Outcome, Permit, Rejected, State};
use tripbreaker_redis::RedisBreaker;

/// The breaker shared through Redis, reporting its transitions to a sink.
pub type RedisGuard = RedisBreaker<TransitionSink>;

/// A breaker shared through the Redis server or cluster at `url`
/// (`redis://host:port`, `redis-cluster://host:port[,host:port…]`), with the breaker settings of `settings`: every
/// process using the same URL shares one breaker named `greeter`. No call
/// waits for Redis longer than `store_timeout`; while Redis does not
/// answer the handle decides with a local breaker and says so once in the
/// log. `mode` is exact (Redis decides every call) or fast (closed calls
/// admitted here and synced, see `tripbreaker_redis::SharedMode`).
/// Connects on first use, so Redis may be down now. Needs a tokio runtime.
pub fn redis_breaker(
    url: &str,
    settings: &Settings,
    store_timeout: Duration,
    mode: tripbreaker_redis::SharedMode,
    on_transition: TransitionSink,
) -> Result<RedisGuard, Error> {
    RedisBreaker::builder(settings.breaker_settings())
        .store_timeout(store_timeout)
        .shared_mode(mode)
        .observer(on_transition)
        .connect(url)
        .map_err(|error| Error::SharedState(error.to_string()))
}

/// Reads a `--shared-state` value: a Redis URL (`redis://host[:port][/db]`)
/// or a Redis Cluster URL (`redis-cluster://host:port[,host:port…]`).
///
/// ```
/// use greeter_client::parse_redis_url;
/// assert!(parse_redis_url("redis://127.0.0.1:6379").is_ok());
/// assert!(parse_redis_url("redis-cluster://10.0.0.1:7000,10.0.0.2:7000").is_ok());
/// assert!(parse_redis_url("127.0.0.1:6379").is_err());
/// let error = parse_redis_url("redis-cluster://10.0.0.1:7000,").unwrap_err();
/// assert!(error.contains("node 2 of 2 is empty"), "{error}");
/// ```
pub fn parse_redis_url(url: &str) -> Result<String, String> {
    let shown = redis_url_for_logs(url);
    match tripbreaker_redis::check_url(url) {
        Ok(()) => Ok(url.to_owned()),
        // A cluster URL says what is wrong with it (a node, the path).
        Err(error @ tripbreaker_redis::BuildError::ClusterUrl(_)) => {
            Err(format!("`{shown}` is not a Redis Cluster URL: {error}"))
        }
        Err(_) => Err(format!(
            "`{shown}` is not a Redis URL: expected redis://host[:port][/db], e.g. \
             redis://127.0.0.1:6379, or redis-cluster://host:port[,host:port…]"
        )),
    }
}

/// `url` fit for a log: a password in it (`redis://user:secret@host`) is
/// replaced by `***`.
///
/// ```
/// use greeter_client::redis_url_for_logs;
/// assert_eq!(redis_url_for_logs("redis://:secret@10.0.0.5:6379/1"), "redis://:***@10.0.0.5:6379/1");
/// assert_eq!(redis_url_for_logs("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
/// ```
pub fn redis_url_for_logs(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split_once(':').map_or("", |(user, _)| user);
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

/// The breaker chosen when the program starts: the local one, or one shared
/// through Redis.
#[derive(Clone, Debug)]
pub enum ChosenBreaker {
    /// This process's own breaker.
    Local(Breaker),
    /// One breaker shared by every process on the same Redis.
    Shared(RedisGuard),
}

/// The ticket of a call the chosen breaker admitted.
#[derive(Debug)]
pub enum ChosenTicket {
    /// Admitted by the local breaker.
    Local(Permit<Breaker>),
    /// Admitted by the shared one (or its local fallback).
    Shared(tripbreaker_redis::Ticket),
}

type Boxed<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl AsyncBreakerRef for ChosenBreaker {
    type Ticket = ChosenTicket;
    type Acquire = Boxed<Result<ChosenTicket, Rejected>>;
    type Record = Boxed<()>;

    fn acquire(&self) -> Self::Acquire {
        match self {
            ChosenBreaker::Local(local) => Box::pin(ready(
                Permit::acquire(local.clone()).map(ChosenTicket::Local),
            )),
            ChosenBreaker::Shared(shared) => {
                let admission = shared.acquire();
                Box::pin(async move { admission.await.map(ChosenTicket::Shared) })
            }
        }
    }

    fn record(ticket: ChosenTicket, outcome: Outcome) -> Self::Record {
        match ticket {
            ChosenTicket::Local(permit) => {
                permit.record(outcome);
                Box::pin(ready(()))
            }
            ChosenTicket::Shared(ticket) => {
                <RedisGuard as AsyncBreakerRef>::record(ticket, outcome)
            }
        }
    }
}

impl Guard for ChosenBreaker {
    async fn state(&self) -> State {
        match self {
            ChosenBreaker::Local(local) => Guard::state(local).await,
            ChosenBreaker::Shared(shared) => shared.state().await,
        }
    }

    async fn time_to_next_transition(&self) -> Option<Duration> {
        match self {
            ChosenBreaker::Local(local) => Guard::time_to_next_transition(local).await,
            ChosenBreaker::Shared(shared) => shared.time_to_next_transition().await,
        }
    }
}
