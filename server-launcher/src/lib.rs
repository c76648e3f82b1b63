//! Starts the greeter server binary as a child process on a free loopback
//! port, and stops it when dropped: the one way xtask, loadtest and the
//! end-to-end tests start a server.
//!
//! The server binds port 0 itself and writes the address it got to the
//! file named by `--addr-file`; nothing picks a port, releases it and hopes
//! it is still free when the server binds. For the test children that
//! cannot report a port they chose (redis-server, chromedriver, `trunk
//! serve`), [`child_port`] hands out one from outside the range port-0
//! binds come from. Standard library only, so xtask builds it in seconds.
//!
//! ```no_run
//! let server = server_launcher::Launch::new("target/debug/server")
//!     .args(["--faults", "on"])
//!     .start()
//!     .expect("the server starts");
//! println!("listening at {}", server.url());
//! // Killed here, when `server` is dropped.
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod child_port;
mod test_build;

pub use child_port::child_port;
pub use test_build::{cargo, test_build};

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::io::{self, BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many of the server's last output lines a captured launch keeps.
pub const KEPT_LINES: usize = 200;

/// Where the server's stdout and stderr go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// To this process's own stdout and stderr.
    Inherit,
    /// Nowhere.
    Discard,
    /// Into memory: the last [`KEPT_LINES`] lines, see [`ServerProcess::log_tail`].
    Capture,
}

/// How to start the server: binary, address, flags, environment, output.
#[derive(Debug)]
pub struct Launch {
    command: Command,
    addr: String,
    output: Output,
    wait: Duration,
}

impl Launch {
    /// The server at `binary`, to listen on `127.0.0.1:0` (a free port),
    /// with its output inherited and at most 60 s to start.
    pub fn new(binary: impl AsRef<OsStr>) -> Self {
        let mut command = Command::new(binary);
        command.stdin(Stdio::null());
        Self {
            command,
            addr: "127.0.0.1:0".to_owned(),
            output: Output::Inherit,
            wait: Duration::from_secs(60),
        }
    }

    /// Listens on `addr` instead (e.g. the port of a server restarted).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr.to_string();
        self
    }

    /// Adds one flag or value.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    /// Adds flags and values.
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<OsStr>>(mut self, args: I) -> Self {
        self.command.args(args);
        self
    }

    /// Sets an environment variable of the server.
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    /// Removes an environment variable the server would otherwise inherit.
    pub fn env_remove(mut self, name: impl AsRef<OsStr>) -> Self {
        self.command.env_remove(name);
        self
    }

    /// Sends the server's output to `output`.
    pub fn output(mut self, output: Output) -> Self {
        self.output = output;
        self
    }

    /// Gives the server `wait` to start listening.
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Starts the server and waits until it has written its address; an
    /// error (with the server's last output when captured) if it exits or
    /// takes longer than the wait. The server is killed on error.
    pub fn start(mut self) -> io::Result<ServerProcess> {
        let addr_file = AddrFile::new();
        self.command
            .arg("--addr")
            .arg(&self.addr)
            .arg("--addr-file")
            .arg(&addr_file.0);
        let (stdout, stderr) = match self.output {
            Output::Inherit => (Stdio::inherit(), Stdio::inherit()),
            Output::Discard => (Stdio::null(), Stdio::null()),
            Output::Capture => (Stdio::piped(), Stdio::piped()),
        };
        self.command.stdout(stdout).stderr(stderr);
        let mut child = self.command.spawn().map_err(|error| {
            io::Error::new(
                error.kind(),
                format!("cannot start {:?}: {error}", self.command.get_program()),
            )
        })?;
        let log = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(out) = child.stdout.take() {
            keep_lines(out, Arc::clone(&log));
        }
        if let Some(err) = child.stderr.take() {
            keep_lines(err, Arc::clone(&log));
        }
        let mut server = ServerProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
            addr_file,
        };
        let started = Instant::now();
        loop {
            if let Some(addr) = server.addr_file.read() {
                server.addr = addr;
                return Ok(server);
            }
            let failure = if let Some(status) = server.child.try_wait()? {
                format!("the server exited before it listened ({status})")
            } else if started.elapsed() > self.wait {
                format!("the server did not listen within {:?}", self.wait)
            } else {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            };
            server.kill();
            return Err(io::Error::other(format!(
                "{failure}; its last output:\n{}",
                server.log_tail()
            )));
        }
    }
}

/// The running server; killed (SIGKILL) and reaped when dropped, whatever
/// happened in the test or task that started it.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<VecDeque<String>>>,
    addr_file: AddrFile,
}

impl ServerProcess {
    /// Where it listens, as the server reported it.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Its exit status, if it has exited.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        self.child.try_wait()
    }

    /// Kills it at once (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Its last output lines (with [`Output::Capture`]; empty otherwise).
    pub fn log_tail(&self) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A fresh path in the temp directory for the server's address, removed on drop.
#[derive(Debug)]
struct AddrFile(PathBuf);

impl AddrFile {
    fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Self(std::env::temp_dir().join(format!(
            "server-addr-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        )))
    }

    /// The address written, once the whole file is there.
    fn read(&self) -> Option<SocketAddr> {
        std::fs::read_to_string(&self.0).ok()?.trim().parse().ok()
    }
}

impl Drop for AddrFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Reads a pipe of the child to its end on a thread, keeping the last lines.
fn keep_lines(pipe: impl Read + Send + 'static, log: Arc<Mutex<VecDeque<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
            if log.len() == KEPT_LINES {
                log.pop_front();
            }
            log.push_back(line);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_that_never_listens_is_an_error_with_its_output() {
        let error = Launch::new("sh")
            .args(["-c", "echo no port for you; exit 3"])
            .output(Output::Capture)
            .start()
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("exited before it listened"), "{message}");
    }

    #[test]
    fn the_address_comes_from_the_file_the_server_writes() {
        // A stand-in server: writes an address to the file named after
        // `--addr-file` (its fourth argument), then waits to be killed.
        let mut server = Launch::new("sh")
            .args(["-c", r#"echo 127.0.0.1:4321 > "$4"; exec sleep 30"#, "sh"])
            .start()
            .unwrap();
        assert_eq!(server.addr(), SocketAddr::from(([127, 0, 0, 1], 4321)));
        assert!(server.is_running());
        server.kill();
        assert!(!server.is_running());
    }
}
