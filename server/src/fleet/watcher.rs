//! One watcher's stream: the follower's snapshot first, then what changed
//! since the last update it sent. It holds two snapshots (the latest and
//! the last sent, both shared with the follower) whatever the watcher
//! does: a watcher that reads slowly, or not at all, skips to the latest
//! state instead of queueing updates.

use std::sync::Arc;

use futures_util::Stream;
use proto::breaker::v1::FleetUpdate;
use tokio::sync::{OwnedSemaphorePermit, watch};
use tonic::Status;

use super::follower::Snapshot;

/// What a watcher's stream keeps between two updates.
struct Watcher {
    snapshots: watch::Receiver<Arc<Snapshot>>,
    stopping: watch::Receiver<bool>,
    /// The snapshot the last update came from; `None` before the first.
    sent: Option<Arc<Snapshot>>,
    /// Its place among the watchers, given back when the stream is dropped.
    _permit: OwnedSemaphorePermit,
}

/// The stream of updates for a new watcher; it ends when the server stops,
/// and with `Unavailable` when the shared state cannot be read.
pub(crate) fn updates(
    snapshots: watch::Receiver<Arc<Snapshot>>,
    stopping: watch::Receiver<bool>,
    permit: OwnedSemaphorePermit,
) -> impl Stream<Item = Result<FleetUpdate, Status>> + Send + 'static {
    let watcher = Watcher {
        snapshots,
        stopping,
        sent: None,
        _permit: permit,
    };
    futures_util::stream::unfold(Some(watcher), |watcher| async move {
        let mut watcher = watcher?;
        match watcher.next().await? {
            Ok(update) => Some((Ok(update), Some(watcher))),
            // The last item: the stream ends after it.
            Err(status) => Some((Err(status), None)),
        }
    })
}

impl Watcher {
    /// The next update to send; `None` when the server stops.
    async fn next(&mut self) -> Option<Result<FleetUpdate, Status>> {
        loop {
            let latest = Arc::clone(&self.snapshots.borrow_and_update());
            if let Some(problem) = &latest.problem {
                return Some(Err(Status::unavailable(format!(
                    "the shared state cannot be read: {problem}"
                ))));
            }
            if latest.loaded {
                let update = diff(self.sent.as_deref(), &latest);
                self.sent = Some(latest);
                if let Some(update) = update {
                    return Some(Ok(update));
                }
            }
            tokio::select! {
                changed = self.snapshots.changed() => changed.ok()?,
                _ = self.stopping.wait_for(|stopping| *stopping) => return None,
            }
        }
    }
}

/// What a watcher that saw `sent` must be told to see `latest`: every
/// breaker in a first update, then the breakers of a later revision and
/// the names gone; `None` when nothing it shows changed.
fn diff(sent: Option<&Snapshot>, latest: &Snapshot) -> Option<FleetUpdate> {
    let Some(sent) = sent else {
        return Some(FleetUpdate {
            snapshot: true,
            breakers: latest
                .breakers
                .values()
                .map(|entry| entry.breaker.clone())
                .collect(),
            removed: Vec::new(),
        });
    };
    let breakers: Vec<_> = latest
        .breakers
        .values()
        .filter(|entry| entry.revision > sent.revision)
        .map(|entry| entry.breaker.clone())
        .collect();
    let removed: Vec<_> = sent
        .breakers
        .keys()
        .filter(|name| !latest.breakers.contains_key(*name))
        .cloned()
        .collect();
    (!breakers.is_empty() || !removed.is_empty()).then_some(FleetUpdate {
        snapshot: false,
        breakers,
        removed,
    })
}

#[cfg(test)]
mod tests {
    use super::super::follower::Entry;
    use super::*;
    use proto::breaker::v1::SharedBreaker;

    fn snapshot(entries: &[(&str, u64, u32)]) -> Snapshot {
        Snapshot {
            loaded: true,
            problem: None,
            breakers: entries
                .iter()
                .map(|&(name, revision, handles_seen)| {
                    let breaker = SharedBreaker {
                        name: name.into(),
                        handles_seen,
                        ..SharedBreaker::default()
                    };
                    (name.to_owned(), Entry { breaker, revision })
                })
                .collect(),
            revision: entries
                .iter()
                .map(|&(_, revision, _)| revision)
                .max()
                .unwrap_or(0),
        }
    }

    fn names(update: &FleetUpdate) -> Vec<&str> {
        update
            .breakers
            .iter()
            .map(|breaker| breaker.name.as_str())
            .collect()
    }

    #[test]
    fn the_first_update_is_every_breaker() {
        let update = diff(None, &snapshot(&[("a", 1, 1), ("b", 2, 1)])).expect("an update");
        assert!(update.snapshot);
        assert_eq!(names(&update), ["a", "b"]);
    }

    #[test]
    fn later_updates_carry_what_changed_and_what_is_gone() {
        let sent = snapshot(&[("a", 1, 1), ("b", 2, 1), ("c", 3, 1)]);
        let latest = snapshot(&[("a", 1, 1), ("b", 5, 2), ("d", 4, 1)]);
        let update = diff(Some(&sent), &latest).expect("an update");
        assert!(!update.snapshot);
        assert_eq!(names(&update), ["b", "d"]);
        assert_eq!(update.removed, ["c"]);
        assert_eq!(
            diff(Some(&latest), &latest),
            None,
            "nothing new, nothing sent"
        );
    }
}
