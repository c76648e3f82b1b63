//! Proof of admission, bound to the breaker and the generation that issued it.

use crate::Instant;
use crate::window::Age;

/// Proof that a call was admitted, to hand back with its outcome to
/// [`CircuitBreaker::record`](crate::CircuitBreaker::record) or
/// [`CircuitBreaker::cancel`](crate::CircuitBreaker::cancel).
///
/// A ticket only counts at the breaker that issued it, and only in the
/// generation it was issued in: handed to another breaker, or back after the
/// state changed or the closed interval ended, it changes nothing.
#[must_use = "hand the ticket back with `record` or `cancel`, or the half-open slot stays taken"]
#[derive(Debug, PartialEq, Eq)]
pub struct Ticket {
    pub(crate) breaker: BreakerId,
    pub(crate) generation: u64,
    pub(crate) age: Age,
    pub(crate) admitted_at: Option<Instant>,
}

impl Ticket {
    /// When the call was admitted, on the breaker's clock; `None` when the
    /// breaker had no need to read its clock (closed, no interval, no
    /// slow-call rule), so it never pays for a clock read it does not use.
    pub fn admitted_at(&self) -> Option<Instant> {
        self.admitted_at
    }

    /// The generation the call was admitted in.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// Which breaker issued a ticket: a number unique among the breakers of a
/// process (it wraps after 2^32 breakers). On targets without 32-bit atomic
/// read-modify-write every breaker is number 0, and a foreign ticket is
/// caught only by its generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BreakerId(u32);

impl BreakerId {
    pub(crate) fn next() -> Self {
        #[cfg(target_has_atomic = "32")]
        {
            use core::sync::atomic::{AtomicU32, Ordering};
            static NEXT: AtomicU32 = AtomicU32::new(0);
            BreakerId(NEXT.fetch_add(1, Ordering::Relaxed))
        }
        #[cfg(not(target_has_atomic = "32"))]
        {
            BreakerId(0)
        }
    }
}
