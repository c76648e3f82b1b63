//! The page's heap: `talc` instead of std's `dlmalloc`.
//!
//! Measured on the page (BENCHMARKS.md): talc saves 1.4 KiB raw and 0.6 KiB
//! gzip over dlmalloc (std keeps a sliver of dlmalloc for its thread
//! handles either way). `lol_alloc`'s free list saves 1.0 KiB raw and 0.5 KiB
//! gzip more, but each of its allocations and frees walks the whole free
//! list, and this page allocates for as long as it is open (strings and
//! closures redrawn each second); talc's are O(1), into size-binned free
//! lists with neighbours merged, so the page neither slows down nor
//! fragments the longer it runs.

// Single-threaded wasm only: talc's cell has no lock (it refuses to build
// with the `atomics` target feature).
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
