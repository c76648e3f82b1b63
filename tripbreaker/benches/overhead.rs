//! What the breaker costs per call, next to the Rust peers `failsafe` 1.3 and
//! `recloser` 1.4 configured alike (trip on failures, closed state): admit
//! plus record a success, single-threaded and with 2 threads on one shared
//! breaker; plus this crate's open-state rejection and half-open paths.
//!
//! `cargo bench -p tripbreaker --bench overhead`

#[cfg(not(target_arch = "wasm32"))]
#[path = "overhead/native.rs"]
mod native;

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
