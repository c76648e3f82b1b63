//! The shared breakers of a namespace, as an operator sees them: listed,
//! read, watched and steered by name, with no settings of their own.
//!
//! Every handle says every few seconds that it is alive
//! ([`Builder::presence`](crate::Builder::presence)): its id goes in a
//! sorted set beside its breaker's key (`namespace:{name}:handles`, the
//! same slot), and the breaker's name in the namespace's registry
//! (`namespace:breakers`, scored with when it was last said), so a
//! [`Fleet`] finds the breakers without scanning the keyspace (which on a
//! cluster would mean every master). A breaker leaves the list when its
//! key is gone (its idle expiry, or deleted).

pub(crate) mod presence;
mod view;

pub use presence::{DEFAULT_PRESENCE, HANDLE_SEEN_FOR};
pub use view::BreakerView;

use crate::builder::{DEFAULT_IDLE_EXPIRY, DEFAULT_NAMESPACE, DEFAULT_PROBE_INTERVAL, millis};
use crate::error::BuildError;
use crate::force::{self, Force, ForceError, Op, Steering};
use crate::store::Connection;
use futures_util::{Stream, StreamExt};
use redis::AsyncCommands;
use std::pin::Pin;
use std::time::Duration;
use view::Stored;

/// The most breakers [`Fleet::list`] returns: the 1,000 used most recently.
pub const MAX_LISTED: usize = 1000;

/// The longest breaker name a fleet reads or steers, in bytes.
pub const MAX_NAME_LEN: usize = 200;

/// The longest a fleet waits for one answer from the store: 1 s.
pub const FLEET_TIMEOUT: Duration = Duration::from_secs(1);

/// The names of the breakers that changed state (or were forced or
/// released), as their handles publish it; it ends when the subscription is lost.
pub type Changes = Pin<Box<dyn Stream<Item = String> + Send>>;

/// Why a fleet could not read or steer a breaker.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// No handle uses a breaker of this name (none said so lately).
    #[error("no shared breaker is named {0:?}")]
    Unknown(String),
    /// A name that is empty, too long or not printable.
    #[error("a breaker name is 1 to {MAX_NAME_LEN} bytes of printable text: {0}")]
    Name(&'static str),
    /// The force could not be set or ended.
    #[error(transparent)]
    Force(#[from] ForceError),
    /// The store did not answer in time.
    #[error("Redis did not answer within {0:?}")]
    Timeout(Duration),
    /// The store answered with an error, or no node could be subscribed to.
    #[error("Redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// The fleet has no node to subscribe through.
    #[error("no node of the store took a subscription")]
    NoSubscription,
    /// A reply the view script never gives.
    #[error("unexpected reply from the view script: {0}")]
    Reply(String),
}

/// The shared breakers of one namespace on one store.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use tripbreaker_redis::{Fleet, Force};
/// let fleet = Fleet::connect("redis://127.0.0.1:6379")?;
/// for breaker in fleet.list().await? {
///     println!("{}: {} ({} handles)", breaker.name, breaker.state, breaker.handles_seen);
/// }
/// fleet.force("payments", Force::Open, Duration::from_secs(60), "deploy").await?;
/// # Ok(()) }
/// ```
pub struct Fleet {
    connection: Connection,
    /// Where [`Fleet::changes`] subscribes, in turn.
    nodes: Vec<redis::Client>,
    namespace: String,
    registry: String,
    view: redis::Script,
    force: redis::Script,
}

impl Fleet {
    /// The breakers in the default namespace ([`DEFAULT_NAMESPACE`]) of the
    /// store at `url` (`redis://…` or `redis-cluster://…`, as for a
    /// handle). It connects lazily; call it inside a tokio runtime.
    pub fn connect(url: &str) -> Result<Fleet, BuildError> {
        let (connection, nodes) = Connection::open(url, FLEET_TIMEOUT, DEFAULT_PROBE_INTERVAL)?;
        Ok(Fleet {
            connection,
            nodes,
            namespace: DEFAULT_NAMESPACE.to_owned(),
            registry: presence::registry_key(DEFAULT_NAMESPACE),
            view: redis::Script::new(view::SOURCE),
            force: redis::Script::new(force::SOURCE),
        })
    }

    /// The breakers of `namespace` instead (the handles' [`Builder::namespace`](crate::Builder::namespace)).
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self.registry = presence::registry_key(&self.namespace);
        self
    }

    /// The namespace read.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Every breaker a handle said it used (at most [`MAX_LISTED`], the
    /// most recent), as it is now, sorted by name. A name whose key is gone
    /// leaves the registry. One round trip, then one per breaker, all at once.
    pub async fn list(&self) -> Result<Vec<BreakerView>, FleetError> {
        let mut connection = self.connection.clone();
        let last = isize::try_from(MAX_LISTED - 1).unwrap_or(isize::MAX);
        let names: Vec<String> = timed(connection.zrevrange(&self.registry, 0, last)).await??;
        let reads = names.iter().map(|name| self.read(name));
        let mut breakers = Vec::with_capacity(names.len());
        let mut gone = Vec::new();
        for (name, read) in names
            .iter()
            .zip(futures_util::future::join_all(reads).await)
        {
            match read? {
                Some(breaker) => breakers.push(breaker),
                None => gone.push(name),
            }
        }
        if !gone.is_empty() {
            timed(connection.zrem::<_, _, ()>(&self.registry, gone)).await??;
        }
        breakers.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(breakers)
    }

    /// The breaker `name` as it is now; `None` if its key is gone. One round trip.
    pub async fn breaker(&self, name: &str) -> Result<Option<BreakerView>, FleetError> {
        check_name(name)?;
        self.read(name).await
    }

    /// Forces the breaker `name` open or closed for `ttl`, for every handle
    /// on it (see [`RedisBreaker::force`](crate::RedisBreaker::force)), and
    /// reads it back. Only a breaker the registry lists can be forced, so
    /// a caller cannot fill the store with keys of made-up names.
    pub async fn force(
        &self,
        name: &str,
        force: Force,
        ttl: Duration,
        reason: &str,
    ) -> Result<BreakerView, FleetError> {
        self.steer(name, Op::Force(force, ttl, reason)).await
    }

    /// Ends the force on the breaker `name`, if any: its handles go on
    /// closed with fresh counts. Reads it back.
    pub async fn release(&self, name: &str) -> Result<BreakerView, FleetError> {
        self.steer(name, Op::Release).await
    }

    /// Follows the breakers' changes (every state change, force and
    /// release their scripts publish), through the first node that takes
    /// the subscription. On a cluster a publish reaches every node, so one
    /// is enough. The stream ends when the subscription is lost: subscribe again.
    pub async fn changes(&self) -> Result<Changes, FleetError> {
        let pattern = format!("{}:{{*}}:changed", glob_escaped(&self.namespace));
        let prefix = format!("{}:{{", self.namespace);
        let mut last_error = None;
        for node in &self.nodes {
            let subscribed = async {
                let mut pubsub = node.get_async_pubsub().await?;
                pubsub.psubscribe(&pattern).await?;
                Ok::<_, redis::RedisError>(pubsub)
            };
            match timed(subscribed).await {
                Ok(Ok(pubsub)) => {
                    let prefix = prefix.clone();
                    let names = pubsub.into_on_message().filter_map(move |message| {
                        let name = message
                            .get_channel_name()
                            .strip_prefix(&prefix)
                            .and_then(|rest| rest.strip_suffix("}:changed"))
                            .map(str::to_owned);
                        std::future::ready(name)
                    });
                    return Ok(Box::pin(names));
                }
                Ok(Err(error)) => last_error = Some(FleetError::Redis(error)),
                Err(timeout) => last_error = Some(timeout),
            }
        }
        Err(last_error.unwrap_or(FleetError::NoSubscription))
    }

    fn key(&self, name: &str) -> String {
        format!("{}:{{{name}}}", self.namespace)
    }

    async fn read(&self, name: &str) -> Result<Option<BreakerView>, FleetError> {
        let key = self.key(name);
        let mut connection = self.connection.clone();
        let reply = timed(
            self.view
                .key(&key)
                .key(presence::handles_key(&key))
                .arg(millis(HANDLE_SEEN_FOR))
                .invoke_async(&mut connection),
        )
        .await??;
        let stored = Stored::decode(reply).map_err(FleetError::Reply)?;
        Ok(stored.exists.then(|| stored.decide(name)))
    }

    async fn steer(&self, name: &str, op: Op<'_>) -> Result<BreakerView, FleetError> {
        check_name(name)?;
        let mut connection = self.connection.clone();
        let known: Option<f64> = timed(connection.zscore(&self.registry, name)).await??;
        if known.is_none() {
            return Err(FleetError::Unknown(name.to_owned()));
        }
        let key = self.key(name);
        let steering = Steering {
            script: &self.force,
            key: &key,
            now: None,
            expiry_ms: millis(DEFAULT_IDLE_EXPIRY),
            limit: FLEET_TIMEOUT,
        };
        steering.run(connection, op).await?;
        self.read(name)
            .await?
            .ok_or_else(|| FleetError::Unknown(name.to_owned()))
    }
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// Waits at most [`FLEET_TIMEOUT`] for `future`.
async fn timed<T>(future: impl Future<Output = T>) -> Result<T, FleetError> {
    tokio::time::timeout(FLEET_TIMEOUT, future)
        .await
        .map_err(|_| FleetError::Timeout(FLEET_TIMEOUT))
}

/// Whether `name` may be read or steered.
fn check_name(name: &str) -> Result<(), FleetError> {
    if name.is_empty() {
        Err(FleetError::Name("this one is empty"))
    } else if name.len() > MAX_NAME_LEN {
        Err(FleetError::Name("this one is longer"))
    } else if name.chars().any(char::is_control) {
        Err(FleetError::Name("this one has control characters"))
    } else {
        Ok(())
    }
}

/// `text` with Redis' glob characters escaped, to match itself only.
fn glob_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_namespace_matches_only_itself_in_a_pattern() {
        assert_eq!(glob_escaped("breaker"), "breaker");
        assert_eq!(glob_escaped("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }

    #[test]
    fn a_name_is_short_printable_text() {
        assert!(check_name("greeter").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a\nb").is_err());
        assert!(check_name(&"n".repeat(MAX_NAME_LEN + 1)).is_err());
    }
}
