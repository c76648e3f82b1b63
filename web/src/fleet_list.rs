//! The shared breakers as the page holds them: keyed by name, replaced by a
//! snapshot, changed by an update. Plain Rust (the gRPC messages become
//! these types in `fleet.rs`), so it is tested natively.

use tripbreaker::{Counts, State};

/// A way a shared breaker can be forced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Force {
    /// Open: every call is refused.
    Open,
    /// Closed: every call is let through.
    Closed,
}

impl Force {
    /// Its name, as the page's `data-force` gives it: `open`, `closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Force::Open => "open",
            Force::Closed => "closed",
        }
    }

    /// How the page says it: `Forced open`, `Forced closed`.
    pub fn label(self) -> &'static str {
        match self {
            Force::Open => "Forced open",
            Force::Closed => "Forced closed",
        }
    }
}

/// A force in effect on a shared breaker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forced {
    /// Open or closed.
    pub force: Force,
    /// Why, as whoever forced it said.
    pub reason: String,
    /// Until it ends by itself, when the message was received.
    pub remaining_ms: u64,
}

/// One shared breaker as the server last described it.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetBreaker {
    /// The breaker's name, its key in the fleet.
    pub name: String,
    /// The state in force (forced or not): closed, open or half-open.
    pub state: State,
    /// The counts of its current window (no exclusions: the fleet does not
    /// share them).
    pub counts: Counts,
    /// The force in effect, if any.
    pub forced: Option<Forced>,
    /// Handles that used it in the last 10 seconds.
    pub handles_seen: u32,
    /// While open: until it lets its first trial calls through, when the
    /// message was received.
    pub open_remaining_ms: Option<u64>,
    /// When the message was received, in `performance.now()` ms: the times
    /// above count down from here.
    pub received_at_ms: f64,
}

impl FleetBreaker {
    /// The force's time left at `now_ms`, if forced.
    pub fn forced_left_ms(&self, now_ms: f64) -> Option<u64> {
        let forced = self.forced.as_ref()?;
        Some(left_ms(forced.remaining_ms, self.received_at_ms, now_ms))
    }

    /// The time left at `now_ms` until half-open, while open.
    pub fn open_left_ms(&self, now_ms: f64) -> Option<u64> {
        let remaining = self.open_remaining_ms?;
        Some(left_ms(remaining, self.received_at_ms, now_ms))
    }

    /// Whether some time of it counts down (the page then ticks).
    pub fn counts_down(&self) -> bool {
        self.forced.is_some() || self.open_remaining_ms.is_some()
    }
}

/// What was `remaining_ms` at `since_ms`, at `now_ms`: never below zero,
/// and never above what the server said (a clock going back).
fn left_ms(remaining_ms: u64, since_ms: f64, now_ms: f64) -> u64 {
    // `as` saturates: a negative or NaN elapsed time reads as zero.
    let elapsed = (now_ms - since_ms) as u64;
    remaining_ms.saturating_sub(elapsed)
}

/// A change to the shared breakers, as one message of the watch brings it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FleetUpdate {
    /// Whether `breakers` is every breaker: any other one is gone.
    pub snapshot: bool,
    /// The breakers that changed (every one, in a snapshot).
    pub breakers: Vec<FleetBreaker>,
    /// Names of breakers that are gone.
    pub removed: Vec<String>,
}

/// Every shared breaker the page knows of, by name (in name order, so the
/// rows keep their places). A sorted `Vec`: a fleet has a handful of
/// breakers, and a `BTreeMap` costs the page's wasm about 9 KB more.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FleetList {
    breakers: Vec<FleetBreaker>,
}

impl FleetList {
    /// Applies `update`: a snapshot replaces every breaker, any other
    /// update changes or adds its breakers and drops the removed ones.
    pub fn apply(&mut self, update: FleetUpdate) {
        if update.snapshot {
            self.breakers.clear();
        }
        self.breakers
            .retain(|breaker| !update.removed.contains(&breaker.name));
        for breaker in update.breakers {
            self.upsert(breaker);
        }
    }

    /// Changes or adds one breaker, as a force or a release answers it.
    pub fn upsert(&mut self, breaker: FleetBreaker) {
        match self.find(&breaker.name) {
            Ok(at) => self.breakers[at] = breaker,
            Err(at) => self.breakers.insert(at, breaker),
        }
    }

    /// The breaker called `name`, if known.
    pub fn get(&self, name: &str) -> Option<&FleetBreaker> {
        self.find(name).ok().map(|at| &self.breakers[at])
    }

    /// Every name, in order.
    pub fn names(&self) -> Vec<String> {
        self.breakers.iter().map(|b| b.name.clone()).collect()
    }

    /// Whether no breaker is known.
    pub fn is_empty(&self) -> bool {
        self.breakers.is_empty()
    }

    /// Whether some breaker's time counts down.
    pub fn counts_down(&self) -> bool {
        self.breakers.iter().any(FleetBreaker::counts_down)
    }

    /// Where `name` is, or would go.
    fn find(&self, name: &str) -> Result<usize, usize> {
        self.breakers
            .binary_search_by(|breaker| breaker.name.as_str().cmp(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(name: &str, state: State) -> FleetBreaker {
        FleetBreaker {
            name: name.to_owned(),
            state,
            counts: Counts::default(),
            forced: None,
            handles_seen: 1,
            open_remaining_ms: None,
            received_at_ms: 0.0,
        }
    }

    fn update(snapshot: bool, breakers: Vec<FleetBreaker>, removed: &[&str]) -> FleetUpdate {
        FleetUpdate {
            snapshot,
            breakers,
            removed: removed.iter().map(|name| (*name).to_owned()).collect(),
        }
    }

    #[test]
    fn a_snapshot_replaces_every_breaker() {
        let mut list = FleetList::default();
        list.apply(update(false, vec![breaker("old", State::Open)], &[]));
        list.apply(update(
            true,
            vec![breaker("b", State::Closed), breaker("a", State::Open)],
            &[],
        ));
        assert_eq!(list.names(), ["a", "b"]);
        assert_eq!(list.get("a").map(|b| b.state), Some(State::Open));
    }

    #[test]
    fn an_update_changes_adds_and_removes() {
        let mut list = FleetList::default();
        list.apply(update(
            true,
            vec![breaker("a", State::Closed), breaker("b", State::Closed)],
            &[],
        ));
        list.apply(update(
            false,
            vec![breaker("a", State::Open), breaker("c", State::HalfOpen)],
            &["b"],
        ));
        assert_eq!(list.names(), ["a", "c"]);
        assert_eq!(list.get("a").map(|b| b.state), Some(State::Open));
        list.apply(update(false, vec![breaker("b", State::Closed)], &[]));
        assert_eq!(list.names(), ["a", "b", "c"]);
        list.apply(update(false, Vec::new(), &["a", "b", "c", "unknown"]));
        assert!(list.is_empty());
    }

    #[test]
    fn a_name_removed_and_changed_in_one_update_stays() {
        let mut list = FleetList::default();
        list.apply(update(false, vec![breaker("a", State::Open)], &["a"]));
        assert_eq!(list.names(), ["a"]);
    }

    #[test]
    fn times_count_down_from_receipt_and_stop_at_zero() {
        let mut open = breaker("a", State::Open);
        open.received_at_ms = 1_000.0;
        open.open_remaining_ms = Some(5_000);
        open.forced = Some(Forced {
            force: Force::Open,
            reason: "drill".to_owned(),
            remaining_ms: 60_000,
        });
        assert_eq!(open.open_left_ms(1_000.0), Some(5_000));
        assert_eq!(open.open_left_ms(3_500.4), Some(2_500));
        assert_eq!(open.open_left_ms(9_000.0), Some(0));
        assert_eq!(open.forced_left_ms(11_000.0), Some(50_000));
        // A clock read before the message: what the server said.
        assert_eq!(open.open_left_ms(0.0), Some(5_000));
        assert!(open.counts_down());
        let closed = breaker("b", State::Closed);
        assert_eq!(closed.open_left_ms(1.0), None);
        assert_eq!(closed.forced_left_ms(1.0), None);
        assert!(!closed.counts_down());
    }

    #[test]
    fn forces_are_named_as_the_page_says_them() {
        assert_eq!(
            (Force::Open.as_str(), Force::Open.label()),
            ("open", "Forced open")
        );
        assert_eq!(
            (Force::Closed.as_str(), Force::Closed.label()),
            ("closed", "Forced closed")
        );
    }

    #[test]
    fn the_list_counts_down_while_one_breaker_does() {
        let mut list = FleetList::default();
        list.upsert(breaker("a", State::Closed));
        assert!(!list.counts_down());
        let mut open = breaker("b", State::Open);
        open.open_remaining_ms = Some(1);
        list.upsert(open);
        assert!(list.counts_down());
    }
}
