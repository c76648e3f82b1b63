//! The project's tasks, run as `cargo xtask <task>`:
//!
//! - `cargo xtask test`: installs whatever is missing (rustup targets,
//!   Chromium and chromedriver, wasm-bindgen-cli at the version in
//!   Cargo.lock, trunk, wasm-opt) and runs every test: lints, native, no_std,
//!   wasm in headless Chromium, and end to end.
//! - `cargo xtask demo`: installs what is missing, builds the page and starts
//!   the server serving it, printing the URL to open.
//! - `cargo xtask bench`: every benchmark (`bench/`), and BENCHMARKS.md
//!   rewritten; `cargo xtask bench --only page`: the page alone, and its
//!   blocks; `--report-only`: BENCHMARKS.md rewritten from the last run.
//! - `cargo xtask screenshots`: the page in its three states, for README.
//! - `cargo xtask install`: only the installs.

mod bench;
mod process;
mod progress;
mod steps;
mod test_server;
mod tools;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "The project's tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install what is missing, then run every test.
    Test {
        /// Run only these stages (all when omitted).
        #[arg(long, value_enum, value_delimiter = ',')]
        only: Vec<steps::Stage>,
    },
    /// Install what is missing, build the page and serve the demo.
    Demo {
        /// Where the server listens.
        #[arg(long, default_value = "127.0.0.1:50051")]
        addr: String,
    },
    /// Run every benchmark and rewrite BENCHMARKS.md and its chart.
    Bench {
        /// Run only this part and rewrite only its blocks.
        #[arg(long, value_enum)]
        only: Option<bench::Part>,
        /// Run nothing: rewrite BENCHMARKS.md from the results the last run
        /// kept in target/.
        #[arg(long)]
        report_only: bool,
    },
    /// Build the page and write docs/screenshots/{closed,open,half-open}.png.
    Screenshots,
    /// Install what is missing (tools for the browser build and tests).
    Install {
        /// Which tools (all but twiggy, which only `bench` needs, when omitted).
        #[arg(long, value_enum, value_delimiter = ',')]
        only: Vec<tools::Tool>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.task {
        Task::Test { only } => steps::test(&only),
        Task::Demo { addr } => steps::demo(&addr),
        Task::Bench { only, report_only } => bench::bench(only, report_only),
        Task::Screenshots => steps::screenshots(),
        Task::Install { only } => tools::install(if only.is_empty() {
            tools::EVERYDAY
        } else {
            &only
        })
        .map(|_| ()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: {error:#}");
            ExitCode::FAILURE
        }
    }
}
