//! The breaker's benchmarks, apart from the product's crates (their code is
//! in `benches/`):
//!
//! - `cargo bench -p breaker-bench --bench overhead`: what `tripbreaker`
//!   costs per call, beside `failsafe` and `recloser` configured alike;
//! - `cargo bench -p breaker-bench --bench shared_state`: what sharing it
//!   through Redis (`tripbreaker-redis`) costs, exact and fast, against a
//!   `redis-server` it starts on loopback, with a fleet of `fleet-process`
//!   children (`src/bin/fleet_process.rs`) among its measures;
//! - `cargo bench -p breaker-bench --bench keyed`: what the metrics observer
//!   costs per call, and the keyed layer's call with 1, 1,024 and 100,000 keys.
//!
//! `cargo xtask bench` runs them and puts their figures in BENCHMARKS.md.
//! This library is what the `shared_state` benchmark and its children
//! share: the breaker they guard calls with ([`settings`], [`Sharing`]),
//! the guarded call, and the lines they talk in ([`fleet`]).

pub mod fleet;
mod shared;

pub use shared::{Sharing, builder, guarded_call, handle, settings, warm_up, warm_up_all};
