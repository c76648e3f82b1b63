//! The open connections, at most a fixed number. When a new connection
//! finds the table full, the one that has done nothing useful for longest
//! gives way to it, so that no client can hold every slot by opening
//! connections and leaving them silent, trickling or stalled.
//!
//! Which connection gives way, first to last:
//! 1. one with no response in flight (silent, trickling a head, or idle
//!    between requests), the one useful longest ago first;
//! 2. one with responses in flight that has made no progress for
//!    [`STALLED_AFTER`] (a client that stopped reading), the same way.
//!
//! A connection whose responses are all making progress never gives way:
//! when every slot holds one, the new connection waits for a slot to free.
//!
//! Hand-written: tower's and hyper-util's limits make a new connection
//! wait for a slot; none makes an idle one give its slot up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::activity::Activity;

/// How long a connection with responses in flight must have made no
/// progress before it may give way to a new one.
pub const STALLED_AFTER: Duration = Duration::from_secs(1);

/// How often a new connection waiting for a slot looks again for one that
/// could give way (connections become idle or stall without a slot freeing).
const RECHECK_EVERY: Duration = Duration::from_millis(100);

/// The open connections, shared by the accept loop and each connection's task.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    max: usize,
    max_open_files: usize,
    epoch: Instant,
    entries: Mutex<Entries>,
    freed: Notify,
}

#[derive(Debug, Default)]
struct Entries {
    next_id: u64,
    open: HashMap<u64, Arc<Activity>>,
}

/// A connection's place in the table: frees it when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    id: u64,
    activity: Arc<Activity>,
    table: Table,
}

impl Slot {
    /// What the connection in this slot is doing.
    pub(crate) fn activity(&self) -> &Arc<Activity> {
        &self.activity
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let removed = self.table.entries().open.remove(&self.id);
        // A connection that gave way was removed when it was asked to.
        if removed.is_some() {
            self.table.shared.freed.notify_one();
        }
    }
}

impl Table {
    /// A table of at most `max` connections (`max` >= 1), each allowed
    /// `max_open_files` open files.
    pub(crate) fn new(max: usize, max_open_files: usize) -> Self {
        Self {
            shared: Arc::new(Shared {
                max: max.max(1),
                max_open_files,
                epoch: Instant::now(),
                entries: Mutex::new(Entries::default()),
                freed: Notify::new(),
            }),
        }
    }

    /// A slot for a connection just accepted: at once if one is free or a
    /// connection can give way (it is asked to close), else once one frees.
    pub(crate) async fn admit(&self) -> Slot {
        loop {
            if let Some(slot) = self.try_admit() {
                return slot;
            }
            tokio::select! {
                () = self.shared.freed.notified() => {}
                () = tokio::time::sleep(RECHECK_EVERY) => {}
            }
        }
    }

    /// How many connections are open.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries().open.len()
    }

    fn try_admit(&self) -> Option<Slot> {
        let mut entries = self.entries();
        if entries.open.len() >= self.shared.max {
            let id = choose_to_give_way(&entries.open, Instant::now())?;
            let leaving = entries.open.remove(&id).expect("chosen among the open");
            tracing::debug!("the table is full: a connection gives way to a new one");
            leaving.ask_to_give_way();
        }
        let id = entries.next_id;
        entries.next_id += 1;
        let activity = Activity::new(self.shared.epoch, self.shared.max_open_files);
        entries.open.insert(id, Arc::clone(&activity));
        Some(Slot {
            id,
            activity,
            table: self.clone(),
        })
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        // Entries stay consistent whatever panicked: each change is one call.
        self.shared
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The connection that gives way to a new one, by the rules of the
/// [module docs](self); `None` when each is making progress.
fn choose_to_give_way(open: &HashMap<u64, Arc<Activity>>, now: Instant) -> Option<u64> {
    open.iter()
        .filter(|(_, activity)| {
            !activity.is_busy() || now.duration_since(activity.last_useful()) >= STALLED_AFTER
        })
        .min_by_key(|(_, activity)| (activity.is_busy(), activity.last_useful()))
        .map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use bytes::Bytes;
    use futures_util::FutureExt as _;
    use tower::{Layer as _, ServiceExt as _};
    use tower_http::metrics::InFlightRequestsLayer;
    use tower_http::metrics::in_flight_requests::InFlightRequestsCounter;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_full_table_makes_the_longest_idle_give_way() {
        let table = Table::new(2, 1);
        let first = table.admit().await;
        tokio::time::advance(Duration::from_millis(10)).await;
        let second = table.admit().await;
        tokio::time::advance(Duration::from_millis(10)).await;
        second.activity().note_useful();
        tokio::time::advance(Duration::from_millis(10)).await;
        first.activity().note_useful();
        let _third = table.admit().await;
        assert_eq!(table.len(), 2);
        // The second was useful longer ago than the first: it is asked to go.
        tokio::time::timeout(Duration::ZERO, second.activity().asked_to_give_way())
            .await
            .expect("the second connection was asked to give way");
        assert!(
            tokio::time::timeout(Duration::ZERO, first.activity().asked_to_give_way())
                .await
                .is_err()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_connection_gives_way_only_once_stalled() {
        let table = Table::new(1, 1);
        let busy = table.admit().await;
        let in_flight = in_flight(busy.activity().in_flight_counter());
        assert!(busy.activity().is_busy());
        // Making progress: the newcomer waits.
        assert!(
            tokio::time::timeout(STALLED_AFTER / 2, table.admit())
                .await
                .is_err()
        );
        // Stalled for STALLED_AFTER: it gives way.
        let newcomer = tokio::time::timeout(STALLED_AFTER, table.admit()).await;
        assert!(newcomer.is_ok());
        drop(in_flight);
    }

    #[tokio::test(start_paused = true)]
    async fn a_freed_slot_admits_a_waiting_connection() {
        let table = Table::new(1, 1);
        let busy = table.admit().await;
        let in_flight = in_flight(busy.activity().in_flight_counter());
        let waiting = tokio::spawn({
            let table = table.clone();
            async move { table.admit().await }
        });
        tokio::time::advance(Duration::from_millis(500)).await;
        busy.activity().note_useful();
        drop(busy);
        drop(in_flight);
        tokio::time::timeout(Duration::from_millis(50), waiting)
            .await
            .expect("admitted once the slot freed")
            .unwrap();
    }

    /// A response in flight on the connection `counter` counts, until dropped.
    fn in_flight(counter: InFlightRequestsCounter) -> http::Response<impl http_body::Body> {
        let service = InFlightRequestsLayer::new(counter).layer(tower::service_fn(
            |_: http::Request<()>| async {
                Ok::<_, Infallible>(http::Response::new(http_body_util::Empty::<Bytes>::new()))
            },
        ));
        service
            .oneshot(http::Request::new(()))
            .now_or_never()
            .expect("answered at once")
            .unwrap()
    }
}
