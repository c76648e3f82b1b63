//! The greeter demo in the browser: a Leptos page (client-side rendered,
//! `wasm32-unknown-unknown`) that reproduces the Go circuit-breaker demo
//! and makes the breaker visible.
//!
//! Every SayHello goes through `greeter_client::Greeter`, the client the
//! CLI uses too: gRPC-Web (`tonic-web-wasm-client`) through the breaker's
//! tower layer, with its deadline and retries. The page shows the breaker's
//! state the moment it changes (open → half-open included, from a timer set
//! with `time_to_next_transition()`), a countdown while it is open, the Go
//! demo's lines for transitions and calls, the counts, the settings (also
//! read from the URL query) and the server's fault controls; a state
//! diagram of the breaker (its arrows labelled from the settings, the one
//! just taken flashing) and a timeline of the last minute's calls; and it
//! plays the Go demo itself at one click (`greeter_client::go_demo`, the
//! story the CLI plays), with the Go demo's settings and pacing. When the
//! server shares breakers with a fleet, it lists them, follows them live
//! (a gRPC-Web server stream of `breaker.v1.Fleet`, reconnecting with a
//! backoff) and forces or releases them.
//!
//! Query parsing, the page's logs, the shared breakers as the page holds
//! them, the reconnect backoff, the diagram ([`diagram`]) and the
//! timeline's window ([`timeline`]) are plain Rust and build everywhere;
//! the page itself (`mount`, `mount_with`) only for `wasm32`.
//!
//! # The address
//! By default the page calls the server it was loaded from (the server
//! itself, or `trunk serve`, which proxies `/greeter.Greeter/`,
//! `/greeter.Faults/` and `/breaker.v1.Fleet/` to `127.0.0.1:50051`). The
//! query overrides that and every setting, so a link reproduces a scenario:
//! `/?server=http://127.0.0.1:50051&timeout=2s&max_requests=2&trip=3&deadline=500ms&retries=2&client_errors=exclude`
//! (durations as `5s`, `500ms`; bad values are shown and the default used).
//!
//! # Build, serve, test (from the workspace root)
//! ```text
//! cargo xtask install                        # trunk, wasm-bindgen, wasm-opt, the crates
//! cargo run -p server &                      # 127.0.0.1:50051
//! trunk serve                                # http://127.0.0.1:8080
//!
//! trunk build --release
//! ./target/debug/server --static-dir dist    # http://127.0.0.1:50051/
//!
//! ./target/debug/server --addr 127.0.0.1:50081 --faults on &
//! GREETER_URL=http://127.0.0.1:50081 cargo test -p web --target wasm32-unknown-unknown --tests
//! ```
//!
//! ```
//! let config = web::Config::from_query("?timeout=2s&max_requests=2&trip=3", "http://localhost:8080");
//! assert!(config.problems.is_empty());
//! assert_eq!(config.settings.breaker_settings().max_requests, 2);
//! ```
#![warn(missing_docs)]

mod config;
pub mod diagram;
pub mod timeline;
// Used by the page; plain Rust, so their unit tests run natively too.
#[cfg(any(target_arch = "wasm32", test))]
mod backoff;
#[cfg(any(target_arch = "wasm32", test))]
mod fleet_list;
#[cfg(any(target_arch = "wasm32", test))]
mod fleet_messages;
#[cfg(any(target_arch = "wasm32", test))]
mod format;
#[cfg(any(target_arch = "wasm32", test))]
mod log;
#[cfg(any(target_arch = "wasm32", test))]
mod reply;

pub use config::Config;
#[cfg(target_arch = "wasm32")]
pub use reply::FALLBACK_GREETING;

#[cfg(target_arch = "wasm32")]
mod allocator;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
pub mod faults;
#[cfg(target_arch = "wasm32")]
mod fleet;
#[cfg(target_arch = "wasm32")]
mod mount;
#[cfg(target_arch = "wasm32")]
mod state;

#[cfg(target_arch = "wasm32")]
pub use mount::{Mounted, mount, mount_with};
#[cfg(target_arch = "wasm32")]
pub use state::BURST;
