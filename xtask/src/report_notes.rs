//! The reasons behind BENCHMARKS.md's figures, written once they were
//! profiled; `report` prints the profile note, and the reason that fits
//! each missed target.
//!
//! Every run prints these as they are, so they hold no figure of one run:
//! the figures come from the run's results, in the tables around them.

/// What `perf` showed on the breaker benchmarks, and how the hot paths are built.
pub const BREAKER_PROFILE: &str = "\
**What the profile showed, and how the hot paths are built.** `perf annotate`
once put most of the core's time on one load after `try_acquire` returned:
the `Result<Ticket, Rejected>` went back through memory in 8-byte stores read
by 16-byte loads, which defeats store-to-load forwarding. So `try_acquire`
and `record` are inlined into the caller, state changes and new buckets are
`#[cold]` and out of line, and a steadily closed breaker without an interval
reads no clock. The state machine otherwise reads top to bottom as
gobreaker's does (before the call, after it, on success, on failure, the
state as of now, a new generation, a new bucket).
`SharedBreaker` does not lock while it is steadily closed with no interval
and no slow-call rule (gobreaker's defaults): admission and a success are one
compare-and-swap each on a word of pending counts, which the lock folds into
the breaker before anything else reads or changes it. Failures, exclusions,
other states and a timed window (the Go demo's 10 s interval, the \"lock
path\" row) take a `parking_lot::Mutex` twice per call.
";

/// Why the single-threaded core missed half the peers' cost in this run.
pub const SINGLE_THREAD_MISS: &str = "\
**Why the single-threaded target is missed in this run.** All three figures are
a few nanoseconds, so a run on a loaded machine can move them by more than the
margin; rerun `cargo xtask bench` on a quiet machine. If it stays missed,
`perf annotate` the `1 thread` benchmark as described above: a return value
going through memory again (a lost `#[inline]`) is the first suspect.
";

/// Why `SharedBreaker` on one thread costs more than half of failsafe in this run.
pub const SHARED_SINGLE_MISS: &str = "\
**Why `SharedBreaker` on one thread misses half of failsafe.** Its lock-free
path makes two atomic read-modify-writes per call (the admission, then the
success): the least that keeps its counts exact while other threads read
them or fail. Compare it with the row \"floor: two atomic read-modify-writes\"
of the same run: what is left above the floor is the breaker's own work.
failsafe's call costs about as many, so half of it would need fewer shared
writes, for example a counter per thread in its own cache line summed under
the lock: 64 bytes per thread per breaker, and a stale-generation check per
thread. Not taken: the two-thread figure, where the cost is the cache line
moving between cores, is what a shared breaker is for.
";

/// Why two threads on one `SharedBreaker` cost more than the faster peer in this run.
pub const TWO_THREADS_MISS: &str = "\
**Why the two-thread target is missed in this run.** Two threads on one
breaker measure how a cache line moves between the cores, which varies a lot
from run to run on a shared machine (recloser's own figure moves by several
times between runs here). Both sides are lock-free on this path, so what is
left is one cache line moving between the cores twice per call; rerun
`cargo xtask bench` on a quiet machine before reading more into it.
";

/// How the load benchmark is set up, and what limits it.
pub const LOAD: &str = "\
The server runs as its own release process; the load generator (and the bare
handler, in the generator's process) share the machine's cores, so every
setup is limited by the same machine. Each setup opens its connections
(with `TCP_NODELAY`, as tonic does) before its clock starts and spreads the
requests in flight evenly over them. h2 multiplexes a connection's requests;
HTTP/1.1 carries one at a time, so at one connection the others wait their
turn and their wait is part of the latency. gRPC-Web over h2 is cleartext
with prior knowledge, as the native gRPC client speaks it. The bare handler
serves HTTP/1.1 and h2 on one port. The clients differ as the protocols do:
native gRPC goes through tonic's client (its buffer task and codec), gRPC-Web
through a bare hyper connection, and the client's cost counts because it
shares the cores with the server. The server logs calls at `info`; the
benchmark runs it with `RUST_LOG=error`. `loadtest --peer URL` measures any
other gRPC-Web server in the same setups and the same run (with
`--web-http 1.1` for one that has no cleartext h2).
";

/// How the page is built.
pub const PAGE: &str = "\
Built with `[profile.wasm-release]` (opt-level z, fat LTO, one codegen unit,
panic = abort) and `wasm-opt -Oz` (binaryen 132), then flattened,
re-relooped and optimised again until nothing changes (`--flatten
--rereloop -Oz --converge`), assuming no implicit traps (`-iit`: Rust
checks divisors and bounds itself and converts floats with saturation);
wasm-opt also drops the custom sections no browser reads (producers,
target features), and the name section is not shipped. The page's heap is `talc`'s, not std's dlmalloc
(`web/src/allocator.rs`).
";

/// What was cut from the page's wasm, what was tried and not kept, and what
/// takes the space now.
pub const PAGE_CUTS: &str = "\
**What was cut.** Float printing: the countdown's `{:.1}`, the flaky
ratio's `{:.0}` and the countdown bar's `f64` attribute values each linked
Rust's float formatting (`<f64 as Display>`, Grisu, Dragon4 and their
tables); the page shows these numbers from integers now
(`web/src/format.rs`). A new `f64` in a view (text, attribute or SVG
coordinate) brings it all back: format through those helpers or integers.
`parking_lot` in the page: the page's client is a `SharedBreaker`, which
needs the breaker's `std` feature; on single-threaded wasm its lock is now
std's mutex, a flag there, instead of `parking_lot`'s parking table
(natively it is still `parking_lot`'s). The producers and target-features
sections. Then, each measured on the whole build when it was cut (raw /
gzip): Leptos' `AnyView`, of which the page now has none: the three views
that switch shape (the greeting, the server's status, a setting's input)
are an `EitherOf3` instead of `.into_any()`, and `<Show>`, whose fallback
is an `AnyView`, became a memo and an `Option` (-8.5 / -3.7 KiB: the
type-erased build, rebuild and unmount code goes with the last `AnyView`);
every effect of the page through one boxed `Effect::new`
(`web/src/effect.rs`), so Leptos' effect task is built once instead of
once per closure (-4.0 / -1.2 KiB); the page's state as one context
(`state::Page`) instead of six, so Leptos' context lookup is built once
instead of once per type (-4.3 / -1.1 KiB); wasm-opt's `--flatten
--rereloop -Oz --converge` after `-Oz` (-2.1 / -1.0 KiB); `talc` as the
global allocator (-1.4 / -0.6 KiB: std still keeps a sliver of dlmalloc
for its thread handles, which Leptos' thread checks reach); wasm-opt's
`-iit` (-1.4 / -0.9 KiB). The page
gained its state diagram, timeline and Go demo player after ce315f9 (most
of the growth of `web` and `greeter_client` in the table above); on that
same page, from main at c786f74 to this build, the cuts since take 20.5
KiB raw, 7.9 KiB gzip and 6.8 KiB brotli off the wasm.

**Looked at and kept, with the reason.** `humantime`, about 4 KiB raw,
most of it the parser matching every unit's spellings (its parser is the
one the CLI, the URL query and the settings panel share, so a value means
the same everywhere); `form_urlencoded` (the query, both ways); two copies
of `base64` (`tonic` and `tonic-web-wasm-client` pin different majors) and
of `wasm-streams` (0.5 comes with Leptos' `server_fn` and exports its JS
classes whether used or not); `indexmap`, which comes with Leptos
(`reactive_graph`, and `tachys`' keyed list), not from the page; the
`Debug` impls of every error type that ends up behind a `dyn Error` (a
`tonic::Status` source) or an `unwrap`: what reaches `<str as Debug>` and
`char::escape_debug` are dependencies' `Debug` impls called through
vtables (`tonic-web-wasm-client`'s error, `bytes`, `http`). No `serde`,
`url`, `getrandom` or `tracing` code reaches the wasm, and Leptos is built
with `csr` only (`cargo tree -e features` shows no `hydrate`, `ssr`,
`islands`, `tracing` or `nightly`). Rust 1.95 already builds
`wasm32-unknown-unknown` with bulk memory, non-trapping float-to-int,
sign extension, multi-value, reference types and mutable globals, so no
target feature is left to turn on; the release profile the wasm profile
inherits already has no overflow checks or debug assertions, and
`lto = true` is fat LTO.
**Tried and not kept** (each measured on the whole build): opt-level `s`
instead of `z`, Leptos' `--cfg erase_components` and LLVM's inline
threshold at 0 (all larger); `.into_any()` at every component's boundary
(15 KiB gzip larger: each erased view brings its own build, rebuild and
unmount code); reactive texts and attributes as `Signal::derive`, so views of the
same type share their render code (3 KiB gzip larger: the derived
signal's own machinery costs more), or as boxed closures, so each value
type shares one copy (-1.2 / -0.3 KiB for 18 texts and attributes: not
worth a type of its own); Leptos' `delegation` (larger), and its default
features off (no change: `csr` is all that reaches the wasm); wasm-opt's
`--traps-never-happen`, `--low-memory-unused` and `--zero-filled-memory`
(-1.2 KiB gzip more together, for assumptions about the stack's bottom
and about traps that Rust's aborts rely on); gzip by zopfli (-4.5%, so
still over the target); `lol_alloc`'s free-list allocator (0.5 KiB gzip smaller
than `talc`, but each allocation and free walks the whole free list, on
a page that allocates for as long as it is open); `talc`'s
`disable-realloc-in-place` (0.1 KiB gzip, for a copy on every growth);
wasm-opt `-Os`, `--gufa`, `--monomorphize`,
`--merge-similar-functions`, `--duplicate-function-elimination`,
`--dae-optimizing` or the reordering passes (no gain, or larger); building
without reference types (wasm-bindgen refuses: std is built with them);
the logs' keyed `<For>` as a plain list (smaller by the keyed diff, but
each new line would rebuild the whole list, losing a reader's place and
selection).

**What takes the space now.** Leptos (`tachys`, `reactive_graph`, and the
page's own view code in `web`, where every element's type is spelled out),
Rust's `core`/`alloc` (formatting, and the drop glue and iterators made for
everyone's types), the gRPC stack (`http`, `tonic`,
`tonic-web-wasm-client`, `prost`, `bytes`), and strings and tables
(`http`'s header names and status texts, gRPC code descriptions, the
page's HTML templates, panic locations). `twiggy dominators` finds most
functions reachable only through the indirect function table (Leptos'
reactive closures, trait objects), which wasm-opt cannot prune.
";

/// Why the page's wasm is over its gzip target.
pub const PAGE_MISS: &str = "\
**Why the size target is missed.** The floor pages above show it: Leptos
and tonic's generated client over `tonic-web-wasm-client`, with the
page's breaker-guarded client around it, take most of the 150 KiB before
the page draws anything of its own, and the features the page is asked
for need more than is left. Each feature's cost, measured by building the
page without it (2026-11-28, `gzip -9`, with the state behind it kept
unless only that view reaches it): the settings panel 5.6 KiB, the fault
controls 5.3, the Go demo player 5.2, the name form and its buttons 4.8,
the countdown 3.0, the state diagram 2.6, the timeline 2.1, the greeting
1.4, the counters 1.2, the state badge 1.0, the query's problems 0.6, the
two logs 0.7; the rest is the state behind them (the calls, the settings'
parser, the fault client, the breaker's view) and the Leptos machinery
they share. Typed Leptos views are what costs: the badge, one element
with two reactive parts, is 1 KiB gzip; the diagram and the timeline are markup already (as
typed views they cost 23 KiB gzip more), and writing every view that way
would leave a page that is Leptos in name only. Calling SayHello with
`prost` and `fetch` directly would drop `http`, `tonic` and `tower`, but
the page is meant to use tonic's generated client over
`tonic-web-wasm-client`, the same code path as the CLI; `-Zbuild-std`
with `panic_immediate_abort` would drop the panic messages and the
formatting and `Debug` code only they reach, but needs a nightly
toolchain, and the project pins stable 1.95.
";

/// Why gRPC-Web may fall under 0.6x the bare handler.
pub const LOAD_BARE_MISS: &str = "\
**Why gRPC-Web is under 0.6x the bare handler where it is.** Per request
the server does what the bare handler skips: the CORS layer, the shared
concurrency limit (a semaphore), the deadline layer, the call-log layer (a
span and a timer even when `RUST_LOG=error` filters the line out), tonic-web's
translation of the gRPC-Web body and trailers, tonic's router, and
protobuf decoding and encoding. The bare handler also runs inside the load
generator's process, so it is spared a second process's scheduling on the
shared cores. A ratio near the target moves across it from run to run on a
shared machine.
";

/// Why gRPC-Web may fall under 0.9x native gRPC.
pub const LOAD_NATIVE_MISS: &str = "\
**Why gRPC-Web is under 0.9x native gRPC where it is.** Every gRPC-Web call
pays tonic-web's translation of its body and trailers, which native gRPC
skips. Over HTTP/1.1 a connection also carries one call at a time where h2
multiplexes them, which costs most when the connections are fewer than the
calls in flight.
";

/// How the shared-state benchmark is set up.
pub const SHARED_STATE_SETUP: &str = "\
Against Debian's `redis-server` on loopback, started by the benchmark with no
persistence. Each client is a task with its own connection; every call admits
and records a success in the closed state, with the Go demo's settings.
";

/// How to read the shared-state figures.
pub const SHARED_STATE_READING: &str = "\
A shared call is two script runs on Redis' single thread, so one Redis caps
the guarded calls a second whatever the number of clients, and a plain `GET`
stays several times cheaper. The local breaker is orders of magnitude cheaper
again: share state where the dependency's calls cost milliseconds, not in a
hot loop.
";
