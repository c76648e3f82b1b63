//! The native CLI that replays the Go circuit-breaker demo against the
//! greeter server, through the guarded client of `greeter_client`.
//!
//! `cargo run -p client` prints the demo's lines: `Greeting: Hello World`,
//! `Error calling SayHello: rpc error: code = InvalidArgument desc = Name cannot be empty`,
//! `Circuit Breaker 'greeter' changed from closed to open`,
//! `Error calling SayHello: circuit breaker is open`, and so on through
//! half-open and back to closed.
#![warn(missing_docs)]

mod config;
pub mod demo;

pub use config::Config;
pub use demo::{Report, run};
