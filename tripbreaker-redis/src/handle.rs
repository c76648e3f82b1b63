//! The handle: one shared breaker as seen from one process, with a local
//! breaker to fall back on while Redis does not answer.

use crate::error::{BuildError, StoreError};
use crate::fast::{FastTicket, Window};
use crate::fingerprint::SettingsConflict;
use crate::force::Force;
use crate::mode::{Mode, ModeCell};
use crate::script::{Admission, Answer, Call, Op, Reply, Seen, SharedTicket, micros_between};
use crate::settings::{MAX_BUCKETS, SettingsArgs};
use crate::store::Connection;
use crate::ticket::{Kind, Recorder, Recording, Ticket};
use parking_lot::Mutex;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tripbreaker::{
    AsyncBreakerRef, BreakerRef, CallError, CircuitBreaker, Classify, Clock, Counts,
    ErrorIsFailure, Observer, Outcome, Rejected, Settings, SharedBreaker, State, Transition,
};

/// The clock of a handle: the OS's monotonic clock, or a manual one in tests.
pub(crate) type DynClock = Arc<dyn Clock + Send + Sync>;

/// The local fallback: the core's thread-safe breaker with the same settings.
type Local<O> = SharedBreaker<DynClock, Forward<O>, MAX_BUCKETS>;

/// A circuit breaker whose state lives in Redis, shared by every handle
/// (in any process) made with the same namespace and name.
///
/// Each [`try_acquire`](Self::try_acquire) is one script call to Redis and
/// each [`record`](Self::record) at most one; the script runs the whole
/// state machine atomically, so handles need no lock. When Redis does not
/// answer within the store timeout the handle decides with a local breaker
/// (see [`Mode`]). Cloning gives another handle on the same connection.
/// Its async methods run inside a tokio runtime (admission spawns a task).
///
/// Make one with [`RedisBreaker::builder`]; see the crate docs for an example.
pub struct RedisBreaker<O = ()> {
    pub(crate) inner: Arc<Inner<O>>,
}

impl<O> Clone for RedisBreaker<O> {
    fn clone(&self) -> Self {
        RedisBreaker {
            inner: self.inner.clone(),
        }
    }
}

pub(crate) struct Inner<O> {
    pub(crate) key: Arc<str>,
    pub(crate) settings: Settings,
    pub(crate) args: SettingsArgs,
    pub(crate) script: redis::Script,
    /// Sets, ends and reads the shared force (`force.lua`).
    pub(crate) force_script: redis::Script,
    pub(crate) connection: Connection,
    pub(crate) store_timeout: Duration,
    pub(crate) expiry_ms: u64,
    pub(crate) clock: DynClock,
    /// Whether the script is given the handle's clock instead of reading Redis'.
    pub(crate) manual_time: bool,
    pub(crate) observer: Arc<Mutex<O>>,
    /// The breaker deciding while Redis does not answer: made anew, from
    /// what was last seen of the shared state, each time the handle falls back.
    pub(crate) local: Mutex<Local<O>>,
    pub(crate) mode: ModeCell,
    pub(crate) seen: Mutex<LastSeen>,
    /// This handle's own force, applied to its local breaker (which then
    /// decides every call, see `RedisBreaker::force_locally`).
    pub(crate) local_force: Mutex<Option<Force>>,
    /// Fast mode: the closed generation this handle admits in by itself,
    /// and what it counted there; `None` in exact mode or when not closed.
    pub(crate) fast: bool,
    pub(crate) window: Mutex<Option<Window>>,
}

/// The shared state as last seen, with when (on the handle's clock).
#[derive(Debug, Clone, Copy)]
pub(crate) struct LastSeen {
    pub(crate) seen: Seen,
    pub(crate) store_now: i64,
    pub(crate) at_nanos: u64,
}

/// Reports the local breaker's transitions to the handle's observer.
pub(crate) struct Forward<O>(pub(crate) Arc<Mutex<O>>);

impl<O: Observer> Observer for Forward<O> {
    fn on_transition(&mut self, name: &str, transition: Transition) {
        self.0.lock().on_transition(name, transition);
    }
}

impl<O: Observer + Send + 'static> RedisBreaker<O> {
    pub(crate) fn from_inner(inner: Inner<O>) -> Self {
        RedisBreaker {
            inner: Arc::new(inner),
        }
    }

    /// Before the call: one round trip to Redis (none while local and no
    /// probe is due). `Ok` admits the call: hand the ticket back to
    /// [`record`](Self::record) with its outcome. Never waits longer than
    /// the store timeout.
    pub async fn try_acquire(&self) -> Result<Ticket, Rejected> {
        let inner = &self.inner;
        let local_force = *inner.local_force.lock();
        match local_force {
            // The local breaker is forced open: it rejects, whatever Redis holds.
            Some(Force::Open) => return inner.local_acquire(),
            Some(Force::Closed) => {}
            None => return self.acquire_unforced().await,
        }
        // Forced closed here: admitted by the local breaker unless the
        // shared breaker is forced open (a force open wins).
        if inner.read().await.shared_force_open {
            return Err(Rejected::Open);
        }
        inner.local_acquire()
    }

    /// Admission when this handle has no local force: the shared breaker
    /// decides, or the local fallback while Redis does not answer.
    async fn acquire_unforced(&self) -> Result<Ticket, Rejected> {
        let inner = &self.inner;
        if let Some(ticket) = inner.fast_acquire() {
            return Ok(ticket);
        }
        if inner.mode.should_ask_store(inner.now_nanos()) {
            match inner.clone().acquire_shared().await {
                Ok(reply) => {
                    inner.accept(&reply);
                    return reply
                        .answer
                        .map(|()| inner.ticket(Kind::Shared(reply.ticket())));
                }
                Err(error) => inner.fall_back(&error),
            }
        }
        inner.local_acquire()
    }

    /// After the call: records how it ended, in the breaker that admitted
    /// it; at most one round trip. A ticket of another breaker, or of an
    /// earlier generation, changes nothing. The outcome of a call the shared
    /// breaker admitted is lost if Redis does not take it (it counts only
    /// towards shared counts, which are gone with Redis).
    pub async fn record(&self, ticket: Ticket, outcome: Outcome) {
        if !ticket.belongs_to(&self.inner.key) {
            let _ = ticket.take();
            return;
        }
        ticket.record(outcome).await;
    }

    /// Makes `make_call` through the breaker: rejected at once if the
    /// breaker says so, otherwise made, with `Ok` counted as a success and
    /// `Err` as a failure (and a call dropped before it ends as excluded).
    pub async fn call<F, Fut, T, E>(&self, make_call: F) -> Result<T, CallError<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        self.call_with(make_call, ErrorIsFailure).await
    }

    /// Like [`call`](Self::call), with `classify` deciding how the result counts.
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
        let ticket = self.try_acquire().await?;
        let result = make_call().await;
        self.record(ticket, classify.classify(&result)).await;
        result.map_err(CallError::Inner)
    }

    /// Whether this handle may join the shared breaker: one round trip. The
    /// first handle under a name records its settings in the shared state;
    /// a handle whose settings differ is refused by every call (which then
    /// goes to its local breaker), and this says which settings differ.
    /// Call it at start to stop there instead. `Ok` also when Redis does
    /// not answer now (the handle is then local, and checked again when it
    /// answers).
    ///
    /// ```no_run
    /// # async fn demo(breaker: tripbreaker_redis::RedisBreaker) {
    /// if let Err(conflict) = breaker.check_settings().await {
    ///     eprintln!("{conflict}"); // …: timeout is 5s here but 60s in the shared state; …
    ///     std::process::exit(2);
    /// }
    /// # }
    /// ```
    pub async fn check_settings(&self) -> Result<(), SettingsConflict> {
        let inner = &self.inner;
        match inner.invoke::<()>(Op::Read, inner.store_timeout).await {
            Ok(reply) => inner.accept(&reply),
            Err(StoreError::Settings(conflict)) => return Err(conflict),
            Err(error) => inner.fall_back(&error),
        }
        Ok(())
    }

    /// The state now (applying what is due) and the counts, in one round
    /// trip; under a local force, the local breaker's (unless the shared
    /// breaker is forced open, which wins over a local force closed).
    pub async fn snapshot(&self) -> (State, Counts) {
        let reading = self.inner.read().await;
        (reading.state, reading.counts)
    }

    /// How long until the state changes by itself (an open breaker turns
    /// half-open strictly after it), as the core's
    /// `CircuitBreaker::time_to_next_transition`; `None` if it will not.
    /// One round trip.
    pub async fn time_to_next_transition(&self) -> Option<Duration> {
        self.inner.read().await.next_transition
    }

    /// The state now, applying any transition that is due (one round trip).
    pub async fn state(&self) -> State {
        self.snapshot().await.0
    }

    /// The counts now, after any transition that is due (one round trip).
    pub async fn counts(&self) -> Counts {
        self.snapshot().await.1
    }

    /// Fast mode: sends what this handle counted since its last sync now,
    /// and learns the shared state (one round trip); for a handle about to
    /// stop, say. Nothing in exact mode, or while the breaker is not closed.
    pub async fn sync(&self) {
        self.inner.sync().await;
    }

    /// Whether this handle uses the shared state or its local fallback.
    pub fn mode(&self) -> Mode {
        self.inner.mode.get()
    }

    /// The breaker's name (from its settings).
    pub fn name(&self) -> &'static str {
        self.inner.settings.name
    }

    /// The Redis key holding the shared state, `namespace:{name}`.
    pub fn key(&self) -> &str {
        &self.inner.key
    }

    /// The settings it was made with.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }
}

/// The state as one read found it.
struct Reading {
    state: State,
    counts: Counts,
    next_transition: Option<Duration>,
    /// Whether the shared breaker is forced open (as Redis said now or,
    /// while local, as last seen and not yet over).
    shared_force_open: bool,
}

impl<O: Observer + Send + 'static> Inner<O> {
    fn now_nanos(&self) -> u64 {
        self.clock.now().as_nanos()
    }

    /// The time to give a script: the handle's manual clock in tests,
    /// `None` (the Redis server's clock) otherwise.
    pub(crate) fn manual_now_micros(&self) -> Option<u64> {
        self.manual_time.then(|| self.now_nanos() / 1_000)
    }

    /// Sets or ends this handle's local force, on its local breaker (and
    /// on every local breaker it makes while the force lasts).
    pub(crate) fn set_local_force(&self, force: Option<Force>) {
        let mut local_force = self.local_force.lock();
        *local_force = force;
        let local = self.local();
        match force {
            Some(Force::Open) => local.force_open(),
            Some(Force::Closed) => local.force_closed(),
            None => local.release(),
        }
    }

    fn ticket(self: &Arc<Self>, kind: Kind) -> Ticket {
        Ticket {
            breaker: self.clone(),
            kind: Some(kind),
        }
    }

    /// One script call, waiting at most `limit`. A reply that is not an
    /// array of integers, or not one the script gives, is an error.
    async fn invoke<A: Answer>(&self, op: Op, limit: Duration) -> Result<Reply<A>, StoreError> {
        let call = Call {
            op,
            now: self.manual_now_micros(),
            expiry_ms: self.expiry_ms,
            settings: &self.args,
            seen: self.seen_now(),
        };
        let mut invocation = self.script.key(&*self.key);
        call.add_to(&mut invocation);
        let mut connection = self.connection.clone();
        let values =
            tokio::time::timeout(limit, invocation.invoke_async::<Vec<i64>>(&mut connection))
                .await
                .map_err(|_| StoreError::Timeout(limit))?
                .map_err(|error| self.store_error(error))?;
        Reply::decode(&values).map_err(StoreError::Reply)
    }

    /// An error from Redis; the script's refusal of other settings names
    /// them, and a reply that is not an array of integers is a wrong reply.
    fn store_error(&self, error: redis::RedisError) -> StoreError {
        match (error.code(), error.kind()) {
            (Some("SETTINGS"), _) => StoreError::Settings(SettingsConflict::new(
                &self.key,
                &self.args.recorded,
                error.detail().unwrap_or_default(),
            )),
            (_, redis::ErrorKind::UnexpectedReturnType | redis::ErrorKind::Parse) => {
                StoreError::Reply(error.to_string())
            }
            _ => StoreError::Redis(error),
        }
    }

    /// Asks Redis to admit a call. The script runs in a task of its own, so
    /// an admission that answers after the store timeout (or after the
    /// caller gave up) is given back as excluded instead of holding a
    /// half-open slot for ever.
    async fn acquire_shared(self: Arc<Self>) -> Result<Reply<Admission>, StoreError> {
        let (sender, mut receiver) = tokio::sync::oneshot::channel();
        let inner = self.clone();
        tokio::spawn(async move {
            let late = late_answer_limit(inner.store_timeout);
            let result = inner.invoke::<Admission>(Op::Acquire, late).await;
            if let Err(Ok(reply)) = sender.send(result)
                && reply.answer.is_ok()
            {
                let given_back = Op::Record(reply.ticket(), Outcome::Excluded);
                if let Ok(reply) = inner.invoke::<()>(given_back, late).await {
                    inner.report(&reply.transitions);
                }
            }
        });
        match tokio::time::timeout(self.store_timeout, &mut receiver).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(StoreError::Lost),
            Err(_) => {
                // Closed first: an answer that races in now is either taken
                // here or given back by the task, never both nor neither.
                receiver.close();
                receiver
                    .try_recv()
                    .unwrap_or(Err(StoreError::Timeout(self.store_timeout)))
            }
        }
    }

    async fn record_shared(self: &Arc<Self>, ticket: SharedTicket, outcome: Outcome) {
        if !self.mode.should_ask_store(self.now_nanos()) {
            return;
        }
        match self
            .invoke::<()>(Op::Record(ticket, outcome), self.store_timeout)
            .await
        {
            Ok(reply) => self.accept(&reply),
            Err(error) => self.fall_back(&error),
        }
    }

    /// Redis answered: rejoin if local, remember what it said, report its transitions.
    fn accept<A>(&self, reply: &Reply<A>) {
        self.mode.rejoin(self.settings.name);
        if self.fast {
            self.follow(reply);
        }
        *self.seen.lock() = LastSeen {
            seen: reply.seen(),
            store_now: reply.now,
            at_nanos: self.now_nanos(),
        };
        self.report(&reply.transitions);
    }

    fn report(&self, transitions: &[Transition]) {
        if transitions.is_empty() {
            return;
        }
        let mut observer = self.observer.lock();
        for transition in transitions {
            observer.on_transition(self.settings.name, *transition);
        }
    }

    fn fall_back(&self, error: &StoreError) {
        let now = self.now_nanos();
        // What a fast handle counted is lost with the shared counts.
        *self.window.lock() = None;
        self.mode
            .fall_back(self.settings.name, now, error.what(), error, || {
                // Under the force's lock, so a local force set meanwhile
                // is on the breaker that stays.
                let force = self.local_force.lock();
                *self.local.lock() = self.resume_locally(now, *force);
            });
    }

    /// A local breaker that goes on from the shared state as last seen, so
    /// losing Redis never admits a call the shared breaker would reject:
    /// open until the same instant if it was seen open (then half-open,
    /// with its limit of trial calls); open for a fresh timeout if seen
    /// half-open (its trial calls may still be running elsewhere, as when a
    /// restarted Redis is re-seeded); closed with no counts otherwise.
    /// The local force, if any, is applied to it.
    fn resume_locally(&self, now_nanos: u64, force: Option<Force>) -> Local<O> {
        let last = *self.seen.lock();
        let fresh =
            CircuitBreaker::<_, _, MAX_BUCKETS>::new_rolling(self.settings, self.clock.clone())
                .expect("the settings were checked when the handle was built");
        let seen_for = Duration::from_nanos(now_nanos.saturating_sub(last.at_nanos));
        let resumed = match last.seen {
            Seen::OpenUntil(until) | Seen::ForcedOpenUntil(until) => {
                fresh.resumed_open(micros_between(last.store_now, until).saturating_sub(seen_for))
            }
            Seen::OpenFor(left) => fresh.resumed_open(left.saturating_sub(seen_for)),
            Seen::HalfOpen => fresh.resumed_open(self.settings.open_timeout()),
            Seen::Closed | Seen::Nothing => fresh,
        };
        let mut resumed = resumed.with_observer(Forward(self.observer.clone()));
        match force {
            Some(Force::Open) => resumed.force_open(),
            Some(Force::Closed) => resumed.force_closed(),
            None => {}
        }
        SharedBreaker::from_breaker(resumed)
    }

    /// What a store that lost the key should resume from: the shared state
    /// as last seen or, while local, what the local breaker (resumed from
    /// it) has decided since.
    fn seen_now(&self) -> Seen {
        if !self.mode.is_local() {
            return self.seen.lock().seen;
        }
        let local = self.local();
        Seen::local(local.state(), local.time_to_next_transition())
    }

    fn local(&self) -> Local<O> {
        self.local.lock().clone()
    }

    fn local_acquire(self: &Arc<Self>) -> Result<Ticket, Rejected> {
        let local = self.local();
        let ticket = BreakerRef::try_acquire(&local)?;
        Ok(self.ticket(Kind::Local(ticket)))
    }

    /// The state, counts and time to the next transition: from Redis (one
    /// round trip) or, while local or under a local force, from the local
    /// breaker (a shared force open wins over a local force closed).
    async fn read(&self) -> Reading {
        let local_force = *self.local_force.lock();
        if local_force != Some(Force::Open) && self.mode.should_ask_store(self.now_nanos()) {
            match self.invoke::<()>(Op::Read, self.store_timeout).await {
                Ok(reply) => {
                    self.accept(&reply);
                    let shared_force_open = reply.state == State::ForcedOpen;
                    if local_force.is_none() || shared_force_open {
                        return Reading {
                            state: reply.state,
                            counts: reply.counts,
                            next_transition: reply.time_to_next_transition(),
                            shared_force_open,
                        };
                    }
                }
                Err(error) => self.fall_back(&error),
            }
        }
        let local = self.local();
        Reading {
            state: local.state(),
            counts: local.counts(),
            next_transition: local.time_to_next_transition(),
            shared_force_open: self.mode.is_local() && self.seen_forced_open(),
        }
    }

    /// Whether the shared breaker was last seen forced open, by a force
    /// that has not ended since (on the handle's clock).
    fn seen_forced_open(&self) -> bool {
        let last = *self.seen.lock();
        let Seen::ForcedOpenUntil(end) = last.seen else {
            return false;
        };
        let seen_for = Duration::from_nanos(self.now_nanos().saturating_sub(last.at_nanos));
        micros_between(last.store_now, end) > seen_for
    }
}

impl<O: Observer + Send + 'static> Recorder for Inner<O> {
    fn key(&self) -> &str {
        &self.key
    }

    fn record(self: Arc<Self>, kind: Kind, outcome: Outcome) -> Recording {
        match kind {
            Kind::Local(ticket) => {
                BreakerRef::record(&self.local(), ticket, outcome);
                Box::pin(std::future::ready(()))
            }
            Kind::Shared(ticket) => {
                Box::pin(async move { self.record_shared(ticket, outcome).await })
            }
            Kind::Fast(ticket) => {
                if self.count_fast(ticket, outcome) {
                    Box::pin(async move { self.sync().await })
                } else {
                    Box::pin(std::future::ready(()))
                }
            }
        }
    }

    fn record_dropped(self: Arc<Self>, kind: Kind, outcome: Outcome) {
        match kind {
            Kind::Local(ticket) => BreakerRef::record(&self.local(), ticket, outcome),
            Kind::Shared(ticket) => {
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move { self.record_shared(ticket, outcome).await });
                }
            }
            Kind::Fast(ticket) => {
                if self.count_fast(ticket, outcome)
                    && let Ok(runtime) = tokio::runtime::Handle::try_current()
                {
                    runtime.spawn(async move { self.sync().await });
                }
            }
        }
    }
}

/// Fast mode (see `crate::fast`).
impl<O: Observer + Send + 'static> Inner<O> {
    /// Admits a call with no round trip, if the handle follows a closed
    /// shared breaker.
    fn fast_acquire(self: &Arc<Self>) -> Option<Ticket> {
        if self.mode.is_local() {
            return None;
        }
        let mut window = self.window.lock();
        let window = window.as_mut()?;
        window.batch.admit();
        let ticket = FastTicket {
            epoch: window.epoch,
            generation: window.generation,
            admitted_nanos: self.now_nanos(),
        };
        Some(self.ticket(Kind::Fast(ticket)))
    }

    /// Counts an outcome of a call admitted by [`fast_acquire`](Self::fast_acquire)
    /// (nothing if its generation is over; a success slower than the
    /// slow-call limit as a failure); whether it could trip the breaker, and
    /// so must be sent at once.
    fn count_fast(&self, ticket: FastTicket, outcome: Outcome) -> bool {
        let took = Duration::from_nanos(self.now_nanos().saturating_sub(ticket.admitted_nanos));
        let outcome = match (outcome, self.settings.slow_call) {
            (Outcome::Success, Some(limit)) if took > limit => Outcome::Failure,
            _ => outcome,
        };
        let mut window = self.window.lock();
        match window.as_mut() {
            Some(w) if (w.epoch, w.generation) == (ticket.epoch, ticket.generation) => {
                w.batch.count(outcome);
                w.batch.could_trip(w.seen, self.settings.ready_to_trip)
            }
            _ => false,
        }
    }

    /// Follows the shared state a reply gave: closed, admit here (in a new
    /// window if its generation is new); otherwise decide exactly.
    fn follow<A>(&self, reply: &Reply<A>) {
        let mut window = self.window.lock();
        *window = match *window {
            _ if reply.state != State::Closed => None,
            Some(w) if (w.epoch, w.generation) == (reply.epoch, reply.generation) => Some(Window {
                seen: reply.counts,
                ..w
            }),
            _ => Some(Window {
                epoch: reply.epoch,
                generation: reply.generation,
                seen: reply.counts,
                batch: Default::default(),
            }),
        };
    }

    /// Sends what was counted since the last sync (one script call) and
    /// follows the state in the reply. Nothing while not following a
    /// closed breaker.
    pub(crate) async fn sync(self: &Arc<Self>) {
        let op = {
            let mut window = self.window.lock();
            let Some(w) = window.as_mut() else { return };
            Op::Sync {
                epoch: w.epoch,
                generation: w.generation,
                batch: std::mem::take(&mut w.batch),
            }
        };
        match self.invoke::<()>(op, self.store_timeout).await {
            Ok(reply) => self.accept(&reply),
            Err(error) => self.fall_back(&error),
        }
    }

    /// Syncs every `period` in a task of its own, for as long as a handle
    /// is left.
    pub(crate) fn start_syncing(self: &Arc<Self>, period: Duration) -> Result<(), BuildError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| BuildError::NoRuntime)?;
        let handle = Arc::downgrade(self);
        runtime.spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await; // the first tick is at once
            loop {
                ticks.tick().await;
                let Some(inner) = handle.upgrade() else { break };
                inner.sync().await;
            }
        });
        Ok(())
    }
}

/// How long a call's script may still answer after the caller stopped
/// waiting for it (an admission that answers late is given back).
pub(crate) fn late_answer_limit(store_timeout: Duration) -> Duration {
    store_timeout.saturating_mul(20).max(Duration::from_secs(1))
}

/// Admission through futures, so `tripbreaker_tower`'s layer (or any code
/// written for local and shared breakers alike) can guard calls with it.
impl<O: Observer + Send + 'static> AsyncBreakerRef for RedisBreaker<O> {
    type Ticket = Ticket;
    type Acquire = Pin<Box<dyn Future<Output = Result<Ticket, Rejected>> + Send>>;
    type Record = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn acquire(&self) -> Self::Acquire {
        let this = self.clone();
        Box::pin(async move { this.try_acquire().await })
    }

    fn record(ticket: Ticket, outcome: Outcome) -> Self::Record {
        ticket.record(outcome)
    }
}

impl<O> std::fmt::Debug for RedisBreaker<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBreaker")
            .field("key", &self.inner.key)
            .field("mode", &self.inner.mode.get())
            .field("store_timeout", &self.inner.store_timeout)
            .finish_non_exhaustive()
    }
}
