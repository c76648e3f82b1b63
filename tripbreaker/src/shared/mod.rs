//! A thread-safe, cloneable handle to one breaker, whose observer runs
//! outside the breaker's lock.

mod fast_path;
mod sync;

use crate::ticket::BreakerId;
use crate::{
    BreakerRef, CallDetail, CallError, CallReport, CircuitBreaker, Classify, Clock, Counts,
    ErrorIsFailure, Instant, Observer, Outcome, Permit, Rejected, Settings, SettingsError, State,
    Ticket, Transition,
};
use fast_path::{FastPath, Pending};
use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use sync::Mutex;

/// A breaker shared between threads and tasks: clones are handles to the
/// same breaker. Works everywhere `std` does, including the browser (with
/// `BrowserClock`).
///
/// The observer is called after the breaker's lock is released, one
/// transition at a time and in order, so it may call back into the same
/// breaker (read its state, even record a call): that never deadlocks, and
/// a transition it causes is delivered as soon as it returns. A panicking
/// observer leaves the breaker usable. An observer that asks to hear of
/// calls ([`Observer::CALL_DETAIL`]) is told of each under the breaker's
/// lock (or, while it is busy with a transition, just after), and every
/// call then takes the lock.
///
/// ```
/// use tripbreaker::{MonotonicClock, Outcome, Settings, SharedBreaker, State};
///
/// let breaker = SharedBreaker::new(Settings::new("native"), MonotonicClock::new()).unwrap();
///
/// // Two steps: acquire, then record.
/// let permit = breaker.acquire().expect("a closed breaker admits");
/// permit.record(Outcome::Success);
///
/// // One call, not async: run, classify (Err is a failure), record.
/// let reply = breaker.execute(|| Ok::<_, std::io::Error>("Hello World"));
/// assert_eq!(reply.unwrap(), "Hello World");
///
/// // One call, async.
/// let reply = futures_executor::block_on(
///     breaker.call(|| async { Ok::<_, std::io::Error>("Hello World") }),
/// );
/// assert_eq!(reply.unwrap(), "Hello World");
/// assert_eq!(breaker.state(), State::Closed);
/// assert_eq!(breaker.counts().total_successes, 3);
/// ```
pub struct SharedBreaker<C, O = (), const BUCKETS: usize = 0> {
    inner: Arc<Inner<C, O, BUCKETS>>,
}

struct Inner<C, O, const BUCKETS: usize> {
    breaker: Mutex<CircuitBreaker<C, Queue<O>, BUCKETS>>,
    fast: FastPath,
    observer: Arc<Mutex<O>>,
    name: &'static str,
    id: BreakerId,
}

/// What waits for the observer, in the order it happened.
#[derive(Debug, Clone, Copy)]
enum Event {
    Transition(Transition),
    Call(CallReport),
}

/// The core's observer inside a `SharedBreaker`: it queues transitions for
/// delivery after the lock is released, and hands calls to the observer at
/// once unless something is queued before them or the observer is busy.
struct Queue<O> {
    waiting: VecDeque<Event>,
    observer: Arc<Mutex<O>>,
}

impl<O: Observer> Observer for Queue<O> {
    const CALL_DETAIL: CallDetail = O::CALL_DETAIL;

    fn on_transition(&mut self, _name: &str, transition: Transition) {
        self.waiting.push_back(Event::Transition(transition));
    }

    #[inline]
    fn on_call(&mut self, name: &str, call: CallReport) {
        // Busy: the holder delivers what is queued before it lets go (or,
        // if it is this thread's observer calling back in, when it returns).
        if self.waiting.is_empty()
            && let Some(mut observer) = self.observer.try_lock()
        {
            observer.on_call(name, call);
            return;
        }
        self.waiting.push_back(Event::Call(call));
    }
}

impl<C: Clock> SharedBreaker<C> {
    /// A shared closed breaker with these settings and clock, for a fixed
    /// window (see [`CircuitBreaker::new`]).
    pub fn new(settings: Settings, clock: C) -> Result<Self, SettingsError> {
        Ok(Self::from_breaker(CircuitBreaker::new(settings, clock)?))
    }
}

impl<C: Clock, O: Observer, const BUCKETS: usize> SharedBreaker<C, O, BUCKETS> {
    /// Shares an existing breaker (for example one given an observer, or
    /// one made by [`CircuitBreaker::new_rolling`]).
    pub fn from_breaker(breaker: CircuitBreaker<C, O, BUCKETS>) -> Self {
        let (name, id) = (breaker.name(), breaker.id());
        let (breaker, observer) = breaker.replace_observer(());
        let observer = Arc::new(Mutex::new(observer));
        let queue = Queue {
            waiting: VecDeque::new(),
            observer: Arc::clone(&observer),
        };
        let (breaker, ()) = breaker.replace_observer(queue);
        let fast = FastPath::default();
        fast.reset(breaker.counting_only());
        SharedBreaker {
            inner: Arc::new(Inner {
                breaker: Mutex::new(breaker),
                fast,
                observer,
                name,
                id,
            }),
        }
    }

    /// Asks to make a call; the permit borrows this handle.
    #[inline]
    pub fn acquire(&self) -> Result<Permit<&Self>, Rejected> {
        Permit::acquire(self)
    }

    /// Asks to make a call; the permit holds its own handle, so it can be
    /// moved into a `'static` task or a response body.
    pub fn acquire_owned(&self) -> Result<Permit<Self>, Rejected> {
        Permit::acquire(self.clone())
    }

    /// Makes `make_call()` through the breaker, counting every `Err` as a
    /// failure (see [`crate::execute`]): for code that is not async.
    pub fn execute<F, T, E>(&self, make_call: F) -> Result<T, CallError<E>>
    where
        F: FnOnce() -> Result<T, E>,
    {
        crate::execute(self, make_call, ErrorIsFailure)
    }

    /// Makes `make_call()` through the breaker, classifying its result with
    /// `classify` (see [`crate::execute`]).
    pub fn execute_with<F, T, E, K>(&self, make_call: F, classify: K) -> Result<T, CallError<E>>
    where
        F: FnOnce() -> Result<T, E>,
        K: Classify<T, E>,
    {
        crate::execute(self, make_call, classify)
    }

    /// Makes `make_call()` through the breaker and awaits it, counting every
    /// `Err` as a failure (see [`crate::call`]).
    pub async fn call<F, Fut, T, E>(&self, make_call: F) -> Result<T, CallError<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        crate::call(self, make_call, ErrorIsFailure).await
    }

    /// Makes `make_call()` through the breaker and awaits it, classifying
    /// its result with `classify` (see [`crate::call`]).
    pub async fn call_with<F, Fut, T, E, K>(
        &self,
        make_call: F,
        classify: K,
    ) -> Result<T, CallError<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        K: Classify<T, E>,
    {
        crate::call(self, make_call, classify).await
    }

    /// The current state, applying any transition that is due.
    pub fn state(&self) -> State {
        self.with(|b| b.state())
    }

    /// The current counts, after applying any transition that is due.
    pub fn counts(&self) -> Counts {
        self.with(|b| {
            b.state();
            b.counts()
        })
    }

    /// When the state will change by itself (see
    /// [`CircuitBreaker::next_transition_at`]).
    pub fn next_transition_at(&self) -> Option<Instant> {
        self.with(|b| {
            b.state();
            b.next_transition_at()
        })
    }

    /// How long until the state changes by itself (see
    /// [`CircuitBreaker::time_to_next_transition`]).
    pub fn time_to_next_transition(&self) -> Option<Duration> {
        self.with(|b| {
            b.state();
            b.time_to_next_transition()
        })
    }

    /// The breaker's name.
    pub fn name(&self) -> &'static str {
        self.inner.name
    }

    /// Forces the breaker open until [`release`](Self::release).
    pub fn force_open(&self) {
        self.with(|b| b.force_open())
    }

    /// Forces the breaker closed until [`release`](Self::release).
    pub fn force_closed(&self) {
        self.with(|b| b.force_closed())
    }

    /// Switches the breaker off until [`release`](Self::release).
    pub fn disable(&self) {
        self.with(|b| b.disable())
    }

    /// Ends a manual override: closed and automatic again.
    pub fn release(&self) {
        self.with(|b| b.release())
    }

    /// Runs `f` on the breaker under its lock, with what the fast path
    /// counted folded in first; then opens or closes the fast path for the
    /// state `f` left; then, with the lock released, hands the observer
    /// whatever transitions are waiting.
    #[inline]
    fn with<R>(&self, f: impl FnOnce(&mut CircuitBreaker<C, Queue<O>, BUCKETS>) -> R) -> R {
        let (result, waiting) = {
            // The lock is not poisoned by a panic: the breaker is consistent
            // between operations, so it stays usable.
            let mut breaker = self.inner.breaker.lock();
            let fast = &self.inner.fast;
            absorb(&mut breaker, fast.take());
            let result = f(&mut breaker);
            match breaker.counting_only() {
                Some(generation) if fast.is_open_for(generation) => {}
                counting => {
                    // Counted while `f` ran: still current if `f` kept the
                    // generation; otherwise calls of a generation that ended.
                    if let Some((generation, left)) = fast.reset(counting)
                        && generation == breaker.generation()
                    {
                        absorb(&mut breaker, left);
                    }
                }
            }
            (result, !breaker.observer().waiting.is_empty())
        };
        if waiting {
            self.deliver();
        }
        result
    }

    /// Hands waiting transitions to the observer, unless another caller (on
    /// another thread, or up this thread's stack: an observer that called
    /// back in) is already doing so; that one delivers ours too.
    #[cold]
    #[inline(never)]
    fn deliver(&self) {
        loop {
            let Some(mut observer) = self.inner.observer.try_lock() else {
                return;
            };
            while let Some(event) = self.next_waiting() {
                match event {
                    Event::Transition(t) => observer.on_transition(self.inner.name, t),
                    Event::Call(call) => observer.on_call(self.inner.name, call),
                }
            }
            drop(observer);
            // A transition queued after our last look, by a caller that found
            // the observer busy, is ours to deliver.
            if self.inner.breaker.lock().observer().waiting.is_empty() {
                return;
            }
        }
    }

    fn next_waiting(&self) -> Option<Event> {
        self.inner.breaker.lock().observer_mut().waiting.pop_front()
    }
}

fn absorb<C: Clock, O: Observer, const BUCKETS: usize>(
    breaker: &mut CircuitBreaker<C, O, BUCKETS>,
    pending: Pending,
) {
    if pending != Pending::default() {
        breaker.absorb(pending.admissions, pending.successes);
    }
}

impl<C: Clock, O: Observer, const BUCKETS: usize> BreakerRef for SharedBreaker<C, O, BUCKETS> {
    #[inline(always)]
    fn try_acquire(&self) -> Result<Ticket, Rejected> {
        if let Some(generation) = self.inner.fast.admit() {
            return Ok(Ticket {
                breaker: self.inner.id,
                generation,
                age: 0,
                admitted_at: None,
            });
        }
        self.with(|b| b.try_acquire())
    }

    #[inline(always)]
    fn record(&self, ticket: Ticket, outcome: Outcome) {
        if outcome == Outcome::Success
            && ticket.breaker == self.inner.id
            && self.inner.fast.succeed(ticket.generation)
        {
            return;
        }
        self.with(|b| b.record(ticket, outcome))
    }
}

impl<C: Clock, O: Observer, const BUCKETS: usize> BreakerRef for &SharedBreaker<C, O, BUCKETS> {
    #[inline(always)]
    fn try_acquire(&self) -> Result<Ticket, Rejected> {
        (**self).try_acquire()
    }

    #[inline(always)]
    fn record(&self, ticket: Ticket, outcome: Outcome) {
        (**self).record(ticket, outcome)
    }
}

impl<C, O, const BUCKETS: usize> Clone for SharedBreaker<C, O, BUCKETS> {
    fn clone(&self) -> Self {
        SharedBreaker {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<C, O, const BUCKETS: usize> std::fmt::Debug for SharedBreaker<C, O, BUCKETS> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedBreaker")
            .field("name", &self.inner.name)
            .finish_non_exhaustive()
    }
}
