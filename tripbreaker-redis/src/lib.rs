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
//! window's buckets, MessagePack), `fp` and `cfg` (the settings, below).
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
mod error;
mod fingerprint;
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
pub use fingerprint::{Difference, SettingsConflict};
pub use handle::RedisBreaker;
pub use mode::Mode;
pub use settings::{MAX_BUCKETS, SettingsError};
pub use ticket::Ticket;
