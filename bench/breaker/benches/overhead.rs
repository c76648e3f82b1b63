//! What the breaker costs per call, next to the Rust peers `failsafe` 1.3 and
//! `recloser` 1.4 configured alike (trip on failures, closed state): admit
//! plus record a success, single-threaded and with 2 threads on one shared
//! breaker; plus tripbreaker's open-state rejection and half-open paths.
//!
//! `cargo bench -p breaker-bench --bench overhead`

#[path = "overhead/native.rs"]
mod native;

criterion::criterion_main!(native::benches);
