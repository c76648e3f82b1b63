//! A breaker per key, in a fixed number of slots: no allocator, bounded
//! memory, and a rule for which breaker gives way when every slot is taken.

use crate::{CircuitBreaker, Clock, Instant, Observer, Outcome, Rejected, State, Ticket};
use core::fmt;
use core::time::Duration;

/// Up to `N` breakers, one per key, made on a key's first call and kept
/// inline (no allocator): for `no_std` callers that guard a few
/// dependencies each on its own (one per peripheral, peer or method).
///
/// Keys are any `K: PartialEq + Clone` owned in the slot: a `&'static str`,
/// an enum, an integer, or an inline string type. Lookup compares keys one
/// by one, which is the fastest way for the few dozen keys this is for (a
/// hash map needs an allocator or a hasher of its own).
///
/// **When every slot is taken**, a new key takes the slot of the *closed*
/// breaker idle longest (the one whose last call, admitted, refused or
/// finished, is oldest); an open or half-open breaker is never evicted, nor
/// one in a manual state, so no decision to reject is forgotten. When no
/// breaker can go, the call is refused with [`KeyedRejected::Full`]: the
/// safe side, as admitting it unguarded would send calls to a dependency
/// no breaker watches, at the very moment many others are failing. Size `N`
/// for the number of keys that may be failing at once.
///
/// **Idle expiry** ([`with_idle_expiry`](Self::with_idle_expiry)), measured
/// on the set's clock: a closed breaker unused for longer is forgotten, so
/// its key starts afresh and its slot is free. Tickets of a forgotten
/// breaker count nowhere.
///
/// ```
/// use tripbreaker::{CircuitBreaker, KeyedBreakers, KeyedRejected, ManualClock, Outcome, Rejected, Settings, TripRule};
///
/// let clock = ManualClock::new();
/// // Two slots; each key's breaker is named after its key.
/// let mut breakers: KeyedBreakers<&'static str, &ManualClock, 2> =
///     KeyedBreakers::new(&clock, |key, clock| {
///         let settings = Settings { ready_to_trip: TripRule::ConsecutiveFailures(1), ..Settings::new(*key) };
///         CircuitBreaker::new(settings, clock).expect("valid settings")
///     });
///
/// let ticket = breakers.try_acquire(&"sensor")?;
/// breakers.record(ticket, Outcome::Failure); // "sensor" trips
/// assert_eq!(breakers.try_acquire(&"sensor").unwrap_err(), KeyedRejected::Rejected(Rejected::Open));
///
/// let ticket = breakers.try_acquire(&"radio")?; // its own breaker, closed
/// breakers.record(ticket, Outcome::Failure); // "radio" trips too
/// // Both slots hold open breakers: a third key is refused, nothing evicted.
/// assert_eq!(breakers.try_acquire(&"display").unwrap_err(), KeyedRejected::Full);
/// # Ok::<(), KeyedRejected>(())
/// ```
pub struct KeyedBreakers<K, C, const N: usize, O = (), const BUCKETS: usize = 0> {
    clock: C,
    make: fn(&K, C) -> CircuitBreaker<C, O, BUCKETS>,
    idle_expiry: Option<Duration>,
    slots: [Option<Slot<K, C, O, BUCKETS>>; N],
    /// Tells a slot's occupants apart, so a ticket of an evicted breaker is
    /// ignored by the one that took its slot.
    next_serial: u32,
}

struct Slot<K, C, O, const BUCKETS: usize> {
    key: K,
    breaker: CircuitBreaker<C, O, BUCKETS>,
    last_used: Instant,
    serial: u32,
}

/// Proof that a call for one key was admitted, to hand back to
/// [`KeyedBreakers::record`].
#[must_use = "hand the ticket back with `record`, or the half-open slot stays taken"]
#[derive(Debug, PartialEq, Eq)]
pub struct KeyedTicket {
    slot: usize,
    serial: u32,
    ticket: Ticket,
}

/// Why a [`KeyedBreakers`] refused a call. The call was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyedRejected {
    /// The key's breaker refused it.
    Rejected(Rejected),
    /// The key has no breaker and none can make room: every slot holds an
    /// open, half-open or manually set breaker. Displays as
    /// `no room for another circuit breaker`.
    Full,
}

impl fmt::Display for KeyedRejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyedRejected::Rejected(rejected) => rejected.fmt(f),
            KeyedRejected::Full => f.write_str("no room for another circuit breaker"),
        }
    }
}

impl core::error::Error for KeyedRejected {}

impl From<Rejected> for KeyedRejected {
    fn from(rejected: Rejected) -> Self {
        KeyedRejected::Rejected(rejected)
    }
}

impl<K, C, O, const N: usize, const BUCKETS: usize> KeyedBreakers<K, C, N, O, BUCKETS>
where
    K: PartialEq + Clone,
    C: Clock + Clone,
    O: Observer,
{
    /// An empty set reading time from `clock`; `make` builds a key's
    /// breaker on its first call, with its settings and observer, on (a
    /// clone of) that clock.
    pub fn new(clock: C, make: fn(&K, C) -> CircuitBreaker<C, O, BUCKETS>) -> Self {
        KeyedBreakers {
            clock,
            make,
            idle_expiry: None,
            slots: core::array::from_fn(|_| None),
            next_serial: 0,
        }
    }

    /// Forgets a closed breaker unused for longer than `idle`.
    pub fn with_idle_expiry(mut self, idle: Duration) -> Self {
        self.idle_expiry = Some(idle);
        self
    }

    /// Asks `key`'s breaker to admit a call, making the breaker if the key
    /// has none (see the type's docs for what happens when every slot is taken).
    pub fn try_acquire(&mut self, key: &K) -> Result<KeyedTicket, KeyedRejected> {
        let now = self.clock.now();
        let index = match self.find(key) {
            Some(index) if self.is_expired(index, now) => {
                self.fill(index, key, now);
                index
            }
            Some(index) => index,
            None => {
                let index = self.room(now).ok_or(KeyedRejected::Full)?;
                self.fill(index, key, now);
                index
            }
        };
        let slot = self.slots[index].as_mut().expect("found or just filled");
        slot.last_used = now;
        let ticket = slot.breaker.try_acquire()?;
        Ok(KeyedTicket {
            slot: index,
            serial: slot.serial,
            ticket,
        })
    }

    /// Records how an admitted call ended, at the breaker that admitted it;
    /// nothing if that breaker was evicted or forgotten since.
    pub fn record(&mut self, ticket: KeyedTicket, outcome: Outcome) {
        let now = self.clock.now();
        if let Some(slot) = self.slots.get_mut(ticket.slot).and_then(Option::as_mut)
            && slot.serial == ticket.serial
        {
            slot.last_used = now;
            slot.breaker.record(ticket.ticket, outcome);
        }
    }

    /// `key`'s breaker, if it has one (to read its state, or force it).
    pub fn get_mut(&mut self, key: &K) -> Option<&mut CircuitBreaker<C, O, BUCKETS>> {
        let index = self.find(key)?;
        self.slots[index].as_mut().map(|slot| &mut slot.breaker)
    }

    /// How many keys have a breaker.
    pub fn len(&self) -> usize {
        self.slots.iter().flatten().count()
    }

    /// Whether no key has a breaker.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many breakers fit: `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    fn find(&self, key: &K) -> Option<usize> {
        self.slots
            .iter()
            .position(|slot| slot.as_ref().is_some_and(|slot| slot.key == *key))
    }

    /// Whether the breaker in `index` is closed and unused past the idle expiry.
    fn is_expired(&mut self, index: usize, now: Instant) -> bool {
        let Some(idle) = self.idle_expiry else {
            return false;
        };
        self.slots[index].as_mut().is_some_and(|slot| {
            now.saturating_duration_since(slot.last_used) > idle
                && slot.breaker.state() == State::Closed
        })
    }

    /// A slot for a new key: forgets the expired breakers, then takes a free
    /// slot or the one of the closed breaker idle longest. `None`: no room.
    fn room(&mut self, now: Instant) -> Option<usize> {
        for index in 0..N {
            if self.is_expired(index, now) {
                self.slots[index] = None;
            }
        }
        if let Some(free) = self.slots.iter().position(Option::is_none) {
            return Some(free);
        }
        let mut idlest: Option<(usize, Instant)> = None;
        for (index, slot) in self.slots.iter_mut().enumerate() {
            let Some(slot) = slot else { continue };
            if slot.breaker.state() == State::Closed
                && idlest.is_none_or(|(_, since)| slot.last_used < since)
            {
                idlest = Some((index, slot.last_used));
            }
        }
        idlest.map(|(index, _)| index)
    }

    /// Puts a new breaker for `key` in slot `index`.
    fn fill(&mut self, index: usize, key: &K, now: Instant) {
        let serial = self.next_serial;
        self.next_serial = serial.wrapping_add(1);
        self.slots[index] = Some(Slot {
            key: key.clone(),
            breaker: (self.make)(key, self.clock.clone()),
            last_used: now,
            serial,
        });
    }
}

impl<K: fmt::Debug, C, O, const N: usize, const BUCKETS: usize> fmt::Debug
    for KeyedBreakers<K, C, N, O, BUCKETS>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = self.slots.iter().flatten().map(|slot| &slot.key);
        f.debug_struct("KeyedBreakers")
            .field("keys", &DebugList(keys))
            .field("capacity", &N)
            .field("idle_expiry", &self.idle_expiry)
            .finish_non_exhaustive()
    }
}

/// Lists the items of an iterator that is `Clone` without collecting them.
struct DebugList<I>(I);

impl<I: Iterator + Clone> fmt::Debug for DebugList<I>
where
    I::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone()).finish()
    }
}
