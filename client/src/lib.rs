//! The native CLI that replays the Go circuit-breaker demo against the
//! greeter server, through the guarded client of `greeter_client`.
//!
//! `cargo run -p client` prints the demo's lines: `Greeting: Hello World`,
//! `Error calling SayHello: rpc error: code = InvalidArgument desc = Name cannot be empty`,
//! `Circuit Breaker 'greeter' changed from closed to open`,
//! `Error calling SayHello: circuit breaker is open`, and so on through
//! half-open and back to closed. `--calls N` calls steadily instead, and
//! `--shared-state redis://…` shares the breaker with every client on the
//! same Redis. `client force open|closed|release --shared-state …` steers
//! that shared breaker for every client on it.
#![warn(missing_docs)]

pub mod calls;
mod config;
pub mod demo;
pub mod force;
pub mod metrics;

pub use calls::{Tally, repeat};
pub use config::{Command, Config, ModeFlag, SharedStore, UsageError};
pub use demo::{Report, run};
