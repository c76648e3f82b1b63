//! `trunk serve` as a developer runs it, started by a test and stopped when
//! dropped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// How long the first debug build of the page may take on a cold cache.
const FIRST_BUILD: Duration = Duration::from_secs(900);
/// How long the log must stay quiet, after a successful build, to count as settled.
const QUIET: Duration = Duration::from_secs(3);

/// A running `trunk serve`, killed when dropped.
pub struct TrunkServe {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for TrunkServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl TrunkServe {
    /// Starts `trunk serve --offline` from the workspace root `root` on a
    /// free loopback port, building into its own dist directory and logging
    /// to `target/e2e/trunk-serve.log`.
    pub fn start(root: &Path) -> TrunkServe {
        let port = server_launcher::child_port().expect("a free loopback port");
        let log = root.join("target/e2e/trunk-serve.log");
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        let file = std::fs::File::create(&log).unwrap();
        let child = Command::new("trunk")
            .args(["serve", "--offline", "--no-autoreload"])
            .args(["--port", &port.to_string()])
            .args(["--dist", "target/e2e/trunk-serve-dist"])
            .current_dir(root)
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .expect("trunk is installed (cargo xtask install --only trunk)");
        TrunkServe { child, port, log }
    }

    /// The page's address.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What trunk has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until trunk listens and its builds have settled: every build it
    /// started has succeeded and the log has been quiet for a moment. trunk
    /// rebuilds once right after it starts serving, and a page loaded while
    /// it swaps `dist/` asks for wasm files that are gone.
    pub async fn wait_until_settled(&mut self) {
        let started = Instant::now();
        let mut last_len = 0;
        let mut quiet_since = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("trunk serve exited with {status}; its log:\n{}", self.log());
            }
            let log = self.log();
            if log.contains("❌ error") {
                panic!("trunk serve failed to build the page; its log:\n{log}");
            }
            if log.len() != last_len {
                last_len = log.len();
                quiet_since = Instant::now();
            }
            let builds = log.matches("starting build").count();
            let successes = log.matches("✅ success").count();
            let listening = TcpStream::connect(("127.0.0.1", self.port)).is_ok();
            if listening && builds > 0 && builds == successes && quiet_since.elapsed() >= QUIET {
                return;
            }
            assert!(
                started.elapsed() < FIRST_BUILD,
                "trunk serve did not settle within {FIRST_BUILD:?}; its log:\n{log}"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}
