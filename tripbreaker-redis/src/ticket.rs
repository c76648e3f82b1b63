//! Proof of admission by a shared breaker or by its local fallback.

use crate::fast::FastTicket;
use crate::script::SharedTicket;
use std::pin::Pin;
use std::sync::Arc;
use tripbreaker::Outcome;

/// Proof that a call was admitted: hand it back to
/// [`RedisBreaker::record`](crate::RedisBreaker::record) with the outcome.
///
/// Dropped without an outcome (a cancelled future, an early return) it
/// counts as excluded, so a half-open slot is never held for ever; dropped
/// by a panic it counts as a failure. Inside a tokio runtime that record is
/// sent in the background; outside one it is lost.
#[must_use = "hand the ticket back with `record`, or it counts as excluded when dropped"]
pub struct Ticket {
    pub(crate) breaker: Arc<dyn Recorder>,
    pub(crate) kind: Option<Kind>,
}

/// Which breaker admitted the call.
#[derive(Debug)]
pub(crate) enum Kind {
    Shared(SharedTicket),
    /// Admitted by a fast handle itself.
    Fast(FastTicket),
    Local(tripbreaker::Ticket),
}

impl Ticket {
    /// Whether the shared breaker admitted the call (rather than the local fallback).
    pub fn is_shared(&self) -> bool {
        matches!(self.kind, Some(Kind::Shared(_) | Kind::Fast(_)))
    }

    /// The generation the call was admitted in, by whichever breaker admitted it.
    pub fn generation(&self) -> u64 {
        match &self.kind {
            Some(Kind::Shared(ticket)) => ticket.generation,
            Some(Kind::Fast(ticket)) => ticket.generation,
            Some(Kind::Local(ticket)) => ticket.generation(),
            None => 0,
        }
    }

    /// Records `outcome` in the breaker that admitted the call.
    pub(crate) fn record(mut self, outcome: Outcome) -> Recording {
        match self.kind.take() {
            Some(kind) => self.breaker.clone().record(kind, outcome),
            None => Box::pin(std::future::ready(())),
        }
    }

    pub(crate) fn take(mut self) -> Option<Kind> {
        self.kind.take()
    }

    /// Whether a handle on the breaker at `key` may record this ticket:
    /// tickets are bound to the shared key, not to one handle.
    pub(crate) fn belongs_to(&self, key: &str) -> bool {
        self.breaker.key() == key
    }
}

/// A recording under way, owning what it needs.
pub(crate) type Recording = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What a ticket needs of its breaker.
pub(crate) trait Recorder: Send + Sync {
    fn key(&self) -> &str;
    /// Records `outcome` (at most one round trip).
    fn record(self: Arc<Self>, kind: Kind, outcome: Outcome) -> Recording;
    /// Records the outcome of a ticket dropped unrecorded, without waiting.
    fn record_dropped(self: Arc<Self>, kind: Kind, outcome: Outcome);
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(kind) = self.kind.take() {
            let outcome = if std::thread::panicking() {
                Outcome::Failure
            } else {
                Outcome::Excluded
            };
            self.breaker.clone().record_dropped(kind, outcome);
        }
    }
}

impl std::fmt::Debug for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticket")
            .field("breaker", &self.breaker.key())
            .field("kind", &self.kind)
            .finish()
    }
}
