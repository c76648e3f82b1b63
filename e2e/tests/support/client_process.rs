//! The `client` binary run as a child process with a clean environment
//! (none of the caller's `GREETER_`, `BREAKER_` or `CLIENT_` variables):
//! its exit status and every line it printed, bounded by [`RUN_LIMIT`].

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The longest one client run may take: far above the few seconds a run
/// needs, far below a hung client.
pub const RUN_LIMIT: Duration = Duration::from_secs(60);

/// The `client` binary: built by cargo for the tests, or `E2E_CLIENT_BIN`.
pub fn client_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| super::support::workspace_binary("client", "E2E_CLIENT_BIN"))
        .clone()
}

/// What one run of the client did.
#[derive(Debug)]
pub struct Run {
    /// How it exited.
    pub status: ExitStatus,
    /// Its stdout, line by line.
    pub stdout: Vec<String>,
    /// Its stderr.
    pub stderr: String,
}

/// The client binary with `args` and `env` (none of the caller's own
/// client variables), its output piped.
pub fn client_command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(client_binary());
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if ["GREETER_", "BREAKER_", "CLIENT_"]
            .iter()
            .any(|p| name.starts_with(p))
        {
            command.env_remove(&*name);
        }
    }
    command.envs(env.iter().copied());
    command
}

/// Runs the client binary with `args` and `env` (none of the caller's own
/// client variables), waiting at most [`RUN_LIMIT`].
pub fn run_client(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = client_command(args, env);
    let mut child = command.spawn().expect("the client starts");
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().unwrap()));
    let stderr = read(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + RUN_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("the client can be waited for") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the client did not finish within {RUN_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let run = Run {
        status,
        stdout: stdout.join().unwrap().lines().map(str::to_owned).collect(),
        stderr: stderr.join().unwrap(),
    };
    println!(
        "client {args:?}:\n{}\n{}",
        run.stdout.join("\n"),
        run.stderr
    );
    run
}
