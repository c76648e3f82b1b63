//! Each handle tells the store, every few seconds, that it is alive and
//! which breaker it uses, so a [`Fleet`](crate::Fleet) can list the
//! breakers and count the handles on each.

use crate::handle::Inner;
use crate::store::Connection;
use redis::AsyncCommands;
use std::hash::{BuildHasher, Hasher};
use std::sync::Weak;
use std::time::Duration;

/// How often a handle says it is alive: every 2 s (by default; see
/// [`Builder::presence`](crate::Builder::presence)).
pub const DEFAULT_PRESENCE: Duration = Duration::from_secs(2);

/// How long a handle counts as seen after it last said so: 10 s.
pub const HANDLE_SEEN_FOR: Duration = Duration::from_secs(10);

/// The Lua source that records one handle's presence.
const SOURCE: &str = include_str!("presence.lua");

/// The sorted set of a breaker's handles: in the breaker's slot (the same
/// hash tag as its key).
pub(crate) fn handles_key(breaker_key: &str) -> String {
    format!("{breaker_key}:handles")
}

/// The sorted set of a namespace's breaker names, scored with when a handle
/// last used each (store milliseconds).
pub(crate) fn registry_key(namespace: &str) -> String {
    format!("{namespace}:breakers")
}

/// What one handle sends to say it is alive.
pub(crate) struct Presence {
    pub(crate) name: String,
    pub(crate) handles_key: String,
    pub(crate) registry_key: String,
    /// Random, so two processes never share one.
    pub(crate) id: String,
}

impl Presence {
    /// The presence of a new handle on the breaker `name` at `breaker_key`.
    pub(crate) fn new(namespace: &str, name: &str, breaker_key: &str) -> Self {
        // A randomly keyed hasher is std's only source of randomness.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        Presence {
            name: name.to_owned(),
            handles_key: handles_key(breaker_key),
            registry_key: registry_key(namespace),
            id: format!("{:016x}", hasher.finish()),
        }
    }

    /// Says so every `period`, in a task of its own, for as long as a
    /// handle is left. Without a tokio runtime there is nobody to say it.
    pub(crate) fn start<O: Send + 'static>(self, handle: Weak<Inner<O>>, period: Duration) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        runtime.spawn(async move {
            let script = redis::Script::new(SOURCE);
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(inner) = handle.upgrade() else { break };
                let (connection, limit) = (inner.connection.clone(), inner.store_timeout * 20);
                drop(inner);
                match tokio::time::timeout(limit, self.say(&script, connection)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => tracing::debug!(%error, "presence of {}", self.name),
                    Err(_) => tracing::debug!("presence of {}: no answer in {limit:?}", self.name),
                }
            }
        });
    }

    /// One round of presence: this handle in the breaker's set, the
    /// breaker in the namespace's registry (two slots, so two commands).
    async fn say(
        &self,
        script: &redis::Script,
        mut connection: Connection,
    ) -> redis::RedisResult<()> {
        let seen_for = u64::try_from(HANDLE_SEEN_FOR.as_millis()).unwrap_or(u64::MAX);
        let now: i64 = script
            .key(&self.handles_key)
            .arg(&self.id)
            .arg(seen_for)
            .invoke_async(&mut connection)
            .await?;
        connection
            .zadd::<_, _, _, ()>(&self.registry_key, &self.name, now)
            .await
    }
}
