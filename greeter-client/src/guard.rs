//! What a [`Greeter`](crate::Greeter) needs of its breaker: admission
//! through the layer, and its state and next transition for the caller.

use crate::Breaker;
use std::future::Future;
use std::time::Duration;
use tripbreaker::{AsyncBreakerRef, SharedBreaker, State};

/// A breaker a [`Greeter`](crate::Greeter) can call through: the local
/// [`Breaker`] (its answers ready at once), or natively one shared by many
/// processes (`ChosenBreaker`, feature `shared-state`).
///
/// What it admits travels with the response body, which tonic sends
/// between threads, so tickets and recordings are `Send`.
pub trait Guard:
    AsyncBreakerRef<Ticket: Send + 'static, Acquire: Send + 'static, Record: Send + 'static>
    + Clone
    + Send
    + Sync
    + 'static
{
    /// The state now, applying a transition that is due.
    fn state(&self) -> impl Future<Output = State>;

    /// How long until the state changes by itself; `None` if it will not.
    fn time_to_next_transition(&self) -> impl Future<Output = Option<Duration>>;
}

impl Guard for Breaker {
    async fn state(&self) -> State {
        SharedBreaker::state(self)
    }

    async fn time_to_next_transition(&self) -> Option<Duration> {
        SharedBreaker::time_to_next_transition(self)
    }
}
