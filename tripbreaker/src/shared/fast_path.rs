//! The lock-free path of a `SharedBreaker` that is steadily closed: admitting
//! a call and recording its success each cost one atomic compare-and-swap
//! instead of taking the lock twice.
//!
//! It is open only while the core is in a state where those two steps touch
//! nothing but counters: closed, a fixed window with no interval, no
//! slow-call rule (gobreaker's defaults). What it counts waits in one atomic
//! word and is folded into the core, under the lock, before anything else
//! reads or changes the core; so every reader sees exact counts, and a
//! failure (always taken under the lock) sees every success that came before
//! it. Hand-written because no library offers a counter that is folded into
//! a lock-protected state machine.

use super::sync::{AtomicU64, Ordering};

/// Successes and admissions waiting to be folded, with the generation they
/// belong to and whether the path is open, in one word:
/// `[ generation tag: 23 | open: 1 | admissions: 20 | successes: 20 ]`.
#[derive(Debug, Default)]
pub(super) struct FastPath {
    word: AtomicU64,
    /// The full generation of the tag, written under the lock while closed.
    generation: AtomicU64,
}

const COUNT_BITS: u32 = 20;
const COUNT_MAX: u64 = (1 << COUNT_BITS) - 1;
const ADMISSION: u64 = 1 << COUNT_BITS;
const OPEN: u64 = 1 << (2 * COUNT_BITS);
const TAG_SHIFT: u32 = 2 * COUNT_BITS + 1;
const TAG_MASK: u64 = (1 << (64 - TAG_SHIFT)) - 1;
const COUNTS: u64 = OPEN - 1;

fn tag(generation: u64) -> u64 {
    generation & TAG_MASK
}

/// What was counted on the fast path since the last fold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Pending {
    pub(super) admissions: u32,
    pub(super) successes: u32,
}

impl Pending {
    fn of(word: u64) -> Self {
        Pending {
            admissions: ((word >> COUNT_BITS) & COUNT_MAX) as u32,
            successes: (word & COUNT_MAX) as u32,
        }
    }
}

impl FastPath {
    /// Admits a call if the path is open: the generation it was admitted in.
    #[inline(always)]
    pub(super) fn admit(&self) -> Option<u64> {
        let mut word = self.word.load(Ordering::Acquire);
        loop {
            if word & OPEN == 0 || (word >> COUNT_BITS) & COUNT_MAX == COUNT_MAX {
                return None;
            }
            match self.word.compare_exchange_weak(
                word,
                word + ADMISSION,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(now) => word = now,
            }
        }
        // The generation whose tag the word carried: the latest one at or
        // before the current with that tag (exact unless 2^23 generations
        // passed between the two loads).
        let current = self.generation.load(Ordering::Acquire);
        let behind = current.wrapping_sub(word >> TAG_SHIFT) & TAG_MASK;
        Some(current.wrapping_sub(behind))
    }

    /// Counts a success of a call admitted in `generation`, if the path is
    /// open for that generation; `false` sends it to the lock.
    #[inline(always)]
    pub(super) fn succeed(&self, generation: u64) -> bool {
        let mut word = self.word.load(Ordering::Acquire);
        loop {
            if word & OPEN == 0
                || word >> TAG_SHIFT != tag(generation)
                || self.generation.load(Ordering::Acquire) != generation
                || word & COUNT_MAX == COUNT_MAX
            {
                return false;
            }
            match self.word.compare_exchange_weak(
                word,
                word + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(now) => word = now,
            }
        }
    }

    /// Under the lock: takes what is waiting, leaving the path as it is.
    #[inline]
    pub(super) fn take(&self) -> Pending {
        let word = self.word.load(Ordering::Acquire);
        if word & COUNTS == 0 {
            return Pending::default();
        }
        Pending::of(self.word.fetch_and(!COUNTS, Ordering::AcqRel))
    }

    /// Under the lock: whether the path is open for `generation`.
    #[inline]
    pub(super) fn is_open_for(&self, generation: u64) -> bool {
        let word = self.word.load(Ordering::Acquire);
        word & OPEN != 0 && self.generation.load(Ordering::Acquire) == generation
    }

    /// Under the lock: opens the path for `generation` (or closes it), and
    /// returns what was still waiting, with the generation it was counted in
    /// (`None` if the path was closed).
    pub(super) fn reset(&self, open_for: Option<u64>) -> Option<(u64, Pending)> {
        let was_for = self.generation.load(Ordering::Acquire);
        let word = match open_for {
            Some(generation) => {
                self.generation.store(generation, Ordering::Release);
                OPEN | tag(generation) << TAG_SHIFT
            }
            None => 0,
        };
        let old = self.word.swap(word, Ordering::AcqRel);
        (old & OPEN != 0).then(|| (was_for, Pending::of(old)))
    }
}
