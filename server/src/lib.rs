//! The greeter demo server as a library: gRPC, gRPC-Web (binary and base64
//! text) and the built front end on one port, with CORS for loopback origins
//! and fault controls to show a failing service and its recovery.
//!
//! The binary (`cargo run -p server`) only parses flags ([`cli::Args`]), sets
//! up logs and calls [`serve`]. Tests and end-to-end runs start the server
//! in-process with [`spawn`] (or [`spawn_on`] / [`serve`] on their own listener).
//!
//! ```no_run
//! # async fn run() -> Result<(), server::Error> {
//! use server::{Config, faults::Mode};
//!
//! let server = server::spawn(Config { addr: "127.0.0.1:0".parse().unwrap(), ..Config::default() }).await?;
//! server.faults().set_mode(Mode::Slow { delay: std::time::Duration::from_millis(500) });
//! // … call server.url() with a gRPC or gRPC-Web client …
//! println!("{:?}", server.faults().counters());
//! server.shutdown().await
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod app;
pub mod bench_layers;
pub mod cli;
pub mod config;
pub mod connections;
pub mod cors;
pub mod deadline;
mod error;
pub mod escape;
pub mod faults;
mod fd_limit;
pub mod file_budget;
pub mod fleet;
pub mod greeter;
mod guard;
pub mod host;
pub mod limit;
pub mod logging;
pub mod page_headers;
mod plain_text;
mod request_body;
mod rng;
pub mod routing;
mod serve;
pub mod signal;
pub mod static_files;
mod telemetry;

pub use config::{Config, FaultsSetting};
pub use error::Error;
pub use faults::{Counters, FaultState};
pub use greeter::{MAX_DECODING_MESSAGE_SIZE, MAX_NAME_CHARS};
pub use serve::{RunningServer, serve, serve_with_faults, spawn, spawn_on};
