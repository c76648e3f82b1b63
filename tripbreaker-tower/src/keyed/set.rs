//! The breakers of a keyed layer: one per key, at most `capacity` of them.

use super::ObserveKeys;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;
use tripbreaker::{
    CircuitBreaker, Clock, Instant, KeyedRejected, Permit, Settings, SharedBreaker, State, Ticket,
};

/// What a set of breakers is made with.
#[derive(Debug, Clone)]
pub(crate) struct SetConfig<C, O> {
    pub(crate) defaults: Settings,
    pub(crate) overrides: HashMap<Arc<str>, Settings>,
    pub(crate) clock: C,
    pub(crate) observers: O,
    pub(crate) capacity: usize,
    pub(crate) idle_expiry: Option<Duration>,
}

/// The breaker of a key's calls.
pub(crate) type KeyBreaker<C, O> = SharedBreaker<C, <O as ObserveKeys>::Observer>;

/// An admitted call of a key.
pub(crate) type KeyPermit<C, O> = Permit<KeyBreaker<C, O>>;

/// One breaker per key, made on the key's first call. When `capacity`
/// breakers exist, a new key takes the place of the closed one idle
/// longest; open, half-open and manually set ones are never evicted, and
/// with none to evict the new key gets no breaker (its call is refused).
pub(crate) struct BreakerSet<C, O: ObserveKeys> {
    pub(crate) config: SetConfig<C, O>,
    entries: RwLock<Entries<C, O::Observer>>,
}

struct Entries<C, P> {
    map: HashMap<Arc<str>, Entry<C, P>>,
    /// When idle breakers are next looked for (with an idle expiry).
    next_sweep: Instant,
}

struct Entry<C, P> {
    breaker: SharedBreaker<C, P>,
    /// Nanoseconds on the set's clock: a read lock is enough to update it.
    last_used: AtomicU64,
}

impl<C: Clock + Clone, O: ObserveKeys> BreakerSet<C, O> {
    pub(crate) fn new(config: SetConfig<C, O>) -> Self {
        BreakerSet {
            entries: RwLock::new(Entries {
                map: HashMap::with_capacity(config.capacity.min(64)),
                next_sweep: Instant::ZERO,
            }),
            config,
        }
    }

    /// Asks `key`'s breaker, made if it has none, to admit a call.
    #[inline]
    pub(crate) fn acquire(&self, key: &str) -> Result<KeyPermit<C, O>, KeyedRejected> {
        // Without an idle expiry, the time a key was last used matters only
        // once it is known: then the breaker's own reading serves, if it took one.
        let now = self.config.idle_expiry.map(|_| self.config.clock.now());
        {
            let entries = self.read();
            if let Some(entry) = entries.map.get(key)
                && !now.is_some_and(|now| self.idle_too_long(entry, now))
            {
                let admitted = Permit::acquire(entry.breaker.clone());
                let read = match &admitted {
                    Ok(permit) => permit.ticket().and_then(Ticket::admitted_at),
                    Err(_) => None,
                };
                let used = read.or(now).unwrap_or_else(|| self.config.clock.now());
                entry.last_used.store(used.as_nanos(), Ordering::Relaxed);
                return admitted.map_err(KeyedRejected::from);
            }
        }
        let now = now.unwrap_or_else(|| self.config.clock.now());
        let breaker = self.make_room_for(key, now).ok_or(KeyedRejected::Full)?;
        Permit::acquire(breaker).map_err(KeyedRejected::from)
    }

    /// How many keys have a breaker.
    pub(crate) fn len(&self) -> usize {
        self.read().map.len()
    }

    /// `key`'s breaker, if it has one, without making one.
    pub(crate) fn get(&self, key: &str) -> Option<KeyBreaker<C, O>> {
        let entries = self.read();
        entries.map.get(key).map(|entry| entry.breaker.clone())
    }

    // The map is consistent between operations (a panicking observer
    // leaves it whole), so a poisoned lock is taken as it is.
    fn read(&self) -> RwLockReadGuard<'_, Entries<C, O::Observer>> {
        self.entries.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Entries<C, O::Observer>> {
        self.entries.write().unwrap_or_else(PoisonError::into_inner)
    }

    #[cold]
    #[inline(never)]
    fn make_room_for(&self, key: &str, now: Instant) -> Option<KeyBreaker<C, O>> {
        let mut entries = self.write();
        if let Some(entry) = entries.map.get(key) {
            if !self.expired(entry, now) {
                entry.last_used.store(now.as_nanos(), Ordering::Relaxed);
                return Some(entry.breaker.clone());
            }
            entries.map.remove(key);
        }
        // Expired breakers go when a new key comes, at most once per expiry
        // unless the set is full.
        let full = entries.map.len() >= self.config.capacity;
        if let Some(idle) = self.config.idle_expiry
            && (full || now >= entries.next_sweep)
        {
            entries.map.retain(|_, entry| !self.expired(entry, now));
            entries.next_sweep = now.saturating_add(idle);
        }
        if entries.map.len() >= self.config.capacity {
            let idlest = self.idlest_closed(&entries.map)?;
            entries.map.remove(&idlest);
        }
        // Made only once it has room, so its observer hears of no breaker
        // that never was.
        let fresh = self.make(key);
        let entry = Entry {
            breaker: fresh.clone(),
            last_used: AtomicU64::new(now.as_nanos()),
        };
        entries.map.insert(Arc::from(key), entry);
        if entries.map.len() == self.config.capacity {
            // Room for twice the capacity: replacing a key then always
            // rehashes in place, so a full set never allocates again.
            entries.map.reserve(self.config.capacity);
        }
        Some(fresh)
    }

    /// The key of the closed breaker idle longest, if any.
    fn idlest_closed(&self, map: &HashMap<Arc<str>, Entry<C, O::Observer>>) -> Option<Arc<str>> {
        let mut idlest: Option<(&Arc<str>, u64)> = None;
        for (key, entry) in map {
            let last_used = entry.last_used.load(Ordering::Relaxed);
            // Older than the best so far, then closed: most breakers are
            // never asked for their state.
            if idlest.is_none_or(|(_, best)| last_used < best)
                && entry.breaker.state() == State::Closed
            {
                idlest = Some((key, last_used));
            }
        }
        idlest.map(|(key, _)| Arc::clone(key))
    }

    fn idle_too_long(&self, entry: &Entry<C, O::Observer>, now: Instant) -> bool {
        self.config.idle_expiry.is_some_and(|idle| {
            let last_used = Instant::from_nanos(entry.last_used.load(Ordering::Relaxed));
            now.saturating_duration_since(last_used) > idle
        })
    }

    /// Idle past the expiry, and closed: forgotten.
    fn expired(&self, entry: &Entry<C, O::Observer>, now: Instant) -> bool {
        self.idle_too_long(entry, now) && entry.breaker.state() == State::Closed
    }

    fn make(&self, key: &str) -> KeyBreaker<C, O> {
        let settings = *self
            .config
            .overrides
            .get(key)
            .unwrap_or(&self.config.defaults);
        let breaker = CircuitBreaker::new(settings, self.config.clock.clone())
            .expect("settings are checked when the layer is configured")
            .with_observer(self.config.observers.observer(key));
        SharedBreaker::from_breaker(breaker)
    }
}
