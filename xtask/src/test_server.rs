//! The greeter server, started for tests that call it from the browser and
//! stopped when dropped.

use crate::process::{cmd, root, run};
use anyhow::{Context, bail};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server process on a free loopback port.
pub struct TestServer {
    child: Child,
    addr: SocketAddr,
}

impl TestServer {
    /// Builds the server and starts it on a free port of 127.0.0.1 with the
    /// fault controls on, serving `static_dir` if given; waits (at most 30 s)
    /// until it accepts connections.
    pub fn start(static_dir: Option<&str>) -> anyhow::Result<TestServer> {
        run(&mut cmd("cargo", &["build", "--quiet", "-p", "server"]))?;
        let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let binary = root().join("target/debug/server");
        let mut command = Command::new(&binary);
        command
            .args(["--addr", &addr.to_string(), "--faults", "on"])
            .args(
                static_dir
                    .map(|dir| ["--static-dir", dir])
                    .into_iter()
                    .flatten(),
            )
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        let child = command
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut server = TestServer { child, addr };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Some(status) = server.child.try_wait()? {
                bail!("the test server exited before it listened ({status})");
            }
            if Instant::now() > deadline {
                bail!("the test server did not listen on {addr} within 30 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        println!("test server listening on {}", server.url());
        Ok(server)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
