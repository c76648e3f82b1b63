//! The breaker's benchmarks, apart from the product's crates (their code is
//! in `benches/`):
//!
//! - `cargo bench -p breaker-bench --bench overhead`: what `tripbreaker`
//!   costs per call, beside `failsafe` and `recloser` configured alike;
//! - `cargo bench -p breaker-bench --bench shared_state`: what sharing it
//!   through Redis (`tripbreaker-redis`) costs, against a `redis-server` it
//!   starts on loopback;
//! - `cargo bench -p breaker-bench --bench keyed`: what the metrics observer
//!   costs per call, and the keyed layer's call with 1, 1,024 and 100,000 keys.
//!
//! `cargo xtask bench` runs both and puts their figures in BENCHMARKS.md.
