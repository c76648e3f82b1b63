//! The greeter server, built and started for tests that call it from the
//! browser, and stopped when dropped.

use crate::process::{root, run};
use server_launcher::{Launch, ServerProcess};

/// Builds the server and starts it on a free port of 127.0.0.1 (the port
/// reported by the server itself) with the fault controls on.
pub fn start() -> anyhow::Result<ServerProcess> {
    run(&mut server_launcher::test_build(&root(), "server"))?;
    let server = Launch::new(root().join("target/debug/server"))
        .args(["--faults", "on"])
        .env("RUST_LOG", "warn")
        .start()?;
    println!("test server listening on {}", server.url());
    Ok(server)
}
