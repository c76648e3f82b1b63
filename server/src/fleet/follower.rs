//! One task per server follows the shared breakers: every breaker re-read
//! the moment its handles publish a change, all of them once a second (the
//! counts, and the open breakers that reached their trial calls without a
//! call to say so). Watchers read its latest snapshot; none of them talks
//! to Redis, so a thousand watchers cost Redis what one does.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use proto::breaker::v1::SharedBreaker;
use tokio::sync::watch;
use tripbreaker_redis::{Changes, Fleet};

use super::convert::shared_breaker;

/// How often every breaker is read again: the counts' pace.
pub(crate) const REFRESH_EVERY: Duration = Duration::from_secs(1);

/// How long after a lost subscription to changes the follower asks again.
const RESUBSCRIBE_AFTER: Duration = Duration::from_secs(1);

/// The shared breakers as last read.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Snapshot {
    /// Whether a first read has answered (until then watchers wait).
    pub(crate) loaded: bool,
    /// Why the last read failed, if it did: the breakers are then the last known.
    pub(crate) problem: Option<String>,
    /// Every breaker, by name.
    pub(crate) breakers: BTreeMap<String, Entry>,
    /// The highest revision given so far: a watcher that sent this
    /// snapshot has sent every entry up to it.
    pub(crate) revision: u64,
}

/// One breaker, and the revision at which it last changed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The breaker as last read.
    pub(crate) breaker: SharedBreaker,
    /// Grows with every change of any breaker: a watcher sends the entries
    /// past the last revision it sent.
    pub(crate) revision: u64,
}

/// Where the follower publishes, and the revision it is at.
struct Publisher {
    sender: watch::Sender<Arc<Snapshot>>,
    revision: u64,
}

/// Starts following `fleet` in a task of its own; it stops when every
/// receiver of the snapshot is gone.
pub(crate) fn start(fleet: Arc<Fleet>) -> watch::Receiver<Arc<Snapshot>> {
    let (sender, receiver) = watch::channel(Arc::new(Snapshot::default()));
    tokio::spawn(follow(
        fleet,
        Publisher {
            sender,
            revision: 0,
        },
    ));
    receiver
}

async fn follow(fleet: Arc<Fleet>, mut publisher: Publisher) {
    let mut changes: Option<Changes> = None;
    let mut resubscribe = tokio::time::Instant::now();
    let mut refresh = tokio::time::interval(REFRESH_EVERY);
    refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if changes.is_none() && tokio::time::Instant::now() >= resubscribe {
            match fleet.changes().await {
                Ok(stream) => changes = Some(stream),
                Err(error) => {
                    tracing::warn!(%error, "cannot follow the shared breakers' changes; reading them every {REFRESH_EVERY:?}");
                    resubscribe = tokio::time::Instant::now() + RESUBSCRIBE_AFTER;
                }
            }
        }
        let changed = async {
            match changes.as_mut() {
                Some(stream) => stream.next().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = publisher.sender.closed() => break,
            _ = refresh.tick() => {
                let read = fleet.list().await.map_err(|error| error.to_string());
                publisher.all(read);
            }
            name = changed => match name {
                Some(name) => {
                    let read = fleet.breaker(&name).await.map_err(|error| error.to_string());
                    publisher.one(&name, read);
                }
                None => {
                    tracing::warn!("lost the subscription to the shared breakers' changes");
                    changes = None;
                    resubscribe = tokio::time::Instant::now() + RESUBSCRIBE_AFTER;
                }
            },
        }
    }
}

impl Publisher {
    /// Publishes a read of every breaker.
    fn all(&mut self, read: Result<Vec<tripbreaker_redis::BreakerView>, String>) {
        let revision = &mut self.revision;
        self.sender.send_if_modified(|current| {
            let next = match read {
                Ok(views) => {
                    let breakers = views
                        .iter()
                        .map(|view| {
                            let entry =
                                next_entry(&current.breakers, shared_breaker(view), revision);
                            (view.name.clone(), entry)
                        })
                        .collect();
                    Snapshot {
                        loaded: true,
                        problem: None,
                        breakers,
                        revision: *revision,
                    }
                }
                Err(problem) => failed(current, problem),
            };
            replace(current, next)
        });
    }

    /// Publishes a read of the breaker `name`, which changed.
    fn one(&mut self, name: &str, read: Result<Option<tripbreaker_redis::BreakerView>, String>) {
        let revision = &mut self.revision;
        self.sender.send_if_modified(|current| {
            let mut breakers = current.breakers.clone();
            let next = match read {
                Ok(Some(view)) => {
                    *revision += 1;
                    let entry = Entry {
                        breaker: shared_breaker(&view),
                        revision: *revision,
                    };
                    breakers.insert(name.to_owned(), entry);
                    Snapshot {
                        loaded: current.loaded,
                        problem: None,
                        breakers,
                        revision: *revision,
                    }
                }
                Ok(None) => {
                    breakers.remove(name);
                    Snapshot {
                        loaded: current.loaded,
                        problem: None,
                        breakers,
                        revision: *revision,
                    }
                }
                Err(problem) => failed(current, problem),
            };
            replace(current, next)
        });
    }
}

/// The entry for `breaker` as read now: a new revision only when something
/// besides the times left changed (those tick every read; the page counts
/// them down itself).
fn next_entry(
    known: &BTreeMap<String, Entry>,
    breaker: SharedBreaker,
    revision: &mut u64,
) -> Entry {
    match known.get(&breaker.name) {
        Some(entry) if without_times(&entry.breaker) == without_times(&breaker) => Entry {
            breaker,
            revision: entry.revision,
        },
        _ => {
            *revision += 1;
            Entry {
                breaker,
                revision: *revision,
            }
        }
    }
}

/// `breaker` without the times left, which change on every read.
fn without_times(breaker: &SharedBreaker) -> SharedBreaker {
    let mut breaker = breaker.clone();
    breaker.open_remaining_ms = 0;
    if let Some(forced) = breaker.forced.as_mut() {
        forced.remaining_ms = 0;
    }
    breaker
}

/// The snapshot after a failed read: the breakers last known, and why.
fn failed(current: &Snapshot, problem: String) -> Snapshot {
    if current.problem.is_none() {
        tracing::warn!("cannot read the shared breakers: {problem}");
    }
    Snapshot {
        loaded: current.loaded,
        problem: Some(problem),
        breakers: current.breakers.clone(),
        revision: current.revision,
    }
}

/// Puts `next` in place; whether watchers have something new to see.
fn replace(current: &mut Arc<Snapshot>, next: Snapshot) -> bool {
    let modified = **current != next;
    if modified {
        if current.problem.is_some() && next.problem.is_none() {
            tracing::info!("reading the shared breakers again");
        }
        *current = Arc::new(next);
    }
    modified
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::breaker::v1::Forced;

    fn open(remaining_ms: u64, handles_seen: u32) -> SharedBreaker {
        SharedBreaker {
            name: "greeter".into(),
            open_remaining_ms: remaining_ms,
            handles_seen,
            forced: Some(Forced {
                remaining_ms,
                ..Forced::default()
            }),
            ..SharedBreaker::default()
        }
    }

    #[test]
    fn only_a_change_besides_the_times_left_takes_a_new_revision() {
        let mut revision = 0;
        let first = next_entry(&BTreeMap::new(), open(5_000, 1), &mut revision);
        assert_eq!(first.revision, 1);
        let known = BTreeMap::from([("greeter".to_owned(), first)]);
        let ticked = next_entry(&known, open(4_000, 1), &mut revision);
        assert_eq!(
            (ticked.revision, ticked.breaker.open_remaining_ms),
            (1, 4_000)
        );
        let changed = next_entry(&known, open(4_000, 2), &mut revision);
        assert_eq!(changed.revision, 2);
    }
}
