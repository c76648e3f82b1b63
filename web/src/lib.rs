//! The greeter demo in the browser: a Leptos page (client-side rendered,
//! `wasm32-unknown-unknown`) that reproduces the Go circuit-breaker demo
//! and makes the breaker visible.
//!
//! Every SayHello goes over gRPC-Web (`tonic-web-wasm-client`) through
//! [`breaker_tower::CircuitBreakerLayer`] over a
//! `breaker::SharedBreaker<BrowserClock, _>`. The page shows the breaker's
//! state the moment it changes (open → half-open included, from a timer set
//! with `time_to_next_transition()`), a countdown while it is open, the Go
//! demo's lines for transitions and calls, the counts, the settings (also
//! read from the URL query) and the server's fault controls.
//!
//! Settings, query parsing and the demo's lines are plain Rust and build
//! everywhere; the page itself (`App`, `mount`, `mount_with`) only for
//! `wasm32`.
//!
//! # The address
//! By default the page calls the server it was loaded from (the server
//! itself, or `trunk serve`, which proxies `/greeter.Greeter/` and
//! `/greeter.Faults/` to `127.0.0.1:50051`). The query overrides that and
//! every setting, so a link reproduces a scenario:
//! `/?server=http://127.0.0.1:50051&timeout=2s&max_requests=2&trip=3&deadline=500ms&retries=2&client_errors=exclude`
//! (durations as `5s`, `500ms`; bad values are shown and the default used).
//!
//! # Build, serve, test (from the workspace root)
//! ```text
//! cargo run -p server &                      # 127.0.0.1:50051
//! trunk serve --offline                      # http://127.0.0.1:8080
//!
//! PATH="$PWD/.tools/binaryen/node_modules/.bin:$PATH" trunk build --release --offline
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
pub mod log;
mod reply;
mod settings;

pub use config::Config;
pub use log::{LogEntry, Tone, transition_line};
pub use reply::{FALLBACK_GREETING, Reply, greeting, line};
pub use settings::{ClientErrors, KEYS, MAX_RETRIES, Settings, show_duration};

#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod demo;
#[cfg(target_arch = "wasm32")]
pub mod faults;
#[cfg(target_arch = "wasm32")]
mod greeter;
#[cfg(target_arch = "wasm32")]
mod mount;

#[cfg(target_arch = "wasm32")]
pub use components::App;
#[cfg(target_arch = "wasm32")]
pub use demo::{BURST, Demo};
#[cfg(target_arch = "wasm32")]
pub use greeter::{Breaker, CallReport, Greeter, RETRY_BACKOFF, TransitionSink};
#[cfg(target_arch = "wasm32")]
pub use mount::{Mounted, mount, mount_with};
