//! The guarded greeter client that the CLI (`client`) and the page (`web`)
//! both call through: one set of [`Settings`], each named, bounded and
//! parsed by its row of [`SETTINGS`], the breaker and its [`tower` layer](tripbreaker_tower) with the
//! chosen classifier, the deadline, one [`RetryPolicy`], and the Go demo's
//! spelling ([`reply_line`], [`go_style::transition`]) and its story
//! ([`go_demo::play`]). Several servers, each with its own breaker, are
//! one [`Balanced`] client.
//!
//! The breaker is the local [`Breaker`] by default; a [`Greeter`] takes any
//! [`Guard`]. Natively, feature `shared-state` adds `ChosenBreaker`: the
//! local breaker or one shared by many processes through Redis, chosen at
//! start (the CLI's `--shared-state`). The page never enables it.
//!
//! What differs between a native program and the browser (the transport,
//! the clock, how to wait) is chosen by the target: tonic's `Channel`, the
//! monotonic clock and tokio natively; gRPC-Web over `fetch`,
//! `performance.now()` and a JS timer on `wasm32`. The rest is one copy.
//!
//! ```no_run
//! # async fn run() -> Result<(), greeter_client::Error> {
//! use tripbreaker::Transition;
//! use greeter_client::{Greeter, Settings, reply_line};
//!
//! let settings = Settings { retries: 2, ..Settings::default() };
//! let greeter = Greeter::new(
//!     "http://127.0.0.1:50051",
//!     settings,
//!     Box::new(|name: &str, t: Transition| {
//!         println!("{}", greeter_client::go_style::transition(name, t))
//!     }),
//! )?;
//! let call = greeter.say_hello("World").await;
//! println!("{}", reply_line(&call.reply)); // Greeting: Hello World
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod balanced;
#[cfg(feature = "cli")]
mod cli;
mod error;
pub mod go_demo;
pub mod go_style;
mod greeter;
mod guard;
mod platform;
mod reply;
mod retry;
mod server;
mod settings;
#[cfg(all(feature = "shared-state", not(target_arch = "wasm32")))]
mod shared_state;

pub use balanced::{Balanced, BalancedCall, DEFAULT_MAX_EJECTION_PERCENT};
pub use error::Error;
pub use go_style::reply_line;
pub use greeter::{Breaker, Call, Greeter, TransitionSink, local_breaker};
pub use guard::Guard;
pub use platform::{Clock, Transport, sleep, transport};
pub use reply::Reply;
pub use retry::{RetryPolicy, is_transient};
pub use server::parse_server;
pub use settings::{ClientErrors, Kind, SETTINGS, Setting, Settings, show_duration};
#[cfg(all(feature = "shared-state", not(target_arch = "wasm32")))]
pub use shared_state::{
    ChosenBreaker, ChosenTicket, RedisGuard, parse_redis_url, redis_breaker, redis_url_for_logs,
};
