//! The state machine: gobreaker v2's semantics over an injected clock, read
//! top to bottom in the order a call meets it, as gobreaker's own file is:
//! before the call, after it, on success, on failure, on exclusion, the
//! state as of now, a state change, a new generation, a new bucket.

use crate::clock::duration_nanos;
use crate::ticket::BreakerId;
use crate::window::{Age, Window};
use crate::{
    CallDetail, CallReport, Clock, Counts, Instant, Observer, Outcome, Reason, Rejected, Settings,
    SettingsError, State, Ticket, Transition,
};
use core::time::Duration;

/// A circuit breaker: admits or rejects calls and counts their outcomes,
/// with sony/gobreaker's semantics.
///
/// This is the single-owner core (`&mut self`, no locks, no allocation):
/// time comes from the [`Clock`] `C`, state changes go to the [`Observer`] `O`,
/// and `BUCKETS` is the room it has for a rolling window's buckets: the
/// default, 0, holds fixed windows only and carries no bucket array (see
/// [`new_rolling`](Self::new_rolling)).
/// Transitions are applied lazily, whenever the breaker is used or its state
/// read. To share one breaker between tasks or threads, with permits that
/// give their slot back when dropped, use `SharedBreaker` (feature `std`) or
/// put it in a `RefCell` and use [`Permit`](crate::Permit).
///
/// ```
/// use tripbreaker::{CircuitBreaker, ManualClock, Outcome, Rejected, Settings, State, TripRule};
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
pub struct CircuitBreaker<C, O = (), const BUCKETS: usize = 0> {
    settings: Settings,
    clock: C,
    observer: O,
    id: BreakerId,
    state: State,
    generation: u64,
    counts: Window<BUCKETS>,
    /// When the generation began: a rolling window's buckets count from it.
    start: Instant,
    /// The next instant that matters to the state: closed, when the fixed
    /// interval ends or the next rolling bucket begins; open, when trial
    /// calls are let through; half-open, when the wait for them runs out.
    /// `None`: nothing is due.
    expiry: Option<Instant>,
    /// The open timeout in force (grows under [`Settings::backoff`]).
    open_timeout: Duration,
}

impl<C: Clock> CircuitBreaker<C> {
    /// A closed breaker with these settings, reading time from `clock`, for
    /// a fixed window (or none). Settings with a rolling window of two or
    /// more buckets are refused: use [`new_rolling`](Self::new_rolling).
    pub fn new(settings: Settings, clock: C) -> Result<Self, SettingsError> {
        Self::new_rolling(settings, clock)
    }
}

impl<C: Clock, const BUCKETS: usize> CircuitBreaker<C, (), BUCKETS> {
    /// A closed breaker with room for a rolling window of up to `BUCKETS`
    /// buckets, and so for any settings whose [`Settings::buckets`] fit.
    /// It carries `BUCKETS` bucket counts inline (24 bytes each).
    ///
    /// ```
    /// use tripbreaker::{CircuitBreaker, ManualClock, Settings};
    /// use core::time::Duration;
    ///
    /// // The last 10 s, in 1 s buckets.
    /// let settings = Settings {
    ///     interval: Duration::from_secs(10),
    ///     bucket_period: Duration::from_secs(1),
    ///     ..Settings::new("rolling")
    /// };
    /// let clock = ManualClock::new();
    /// assert!(CircuitBreaker::new(settings, &clock).is_err(), "no room for buckets");
    /// let breaker = CircuitBreaker::<_, _, 10>::new_rolling(settings, &clock)?;
    /// # Ok::<(), tripbreaker::SettingsError>(())
    /// ```
    pub fn new_rolling(settings: Settings, clock: C) -> Result<Self, SettingsError> {
        settings.validate()?;
        let buckets = settings.buckets();
        if buckets > 1 && buckets > BUCKETS as u128 {
            return Err(SettingsError::TooManyBuckets {
                buckets,
                capacity: BUCKETS,
            });
        }
        let now = clock.now();
        let mut breaker = CircuitBreaker {
            open_timeout: settings.open_timeout(),
            counts: Window::new(buckets as usize),
            settings,
            clock,
            observer: (),
            id: BreakerId::next(),
            state: State::Closed,
            generation: 0,
            start: now,
            expiry: None,
        };
        breaker.start_new_generation(now);
        Ok(breaker)
    }
}

impl<C: Clock, O: Observer, const BUCKETS: usize> CircuitBreaker<C, O, BUCKETS> {
    /// The same breaker, reporting its state changes to `observer` instead.
    pub fn with_observer<P: Observer>(self, observer: P) -> CircuitBreaker<C, P, BUCKETS> {
        self.replace_observer(observer).0
    }

    /// The same breaker with `observer`, and the observer it had.
    pub(crate) fn replace_observer<P: Observer>(
        self,
        observer: P,
    ) -> (CircuitBreaker<C, P, BUCKETS>, O) {
        let breaker = CircuitBreaker {
            settings: self.settings,
            clock: self.clock,
            observer,
            id: self.id,
            state: self.state,
            generation: self.generation,
            counts: self.counts,
            start: self.start,
            expiry: self.expiry,
            open_timeout: self.open_timeout,
        };
        (breaker, self.observer)
    }

    /// The same breaker, open now and turning half-open strictly after
    /// `remaining`, with no transition reported: a breaker that resumes an
    /// open state decided elsewhere (a store shared by many processes, the
    /// state before a restart) without admitting a call it would reject.
    /// Later open states last the usual open timeout.
    ///
    /// ```
    /// use tripbreaker::{CircuitBreaker, ManualClock, Rejected, Settings, State};
    /// use core::time::Duration;
    ///
    /// let clock = ManualClock::new();
    /// let mut breaker = CircuitBreaker::new(Settings::new("resumed"), &clock)?
    ///     .resumed_open(Duration::from_secs(2));
    /// assert_eq!(breaker.try_acquire().unwrap_err(), Rejected::Open);
    /// clock.advance(Duration::from_millis(2_001));
    /// assert_eq!(breaker.state(), State::HalfOpen);
    /// # Ok::<(), tripbreaker::SettingsError>(())
    /// ```
    pub fn resumed_open(mut self, remaining: Duration) -> Self {
        let now = self.clock.now();
        self.state = State::Open;
        self.open_timeout = self.settings.open_timeout();
        self.start_new_generation(now);
        self.expiry = Some(now.saturating_add(remaining));
        self
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
        *self.counts.total()
    }

    /// The generation: it changes with every state change and every end of a
    /// fixed closed interval.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// When the state will change by itself: an open breaker turns half-open
    /// strictly after this instant, and a half-open one under
    /// [`Settings::max_half_open_wait`] opens again. `None` otherwise.
    /// A UI schedules its redraw for just after it instead of polling.
    pub fn next_transition_at(&self) -> Option<Instant> {
        match self.state {
            State::Open | State::HalfOpen => self.expiry,
            _ => None,
        }
    }

    /// How long until the state changes by itself (strictly after
    /// [`next_transition_at`](Self::next_transition_at)). `None` if it will not.
    pub fn time_to_next_transition(&self) -> Option<Duration> {
        let at = self.next_transition_at()?;
        Some(at.saturating_duration_since(self.clock.now()) + Duration::from_nanos(1))
    }

    /// The open timeout in force: [`Settings::open_timeout`], lengthened by
    /// [`Settings::backoff`] after failed half-open trials.
    pub fn open_timeout(&self) -> Duration {
        self.open_timeout
    }

    /// Before the call: asks to make it. `Ok` admits it: hand the ticket
    /// back with its outcome. `Err` says why it must not be made.
    #[inline(always)]
    pub fn try_acquire(&mut self) -> Result<Ticket, Rejected> {
        let now = self.now_if_needed();
        let rejected = match self.current_state(now) {
            State::Closed | State::ForcedClosed => None,
            State::HalfOpen
                if self.counts.total().occupied_slots() < self.settings.half_open_limit() =>
            {
                None
            }
            State::HalfOpen => Some(Rejected::TooManyRequests),
            State::Open | State::ForcedOpen => Some(Rejected::Open),
            State::Disabled => return Ok(self.ticket(now)),
        };
        if let Some(rejected) = rejected {
            self.report_call(Err(rejected), None);
            return Err(rejected);
        }
        self.counts.on_request();
        Ok(self.ticket(now))
    }

    #[inline(always)]
    fn ticket(&self, now: Option<Instant>) -> Ticket {
        Ticket {
            breaker: self.id,
            generation: self.generation,
            age: self.counts.age(),
            admitted_at: now,
        }
    }

    /// After the call: records how it ended. A ticket of another breaker,
    /// or of an earlier generation, changes nothing. A success slower than
    /// [`Settings::slow_call`] counts as a failure.
    #[inline(always)]
    pub fn record(&mut self, ticket: Ticket, outcome: Outcome) {
        let now = self.now_if_needed();
        let state = self.current_state(now);
        if ticket.breaker != self.id {
            return;
        }
        let counted = self.slow_call_rule(outcome, &ticket, now);
        if ticket.generation == self.generation {
            match counted {
                Outcome::Success => self.on_success(state, ticket.age, now),
                Outcome::Failure if counted != outcome => {
                    self.on_failure(state, ticket.age, now, Reason::SlowCall)
                }
                Outcome::Failure => {
                    let reason = self.settings.ready_to_trip.reason();
                    self.on_failure(state, ticket.age, now, reason)
                }
                Outcome::Excluded => self.on_exclusion(state, ticket.age),
            }
        }
        let latency = match (ticket.admitted_at, now) {
            (Some(admitted), Some(now)) => Some(now.saturating_duration_since(admitted)),
            _ => None,
        };
        self.report_call(Ok(counted), latency);
    }

    /// Tells the observer how a call went, if it asked to hear.
    #[inline(always)]
    fn report_call(&mut self, outcome: Result<Outcome, Rejected>, latency: Option<Duration>) {
        if O::CALL_DETAIL != CallDetail::Nothing {
            let call = CallReport { outcome, latency };
            self.observer.on_call(self.settings.name, call);
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
        let now = self.clock.now();
        self.current_state(Some(now));
        let reason = if state.is_manual() {
            Reason::Forced
        } else {
            Reason::Released
        };
        self.set_state(state, Some(now), reason);
    }

    /// The time, if anything depends on it now: something due (see
    /// `expiry`), the slow-call rule, or an observer of latencies. A breaker
    /// steadily closed without an interval reads no clock per call; a state
    /// change reads it itself.
    #[inline]
    fn now_if_needed(&self) -> Option<Instant> {
        let timed = O::CALL_DETAIL == CallDetail::OutcomesAndLatency;
        (timed || self.expiry.is_some() || self.settings.slow_call.is_some())
            .then(|| self.clock.now())
    }

    /// The outcome to count: a success slower than the slow-call limit is a failure.
    #[inline]
    fn slow_call_rule(&self, outcome: Outcome, ticket: &Ticket, now: Option<Instant>) -> Outcome {
        match (outcome, self.settings.slow_call, ticket.admitted_at, now) {
            (Outcome::Success, Some(limit), Some(admitted), Some(now))
                if now.saturating_duration_since(admitted) > limit =>
            {
                Outcome::Failure
            }
            _ => outcome,
        }
    }

    #[inline]
    fn on_success(&mut self, state: State, age: Age, now: Option<Instant>) {
        match state {
            State::Closed | State::ForcedClosed => self.counts.on_outcome(age, Counts::on_success),
            State::HalfOpen => {
                self.counts.on_outcome(age, Counts::on_success);
                if self.counts.total().consecutive_successes >= self.settings.half_open_limit() {
                    self.set_state(State::Closed, now, Reason::TrialsSucceeded);
                }
            }
            State::Open | State::ForcedOpen | State::Disabled => {}
        }
    }

    /// `ready_to_trip` is asked after every failure recorded while closed,
    /// even one whose bucket has left the window and so is not counted.
    /// `reason` is why a trip would happen: the rule's kind, or a slow call.
    #[inline]
    fn on_failure(&mut self, state: State, age: Age, now: Option<Instant>, reason: Reason) {
        match state {
            State::Closed => {
                self.counts.on_outcome(age, Counts::on_failure);
                if self.settings.ready_to_trip.is_tripped(self.counts.total()) {
                    self.set_state(State::Open, now, reason);
                }
            }
            State::ForcedClosed => self.counts.on_outcome(age, Counts::on_failure),
            State::HalfOpen => {
                let reason = match reason {
                    Reason::SlowCall => Reason::SlowCall,
                    _ => Reason::TrialFailed,
                };
                self.set_state(State::Open, now, reason)
            }
            State::Open | State::ForcedOpen | State::Disabled => {}
        }
    }

    #[inline]
    fn on_exclusion(&mut self, state: State, age: Age) {
        if matches!(state, State::Closed | State::HalfOpen | State::ForcedClosed) {
            self.counts.on_outcome(age, Counts::on_exclusion);
        }
    }

    /// The state as of `now`, after applying what is due: a new bucket or
    /// generation while closed, half-open after the open timeout, open again
    /// after the half-open wait. `now` is `None` only when nothing is due.
    #[inline]
    fn current_state(&mut self, now: Option<Instant>) -> State {
        let (Some(expiry), Some(now)) = (self.expiry, now) else {
            return self.state;
        };
        match self.state {
            State::Closed | State::ForcedClosed if self.counts.is_rolling() => {
                if expiry <= now {
                    self.start_new_bucket(now);
                }
            }
            State::Closed | State::ForcedClosed => {
                if expiry < now {
                    self.start_new_generation(now);
                }
            }
            State::Open => {
                if expiry < now {
                    self.set_state(State::HalfOpen, Some(now), Reason::TimeoutElapsed);
                }
            }
            State::HalfOpen => {
                if expiry < now {
                    self.set_state(State::Open, Some(now), Reason::HalfOpenWaitExpired);
                }
            }
            State::ForcedOpen | State::Disabled => {}
        }
        self.state
    }

    #[cold]
    #[inline(never)]
    fn set_state(&mut self, to: State, now: Option<Instant>, reason: Reason) {
        if self.state == to {
            return;
        }
        let counts = *self.counts.total();
        let now = now.unwrap_or_else(|| self.clock.now());
        let from = core::mem::replace(&mut self.state, to);
        self.open_timeout = match (from, to, self.settings.backoff) {
            (State::HalfOpen, State::Open, Some(backoff)) => self
                .open_timeout
                .saturating_mul(backoff.multiplier)
                .min(backoff.max_timeout.max(self.settings.open_timeout())),
            (_, State::Open | State::Closed, _) => self.settings.open_timeout(),
            _ => self.open_timeout,
        };
        self.start_new_generation(now);
        let transition = Transition {
            from,
            to,
            at: now,
            reason,
            counts,
        };
        self.observer.on_transition(self.settings.name, transition);
    }

    /// The generation, while admitting a call and recording its success
    /// would only count (closed, a fixed window, nothing timed): when
    /// `SharedBreaker` may do both without its lock.
    pub(crate) fn counting_only(&self) -> Option<u64> {
        let counting = self.state == State::Closed
            && O::CALL_DETAIL == CallDetail::Nothing
            && self.expiry.is_none()
            && self.settings.slow_call.is_none()
            && !self.counts.is_rolling();
        counting.then_some(self.generation)
    }

    /// Counts calls admitted and succeeded without the breaker, in the
    /// generation [`counting_only`](Self::counting_only) named.
    pub(crate) fn absorb(&mut self, admissions: u32, successes: u32) {
        self.counts.absorb(admissions, successes);
    }

    /// Which breaker this is, as its tickets say.
    pub(crate) fn id(&self) -> BreakerId {
        self.id
    }

    /// Forgets the counts and starts timing what the new state waits for.
    #[cold]
    fn start_new_generation(&mut self, now: Instant) {
        self.generation = self.generation.wrapping_add(1);
        self.start = now;
        self.counts.clear();
        self.expiry = match self.state {
            State::Closed | State::ForcedClosed => {
                let bucket = self.settings.bucket_length();
                (!bucket.is_zero()).then(|| now.saturating_add(bucket))
            }
            State::Open => Some(now.saturating_add(self.open_timeout)),
            State::HalfOpen => self
                .settings
                .max_half_open_wait
                .map(|wait| now.saturating_add(wait)),
            State::ForcedOpen | State::Disabled => None,
        };
    }

    /// A rolling window moves on to the bucket `now` falls in, counted in
    /// whole buckets since the generation began.
    #[cold]
    #[inline(never)]
    fn start_new_bucket(&mut self, now: Instant) {
        let period = duration_nanos(self.settings.bucket_length());
        let age = now.as_nanos().saturating_sub(self.start.as_nanos()) / period;
        self.counts.grow(age);
        let next = age.saturating_add(1).saturating_mul(period);
        self.expiry = Some(self.start.saturating_add(Duration::from_nanos(next)));
    }
}
