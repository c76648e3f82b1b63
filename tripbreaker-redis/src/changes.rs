//! Fast mode's push: every script run that changes the state (and every
//! force set or released) publishes on `<key>:changed`; a fast handle
//! subscribed there stops admitting by itself at once, so its next call
//! asks Redis, one message after the change instead of one sync period.

use crate::handle::{Inner, late_answer_limit};
use futures_util::StreamExt;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tripbreaker::Observer;

/// The channel a breaker's changes are published on (`breaker.lua`,
/// `force.lua`); in a cluster, a publish reaches the subscribers of every node.
pub(crate) fn channel(key: &str) -> String {
    format!("{key}:changed")
}

impl<O: Observer + Send + 'static> Inner<O> {
    /// Listens for changes in a task of its own, for as long as a handle is
    /// left, through the first of `nodes` that answers (in turn, again each
    /// `retry` after a lost subscription).
    pub(crate) fn start_listening(self: &Arc<Self>, nodes: Vec<redis::Client>, retry: Duration) {
        let handle = Arc::downgrade(self);
        let limit = late_answer_limit(self.store_timeout);
        let channel = channel(&self.key);
        tokio::spawn(async move {
            for node in nodes.iter().cycle() {
                if handle.strong_count() == 0 {
                    return;
                }
                match listen(node, &channel, &handle, limit, retry).await {
                    Ok(()) => return,
                    Err(error) => tracing::debug!(%error, "no subscription to {channel}"),
                }
                tokio::time::sleep(retry).await;
            }
        });
    }

    /// A change was published: stop admitting in a generation that is over
    /// (`epoch:generation` is the state's after the change; `force` a
    /// force set or ended).
    fn on_change(&self, payload: &[u8]) {
        let mut window = self.window.lock();
        if let Some(w) = *window
            && payload != format!("{}:{}", w.epoch, w.generation).as_bytes()
        {
            *window = None;
        }
    }
}

/// Subscribes through `node` and follows its messages: `Ok` once no handle
/// is left, `Err` when the subscription fails or ends.
async fn listen<O: Observer + Send + 'static>(
    node: &redis::Client,
    channel: &str,
    handle: &Weak<Inner<O>>,
    limit: Duration,
    check_every: Duration,
) -> redis::RedisResult<()> {
    let timed_out = || redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::TimedOut));
    let mut pubsub = tokio::time::timeout(limit, node.get_async_pubsub())
        .await
        .map_err(|_| timed_out())??;
    tokio::time::timeout(limit, pubsub.subscribe(channel))
        .await
        .map_err(|_| timed_out())??;
    // A change may have come while nobody listened: ask Redis at the next call.
    match handle.upgrade() {
        Some(inner) => *inner.window.lock() = None,
        None => return Ok(()),
    }
    let mut messages = pubsub.on_message();
    loop {
        let message = match tokio::time::timeout(check_every, messages.next()).await {
            Ok(Some(message)) => message,
            Ok(None) => {
                return Err(redis::RedisError::from(std::io::Error::from(
                    std::io::ErrorKind::ConnectionReset,
                )));
            }
            Err(_) if handle.strong_count() == 0 => return Ok(()),
            Err(_) => continue,
        };
        match handle.upgrade() {
            Some(inner) => inner.on_change(message.get_payload_bytes()),
            None => return Ok(()),
        }
    }
}
