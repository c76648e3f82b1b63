//! One gobreaker-style circuit breaker shared by many processes through
//! Redis: one state, one generation, one set of counts, one half-open
//! admission limit, whatever the number of processes.
//!
//! # How
//! The whole state machine of the core [`tripbreaker`] crate (gobreaker v2's
//! semantics, rolling windows included) is one Lua script that Redis runs
//! atomically: admitting a call is one script call (`EVALSHA`, loaded on
//! first use), recording its outcome at most one more, and no handle takes
//! a lock. gobreaker v2.1's `DistributedCircuitBreaker` takes a lock, reads,
//! writes and unlocks for every call.
//!
//! # Time
//! Only the Redis server's clock is read (`TIME`, in microseconds): clients
//! never send their time, so skew between client machines changes nothing.
//! Durations in the settings are rounded up to whole microseconds.
//!
//! # Where
//! On one Redis server (`redis://host[:port][/db]`) or on a Redis Cluster
//! (`redis-cluster://host:port[,host:port…]`: any nodes of it, masters or
//! replicas, to learn the cluster from; see [`Builder::connect`]). On a
//! cluster each call goes to the master of the breaker's slot, and the
//! client follows the slot when it moves or fails over.
//!
//! # Keys
//! One hash per breaker at `namespace:{name}` (default namespace `breaker`).
//! The braces are a cluster hash tag: the slot is that of `name` alone, so
//! everything one breaker keeps is in one slot, on one master, where one
//! script can reach it atomically (breakers of the same name in other
//! namespaces share that slot). Every call refreshes its expiry
//! ([`Builder::idle_expiry`], 1 hour by default, at least twice the longest
//! time in the settings). Its fields: `st`, `gen`, `epoch`, `start`, `exp`,
//! `ot`, `age` (the state machine), `t` and `w` (the counts and the rolling
//! window's buckets, MessagePack), `fp` and `cfg` (the settings, below),
//! and while a force lasts `fk`, `fend` and `frs` (below); a forced key
//! lives at least its idle expiry past the force's end.
//!
//! # Steering: a force for the whole fleet
//! [`RedisBreaker::force`] forces the shared breaker open ([`Force::Open`]:
//! every call rejected) or closed ([`Force::Closed`]: every call admitted
//! and counted, never tripping) for a time to live of at most
//! [`MAX_FORCE_TTL`], with a reason; [`RedisBreaker::release`] ends it and
//! [`RedisBreaker::forced`] reads it ([`Forced`]: what, why, how long
//! left). The force is three fields of the breaker's own hash, so it sits
//! in the breaker's slot on a cluster, and the script that runs every call
//! reads it first: every handle obeys at its next call, one round trip
//! after the force was set. The handle whose call applies it reports
//! `closed → forced-open` (or `forced-closed`) with [`tripbreaker::Reason::Forced`];
//! when the force is released or its time is up, the next call moves the
//! breaker to closed with fresh counts (a new generation, as when an
//! operator closes a resilience4j or Polly breaker), reported with
//! [`tripbreaker::Reason::Released`]. Setting a force needs no settings in
//! common with the handles it steers (the `client force` command uses the
//! defaults whatever the fleet runs) and records none; a force replaces
//! the one in effect. Time is the store's, as for the rest.
//!
//! While a handle is in its local fallback it cannot see a force set
//! meanwhile: it obeys when it rejoins. A force open it saw before it went
//! local holds on its local breaker until the force's end (then half-open,
//! as after any open state). A Redis that restarts empty loses the force
//! with the rest; a handle that saw it forced open re-seeds the key open
//! until the force's end.
//!
//! # Fast mode
//! In [`SharedMode::Exact`] (the default) every call is two script runs,
//! so one Redis caps the fleet at what its one thread runs and every call
//! pays a round trip. [`SharedMode::Fast`] (`Builder::shared_mode`) takes
//! the closed state off Redis: while the handle last saw the shared
//! breaker closed, it admits calls and counts their outcomes itself (no
//! round trip, no lock held across a call), and sends what it counted as
//! one script call (`sync`) every sync period `T` ([`DEFAULT_SYNC`],
//! 100 ms), whatever its call rate; each reply tells it the shared state.
//! A failure after which the shared counts it last saw plus its own would
//! trip the breaker is sent at once. The script adds a batch to the counts
//! of the closed generation it was counted in (a batch of an earlier
//! generation is dropped, as the core drops late outcomes), keeping the
//! streaks exact (`3 + 2` failures in a row trip `ConsecutiveFailures(5)`,
//! a success between them does not). Open and half-open are decided
//! exactly: a handle that last saw them asks Redis for every call, so
//! half-open admits at most `max_requests` trial calls across the fleet.
//! Redis runs about `H / T` scripts a second for `H` handles in steady
//! state. A state change does not wait for the syncs: every script run
//! that changes the state (and every force set or released) publishes on
//! `namespace:{name}:changed` (Redis pub/sub; on a cluster a publish
//! reaches every node), and each fast handle, subscribed through its URL's
//! first node that answers, stops admitting by itself when it hears of
//! it: its next call asks Redis. A handle whose subscription is down (it
//! resubscribes every probe interval), or whose Redis user the ACL denies
//! the channel, learns at its next sync.
//!
//! What fast mode gets late, with `H` handles each making `λ` calls a
//! second, a round trip `r`, and `ConsecutiveFailures(n)`:
//! - **failures past the trip point** (those an exact breaker would have
//!   refused, counted from the `n`-th failure in a row across the fleet):
//!   each handle keeps at most `n − 1` failures unsent, sends the next at
//!   once, and learns the state from that reply or from its sync, so the
//!   fleet makes at most `F ≤ H · min(n, ⌈λ · (T + r)⌉)` of them (plus the
//!   calls already in flight, as in exact mode). With `H = 16`, `n = 3`,
//!   `λ = 1000/s`, `T = 100 ms`: at most 48, where an exact breaker makes
//!   none past the trip point. Under `FailureRate`, `n` is replaced by the
//!   failures that trip from the counts a handle last saw: at most
//!   `⌈λ · (T + r)⌉` a handle;
//! - **a trip's news**: another handle refuses from about one round trip
//!   `r` after the trip (the push), and at most `T + r` after it if its
//!   subscription is down (its next sync, or the reply to its next failure
//!   that could trip);
//! - **counts**: [`RedisBreaker::counts`] lags each handle's calls by at
//!   most `T`; under a rolling window a batch counts in the bucket current
//!   at its sync; a slow call is timed on the handle's clock, and a trip
//!   from a batch is reported as `ConsecutiveFailures` or `FailureRate`
//!   (never `SlowCall`); a batch pending when its closed generation ends (the
//!   `interval`, or a trip by others) or when the handle falls back to its
//!   local breaker is dropped with that generation's counts.
//!
//! # A local force against a shared one
//! [`RedisBreaker::force_locally`] forces one handle only, until
//! [`RedisBreaker::release_locally`], on its local breaker. One rule
//! decides between the two: **a force open wins, wherever it was set.**
//!
//! | this handle's force | shared force | a call through this handle |
//! |---|---|---|
//! | open | any, or none | rejected, without a round trip |
//! | closed | open | rejected (one round trip to learn it) |
//! | closed | closed, or none | admitted, counted by this handle's local breaker only |
//! | none | open / closed / none | as the shared breaker decides |
//!
//! So an operator's fleet-wide force open stops every handle, and a
//! process that stops calling a dependency of its own accord stays stopped
//! whatever the fleet is told; a handle forced closed never moves the
//! shared counts, so it cannot trip (or hold closed) the others' breaker.
//!
//! # The fleet: every shared breaker, seen and steered by name
//! [`Fleet`] reads a namespace's breakers with no settings of its own:
//! [`Fleet::list`] every breaker a handle said it used, each as a
//! [`BreakerView`] (the state in force now, counts, the force and its time
//! left, the handles seen in the last [`HANDLE_SEEN_FOR`]);
//! [`Fleet::changes`] the names of the breakers whose state changes, as
//! their scripts publish it; [`Fleet::force`] and [`Fleet::release`] by
//! name. Each handle says every [`DEFAULT_PRESENCE`] that it is alive (one
//! script call and one `ZADD`, off the calls' path; [`Builder::presence`]),
//! which fills the registry the fleet lists from.
//!
//! # One set of settings per breaker
//! The first handle to use a key records its settings in it: `cfg`, every
//! setting the script runs as `name=value` (`max_requests=3; window=none;
//! timeout=5s; …`), and `fp`, a stable hash of them (16 hex digits of
//! SHA-256). A handle whose settings differ is refused by every call: it
//! writes nothing and decides with its local breaker, and
//! [`RedisBreaker::check_settings`] (at start) returns a
//! [`SettingsConflict`] that names the settings that differ. A lost key is
//! recorded again by whichever handle comes next.
//!
//! # When Redis does not answer, or answers wrong
//! Every call waits at most the store timeout (50 ms by default). On a
//! timeout, a lost connection, or an answer the handle cannot use, the
//! handle says once, in one log line, what went wrong, reports
//! [`Mode::Local`], and decides with a local `tripbreaker::SharedBreaker`
//! of the same settings, asking Redis again at most once per probe
//! interval; the first sound answer rejoins the shared state. Answers it
//! cannot use: the key holding another type of value (`WRONGTYPE`: it is
//! left alone, delete it to share again), Redis at `maxmemory` refusing the
//! script's writes (`OOM`), the script's cache flushed where this handle
//! may not load it again (a flushed cache is otherwise loaded again by the
//! same call, `NOSCRIPT` then `SCRIPT LOAD`), a reply of the wrong shape
//! (fields no run of the script writes), another error from the script,
//! and other settings recorded under the name (above). No such answer
//! panics or writes. The local breaker resumes the shared state as
//! last seen, so losing Redis never admits a call the shared breaker would
//! reject: seen open, it stays open until the same instant and then admits
//! `max_requests` trial calls (its own: across handles that are all local
//! past the open timeout, up to one `max_requests` each); seen half-open (trial calls may be running
//! elsewhere), it is open for a fresh timeout; otherwise it starts closed.
//!
//! A Redis that restarts empty loses the shared counts and nothing else
//! that matters: every handle sends what it last saw with each call (while
//! local, what its local breaker decided), and a missing key is recreated
//! from it: open until the same instant if it was seen open, open for a
//! fresh timeout if seen half-open (its trial calls may still be running),
//! closed with zero counts otherwise. Tickets carry
//! the key's epoch (the time the key was created), so an outcome from
//! before the loss never counts after it.
//!
//! # Example
//! ```no_run
//! use tripbreaker::{Outcome, Settings, TripRule};
//! use tripbreaker_redis::RedisBreaker;
//! use std::time::Duration;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let settings = Settings {
//!     max_requests: 3,
//!     interval: Duration::from_secs(10),
//!     timeout: Duration::from_secs(5),
//!     ready_to_trip: TripRule::ConsecutiveFailures(3),
//!     ..Settings::new("greeter")
//! };
//! let breaker = RedisBreaker::builder(settings).connect("redis://127.0.0.1:6379")?;
//! // or, on a cluster: .connect("redis-cluster://10.0.0.1:7000,10.0.0.2:7000")?
//! match breaker.try_acquire().await {
//!     Ok(ticket) => {
//!         let worked = true; // make the call here
//!         let outcome = if worked { Outcome::Success } else { Outcome::Failure };
//!         breaker.record(ticket, outcome).await;
//!     }
//!     Err(rejected) => println!("not calling: {rejected}"),
//! }
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod builder;
mod changes;
mod error;
mod fast;
mod fingerprint;
mod fleet;
mod force;
mod handle;
mod mode;
mod script;
mod settings;
mod store;
mod ticket;

pub use builder::{
    Builder, DEFAULT_IDLE_EXPIRY, DEFAULT_NAMESPACE, DEFAULT_PROBE_INTERVAL, DEFAULT_STORE_TIMEOUT,
    check_url,
};
pub use error::BuildError;
pub use fast::{DEFAULT_SYNC, SharedMode};
pub use fingerprint::{Difference, SettingsConflict};
pub use fleet::{
    BreakerView, Changes, DEFAULT_PRESENCE, FLEET_TIMEOUT, Fleet, FleetError, HANDLE_SEEN_FOR,
    MAX_LISTED, MAX_NAME_LEN,
};
pub use force::{Force, ForceError, Forced, MAX_FORCE_TTL, MAX_REASON_LEN, check_force_ttl};
pub use handle::RedisBreaker;
pub use mode::Mode;
pub use settings::{MAX_BUCKETS, SettingsError};
pub use ticket::Ticket;
