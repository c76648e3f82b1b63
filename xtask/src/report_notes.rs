//! The reasons behind BENCHMARKS.md's figures, written once they were
//! profiled; `report` prints the one that fits a missed target.

/// Why the single-threaded core does not reach half the peers' cost.
pub const SINGLE_THREAD_MISS: &str = "\
**Why the single-threaded target is missed.** Profiled with `perf record` on the
benchmark: all three breakers do a handful of nanoseconds of work per call, so
the figure is mostly the call itself. This crate's core reads no clock in a
steady closed state without an interval (the first profile showed two
`Instant::now()` per call, ~40 ns, now gone) and avoids a division for the
current bucket (another ~8 ns). What is left is two calls (`try_acquire`,
then `record`, against one `call(closure)` for the peers), the generation
check of the ticket and the bookkeeping of both the window total and its
bucket, which gobreaker's semantics need. Halving the peers would mean dropping
generations or per-bucket counts, which would break conformance.
";

/// Why two threads on one `SharedBreaker` cost more than recloser.
pub const TWO_THREADS_MISS: &str = "\
**Why the two-thread target is missed.** `SharedBreaker` is a `Mutex` around the
core, taken twice per call (admission, then the outcome), so two threads
contend for one cache line twice per call; recloser's closed path is lock-free
(atomics and an epoch-based ring buffer). A lock-free closed path (atomic
counts and an atomic state word, taking the lock only for transitions) is the
way to reach it; it is not done yet.
";

/// How the load benchmark is set up, and what limits it.
pub const LOAD: &str = "\
The server runs as its own release process; the load generator (and the bare
handler, in the generator's process) share the same 2 cores, so every protocol
is limited by the same machine. Native gRPC multiplexes all requests on one
h2 connection; the HTTP/1.1 runs use one keep-alive connection per request in
flight. The server logs calls at `info`; the benchmark runs it with
`RUST_LOG=error`.
";

/// What takes the space in the page, and what was cut.
pub const PAGE: &str = "\
Built with `[profile.wasm-release]` (opt-level z, fat LTO, one codegen unit,
panic = abort) and `wasm-opt -Oz` (binaryen 132).
";
