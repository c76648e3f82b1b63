//! A circuit breaker with [sony/gobreaker]'s semantics that runs anywhere:
//! `#![no_std]`, no allocator, time injected by the caller.
//!
//! A breaker watches the outcomes of calls to a dependency. While **closed**
//! it lets calls through and counts them; when its [`TripRule`] says the
//! dependency is failing it **opens** and rejects calls at once, without
//! making them; after the open timeout it turns **half-open** and lets a few
//! trial calls through: enough successes close it, any failure opens it again.
//!
//! # Exactly gobreaker, where it claims to be
//! With the automatic states, gobreaker's settings and the outcomes success,
//! failure and excluded, every observable field matches gobreaker v2 on
//! every step: state, transitions, and all six counts, rolling windows
//! included (900 recorded cases, natively and in the browser, in
//! `tests/vectors/`). That covers gobreaker's rolling-window rules: a
//! streak loses an evicted bucket's share only when it spans the whole
//! window, and `ready_to_trip` runs after every failure recorded while
//! closed, even a late one no longer in the window.
//!
//! Where it differs, on purpose:
//! - **Counters saturate** at `u32::MAX` where gobreaker's wrap to 0 (after
//!   four billion calls in one generation a wrapped count would un-trip a
//!   failure-rate rule).
//! - **[`Settings::max_half_open_wait`]**, off by default: a trial call that
//!   never finishes no longer keeps the breaker half-open for ever.
//! - A ticket counts only at the breaker that issued it ([`Ticket`]).
//!
//! # What it adds
//! - runs without `std` (bare metal, `wasm32-unknown-unknown`): the [`Clock`]
//!   is yours; [`ManualClock`] drives it by hand, `MonotonicClock` (`std`)
//!   and `BrowserClock` (`browser`, `performance.now()`) are provided;
//! - permits ([`Permit`]) that free their half-open slot when dropped, so a
//!   cancelled call never wedges the breaker; a call that panics counts as a
//!   failure (with `std`), as in gobreaker's `Execute`;
//! - one-call APIs for plain functions ([`execute`]) and futures ([`call`]);
//! - extras that are off unless set, so the defaults are gobreaker's:
//!   [`Outcome::Excluded`], a slow-call rule, exponential backoff of the open
//!   timeout, manual overrides;
//! - state changes as values ([`Transition`]) given to an [`Observer`],
//!   each with its [`Reason`] and the counts it fired on, and
//!   [`CircuitBreaker::next_transition_at`] so a UI can schedule its redraw;
//! - a per-call hook ([`Observer::on_call`]: outcome, latency) for metrics,
//!   compiled away unless the observer asks for it ([`CallDetail`]);
//! - a breaker per key in a fixed number of slots ([`KeyedBreakers`]), still
//!   without an allocator;
//! - a size that is only what is used: a fixed-window breaker is its
//!   settings and a few words; a rolling one adds 24 bytes per bucket it
//!   has room for (`CircuitBreaker<C, O, BUCKETS>`).
//!
//! # Example: the Go demo's breaker, driven by a hand-moved clock
//! ```
//! use tripbreaker::{CircuitBreaker, ManualClock, Outcome, Settings, State, Transition, TripRule};
//! use core::time::Duration;
//!
//! let clock = ManualClock::new();
//! let settings = Settings {
//!     max_requests: 3,
//!     interval: Duration::from_secs(10),
//!     timeout: Duration::from_secs(5),
//!     ready_to_trip: TripRule::ConsecutiveFailures(3),
//!     ..Settings::new("greeter")
//! };
//! let mut lines = Vec::new();
//! let mut breaker = CircuitBreaker::new(settings, &clock)?.with_observer(
//!     |name: &str, t: Transition| lines.push(format!("Circuit Breaker '{name}' changed from {} to {}", t.from, t.to)),
//! );
//! for _ in 0..3 {
//!     let ticket = breaker.try_acquire()?;
//!     breaker.record(ticket, Outcome::Failure);
//! }
//! assert_eq!(breaker.state(), State::Open);
//! clock.advance(Duration::from_millis(5_001));
//! for _ in 0..3 {
//!     let ticket = breaker.try_acquire()?;
//!     breaker.record(ticket, Outcome::Success);
//! }
//! assert_eq!(breaker.state(), State::Closed);
//! drop(breaker);
//! assert_eq!(lines, [
//!     "Circuit Breaker 'greeter' changed from closed to open",
//!     "Circuit Breaker 'greeter' changed from open to half-open",
//!     "Circuit Breaker 'greeter' changed from half-open to closed",
//! ]);
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```
//!
//! # Example: a shared breaker around async calls, on the OS clock
//! ```
//! # #[cfg(feature = "std")] {
//! use tripbreaker::{CallError, MonotonicClock, Settings, SharedBreaker};
//!
//! let breaker = SharedBreaker::new(Settings::new("native"), MonotonicClock::new()).unwrap();
//! let result: Result<&str, CallError<std::io::Error>> =
//!     futures_executor::block_on(breaker.call(|| async { Ok("Hello World") }));
//! match result {
//!     Ok(greeting) => println!("Greeting: {greeting}"),
//!     Err(error) => println!("Error calling SayHello: {error}"),
//! }
//! # }
//! ```
//!
//! [sony/gobreaker]: https://github.com/sony/gobreaker
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

mod admission;
mod breaker;
mod call;
mod clock;
mod counts;
mod keyed;
mod observer;
mod outcome;
mod permit;
mod rejected;
mod settings;
#[cfg(feature = "std")]
mod shared;
mod state;
mod ticket;
mod transition;
mod window;

pub use admission::AsyncBreakerRef;
pub use breaker::CircuitBreaker;
pub use call::{call, execute};
#[cfg(feature = "browser")]
pub use clock::BrowserClock;
#[cfg(target_has_atomic = "64")]
pub use clock::ManualClock;
#[cfg(all(
    feature = "std",
    not(all(target_arch = "wasm32", target_os = "unknown"))
))]
pub use clock::MonotonicClock;
pub use clock::{Clock, Instant};
pub use counts::Counts;
pub use keyed::{KeyedBreakers, KeyedRejected, KeyedTicket};
pub use observer::{CallDetail, CallReport, Observer};
pub use outcome::{Classify, ErrorIsFailure, Outcome};
pub use permit::{BreakerRef, Permit};
pub use rejected::{CallError, Rejected};
pub use settings::{Backoff, DEFAULT_TIMEOUT, Settings, SettingsError, TripRule};
#[cfg(feature = "std")]
pub use shared::SharedBreaker;
pub use state::State;
pub use ticket::Ticket;
pub use transition::{Reason, Transition};
