//! The state machine: gobreaker's semantics over an injected clock.

use crate::clock::duration_nanos;
use crate::window::{BucketSeq, Window};
use crate::{
    Clock, Counts, Instant, Observer, Outcome, Rejected, Settings, SettingsError, State, Transition,
};
use core::time::Duration;

/// A circuit breaker: admits or rejects calls and counts their outcomes,
/// with sony/gobreaker's semantics.
///
/// This is the single-owner core (`&mut self`, no locks, no allocation):
/// time comes from the [`Clock`] `C`, state changes go to the [`Observer`] `O`.
/// Transitions are applied lazily, whenever the breaker is used or its state
/// read. To share one breaker between tasks or threads, with permits that
/// give their slot back when dropped, use `SharedBreaker` (feature `std`) or
/// put it in a `RefCell` and use [`Permit`](crate::Permit).
///
/// ```
/// use breaker::{CircuitBreaker, ManualClock, Outcome, Rejected, Settings, State, TripRule};
/// use core::time::Duration;
///
/// let clock = ManualClock::new();
/// let settings = Settings {
///     max_requests: 1,
///     timeout: Duration::from_secs(5),
///     ready_to_trip: TripRule::ConsecutiveFailures(2),
///     ..Settings::new("example")
/// };
/// let mut breaker = CircuitBreaker::new(settings, &clock)?;
///
/// for _ in 0..2 {
///     let ticket = breaker.try_acquire()?;
///     breaker.record(ticket, Outcome::Failure);
/// }
/// assert_eq!(breaker.state(), State::Open);
/// assert_eq!(breaker.try_acquire().unwrap_err(), Rejected::Open);
///
/// clock.advance(Duration::from_millis(5_001));
/// let probe = breaker.try_acquire()?; // half-open: one trial call
/// assert_eq!(breaker.try_acquire().unwrap_err(), Rejected::TooManyRequests);
/// breaker.record(probe, Outcome::Success);
/// assert_eq!(breaker.state(), State::Closed);
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CircuitBreaker<C, O = ()> {
    settings: Settings,
    clock: C,
    observer: O,
    state: State,
    generation: u64,
    window: Window,
    /// Closed: when the current bucket ends. Open: when half-open begins.
    expiry: Option<Instant>,
    /// The open timeout in force (grows under [`Settings::backoff`]).
    open_timeout: Duration,
}

/// Proof that a call was admitted, to hand back with its outcome to
/// [`CircuitBreaker::record`] or [`CircuitBreaker::cancel`].
///
/// A ticket of an earlier generation (the state changed, or the closed
/// interval ended, since it was issued) is ignored when handed back.
#[must_use = "hand the ticket back with `record` or `cancel`, or the half-open slot stays taken"]
#[derive(Debug, PartialEq, Eq)]
pub struct Ticket {
    generation: u64,
    bucket: BucketSeq,
    admitted_at: Instant,
}

impl Ticket {
    /// When the call was admitted, on the breaker's clock.
    pub fn admitted_at(&self) -> Instant {
        self.admitted_at
    }

    /// The generation the call was admitted in.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

impl<C: Clock> CircuitBreaker<C> {
    /// A closed breaker with these settings, reading time from `clock`.
    pub fn new(settings: Settings, clock: C) -> Result<Self, SettingsError> {
        settings.validate()?;
        let buckets = settings.buckets() as usize;
        let mut breaker = CircuitBreaker {
            open_timeout: settings.open_timeout(),
            settings,
            clock,
            observer: (),
            state: State::Closed,
            generation: 0,
            window: Window::new(buckets),
            expiry: None,
        };
        let now = breaker.clock.now();
        breaker.begin_generation(now);
        Ok(breaker)
    }
}

impl<C: Clock, O: Observer> CircuitBreaker<C, O> {
    /// The same breaker, reporting its state changes to `observer` instead.
    pub fn with_observer<P: Observer>(self, observer: P) -> CircuitBreaker<C, P> {
        CircuitBreaker {
            settings: self.settings,
            clock: self.clock,
            observer,
            state: self.state,
            generation: self.generation,
            window: self.window,
            expiry: self.expiry,
            open_timeout: self.open_timeout,
        }
    }

    /// The breaker's name.
    pub fn name(&self) -> &'static str {
        self.settings.name
    }

    /// The settings it was made with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The clock it reads.
    pub fn clock(&self) -> &C {
        &self.clock
    }

    /// The observer of its state changes.
    pub fn observer(&self) -> &O {
        &self.observer
    }

    /// The observer of its state changes, mutably.
    pub fn observer_mut(&mut self) -> &mut O {
        &mut self.observer
    }

    /// The current state, after applying any transition that is due now
    /// (open becomes half-open strictly after the timeout; a closed interval
    /// ends strictly after `interval`).
    pub fn state(&mut self) -> State {
        let now = self.clock.now();
        self.current_state(Some(now))
    }

    /// The counts as they stand (without applying transitions that are due:
    /// read [`state`](Self::state) first for an up-to-date view).
    pub fn counts(&self) -> Counts {
        *self.window.total()
    }

    /// The generation: it changes with every state change and every end of a
    /// closed interval.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// When an open breaker will let trial calls through (it becomes
    /// half-open strictly after this instant); `None` in any other state.
    /// A UI schedules its redraw for just after it instead of polling.
    pub fn next_transition_at(&self) -> Option<Instant> {
        match self.state {
            State::Open => self.expiry,
            _ => None,
        }
    }

    /// How long until an open breaker lets trial calls through: it turns
    /// half-open as soon as this much time has passed (strictly after
    /// [`next_transition_at`](Self::next_transition_at)). `None` unless open.
    pub fn time_to_next_transition(&self) -> Option<Duration> {
        let at = self.next_transition_at()?;
        Some(at.saturating_duration_since(self.clock.now()) + Duration::from_nanos(1))
    }

    /// The open timeout in force: [`Settings::open_timeout`], lengthened by
    /// [`Settings::backoff`] after failed half-open trials.
    pub fn open_timeout(&self) -> Duration {
        self.open_timeout
    }

    /// Asks to make a call. `Ok` admits it: hand the ticket back with its
    /// outcome. `Err` says why it must not be made.
    #[inline(always)]
    pub fn try_acquire(&mut self) -> Result<Ticket, Rejected> {
        let now = self.now_if_needed();
        let state = self.current_state(now);
        // The common case first, as a plain branch rather than a jump table.
        if state == State::Closed {
            self.window.on_request();
            return Ok(self.ticket(now));
        }
        match state {
            State::Open | State::ForcedOpen => return Err(Rejected::Open),
            State::HalfOpen
                if self.window.total().occupied_slots() >= self.settings.half_open_limit() =>
            {
                return Err(Rejected::TooManyRequests);
            }
            State::Disabled => {}
            State::Closed | State::HalfOpen | State::ForcedClosed => self.window.on_request(),
        }
        Ok(self.ticket(now))
    }

    /// The ticket of a call admitted now.
    #[inline(always)]
    fn ticket(&self, now: Option<Instant>) -> Ticket {
        Ticket {
            generation: self.generation,
            bucket: self.window.newest_seq(),
            admitted_at: now.unwrap_or(Instant::ZERO),
        }
    }

    /// Records how an admitted call ended. Ignored if the ticket is from an
    /// earlier generation. A success slower than [`Settings::slow_call`]
    /// counts as a failure.
    #[inline(always)]
    pub fn record(&mut self, ticket: Ticket, outcome: Outcome) {
        let now = self.now_if_needed();
        let state = self.current_state(now);
        if ticket.generation != self.generation {
            return;
        }
        let outcome = match (outcome, self.settings.slow_call, now) {
            (Outcome::Success, Some(limit), Some(now))
                if now.saturating_duration_since(ticket.admitted_at) > limit =>
            {
                Outcome::Failure
            }
            _ => outcome,
        };
        if state == State::Closed && outcome == Outcome::Success {
            // The common case first, as a plain branch rather than a jump table.
            self.window.on_outcome(ticket.bucket, Counts::on_success);
            return;
        }
        match outcome {
            Outcome::Success => self.on_success(state, ticket.bucket),
            Outcome::Failure => self.on_failure(state, ticket.bucket),
            Outcome::Excluded => self.on_exclusion(state, ticket.bucket),
        }
    }

    /// Gives back the ticket of a call that ended without an outcome (it was
    /// cancelled): it counts as excluded and frees its half-open slot.
    pub fn cancel(&mut self, ticket: Ticket) {
        self.record(ticket, Outcome::Excluded);
    }

    /// Opens the breaker until [`release`](Self::release): every call is rejected.
    pub fn force_open(&mut self) {
        self.set_manual_state(State::ForcedOpen);
    }

    /// Closes the breaker until [`release`](Self::release): every call goes
    /// through and is counted, and it never trips.
    pub fn force_closed(&mut self) {
        self.set_manual_state(State::ForcedClosed);
    }

    /// Switches the breaker off until [`release`](Self::release): every call
    /// goes through and nothing is counted.
    pub fn disable(&mut self) {
        self.set_manual_state(State::Disabled);
    }

    /// Ends a manual override: the breaker is closed and automatic again.
    /// Does nothing if no override is in force.
    pub fn release(&mut self) {
        if self.state.is_manual() {
            self.set_manual_state(State::Closed);
        }
    }

    fn set_manual_state(&mut self, state: State) {
        self.state();
        self.set_state(state);
    }

    /// The time, if anything depends on it now: a pending expiry (a closed
    /// interval, an open timeout) or the slow-call rule. A breaker steadily
    /// closed without an interval costs no clock read per call; a state
    /// change reads the clock itself.
    #[inline]
    fn now_if_needed(&self) -> Option<Instant> {
        (self.expiry.is_some() || self.settings.slow_call.is_some()).then(|| self.clock.now())
    }

    #[inline]
    fn on_success(&mut self, state: State, bucket: BucketSeq) {
        match state {
            State::Closed | State::ForcedClosed => {
                self.window.on_outcome(bucket, Counts::on_success);
            }
            State::HalfOpen => {
                self.window.on_outcome(bucket, Counts::on_success);
                if self.window.total().consecutive_successes >= self.settings.half_open_limit() {
                    self.set_state(State::Closed);
                }
            }
            State::Open | State::ForcedOpen | State::Disabled => {}
        }
    }

    fn on_failure(&mut self, state: State, bucket: BucketSeq) {
        match state {
            State::Closed => {
                if self.window.on_outcome(bucket, Counts::on_failure)
                    && self.settings.ready_to_trip.is_tripped(self.window.total())
                {
                    self.set_state(State::Open);
                }
            }
            State::ForcedClosed => {
                self.window.on_outcome(bucket, Counts::on_failure);
            }
            State::HalfOpen => self.set_state(State::Open),
            State::Open | State::ForcedOpen | State::Disabled => {}
        }
    }

    fn on_exclusion(&mut self, state: State, bucket: BucketSeq) {
        match state {
            State::Closed | State::HalfOpen | State::ForcedClosed => {
                self.window.on_outcome(bucket, Counts::on_exclusion);
            }
            State::Open | State::ForcedOpen | State::Disabled => {}
        }
    }

    /// Applies the transition that is due at `now`, if any, and returns the
    /// state. `now` is `None` only when no expiry is pending (see
    /// [`Self::now_if_needed`]).
    #[inline]
    fn current_state(&mut self, now: Option<Instant>) -> State {
        match (self.state, self.expiry, now) {
            (State::Closed | State::ForcedClosed, Some(expiry), Some(now))
                if self.bucket_ended(expiry, now) =>
            {
                self.begin_buckets(expiry, now);
            }
            (State::Open, Some(expiry), Some(now)) if expiry < now => {
                self.set_state(State::HalfOpen)
            }
            _ => {}
        }
        self.state
    }

    /// Whether the closed bucket ending at `expiry` is over at `now`: a fixed
    /// interval ends strictly after its length (gobreaker); a rolling
    /// window's buckets tile time, each starting as the previous one ends.
    fn bucket_ended(&self, expiry: Instant, now: Instant) -> bool {
        if self.window.capacity() == 1 {
            expiry < now
        } else {
            expiry <= now
        }
    }

    #[cold]
    #[inline(never)]
    fn set_state(&mut self, state: State) {
        if self.state == state {
            return;
        }
        let now = self.clock.now();
        let from = self.state;
        self.state = state;
        self.open_timeout = match (from, state, self.settings.backoff) {
            (State::HalfOpen, State::Open, Some(backoff)) => self
                .open_timeout
                .saturating_mul(backoff.multiplier)
                .min(backoff.max_timeout.max(self.settings.open_timeout())),
            (_, State::Open, _) | (_, State::Closed, _) => self.settings.open_timeout(),
            _ => self.open_timeout,
        };
        self.begin_generation(now);
        self.observer.on_transition(
            self.settings.name,
            Transition {
                from,
                to: state,
                at: now,
            },
        );
    }

    fn begin_generation(&mut self, now: Instant) {
        self.generation = self.generation.wrapping_add(1);
        self.window.clear();
        self.update_expiry(now);
    }

    /// The closed window's current bucket ended at `expiry`, before `now`:
    /// start as many buckets as have ended since.
    #[cold]
    #[inline(never)]
    fn begin_buckets(&mut self, expiry: Instant, now: Instant) {
        let capacity = self.window.capacity();
        if capacity == 1 {
            // A fixed window: everything counted so far is forgotten.
            self.begin_generation(now);
            return;
        }
        let bucket = duration_nanos(self.settings.bucket_length());
        // The bucket that ended at `expiry`, plus one for each whole bucket since.
        let ended = (now.as_nanos() - expiry.as_nanos()) / bucket + 1;
        let next_expiry = Instant::from_nanos(
            expiry
                .as_nanos()
                .saturating_add(ended.saturating_mul(bucket)),
        );
        self.window.advance(ended);
        self.expiry = Some(next_expiry);
    }

    fn update_expiry(&mut self, from: Instant) {
        self.expiry = match self.state {
            State::Closed | State::ForcedClosed => {
                let bucket = self.settings.bucket_length();
                (!bucket.is_zero()).then(|| from.saturating_add(bucket))
            }
            State::Open => Some(from.saturating_add(self.open_timeout)),
            State::HalfOpen | State::ForcedOpen | State::Disabled => None,
        };
    }
}
