//! The page's heap: `talc` instead of std's `dlmalloc`.
//!
//! Chosen for size and for a page that allocates for as long as it is
//! open: talc's wasm allocator is a few KiB smaller than dlmalloc (see
//! BENCHMARKS.md), frees in O(1) into size-binned lists and merges
//! neighbouring free blocks, so a long-lived page neither slows down nor
//! fragments. `lol_alloc`'s free list is smaller still, but every
//! allocation and free walks the whole list (O(free blocks)), which a
//! Leptos page that rebuilds strings and closures each second makes long.

// Single-threaded wasm only: talc's cell has no lock (it refuses to build
// with the `atomics` target feature).
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
