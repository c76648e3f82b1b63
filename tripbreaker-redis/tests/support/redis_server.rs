//! A `redis-server` child process on a free loopback port, without
//! persistence, stopped when the guard drops (a failing test included).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a starting server may take to answer PING.
const START_LIMIT: Duration = Duration::from_secs(10);

/// A running `redis-server`; killed and reaped on drop.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one on a free port and waits until it answers.
    pub fn start() -> Self {
        let port = server_launcher::child_port().expect("a free loopback port");
        let mut server = RedisServer { port, child: None };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// A handle of a breaker with `settings` on this server, waiting up to
    /// 5 s for it (long enough never to fall back on a loaded machine). It
    /// says nothing of its presence, so the script calls a test counts are
    /// the calls' own.
    pub fn handle(&self, settings: tripbreaker::Settings) -> tripbreaker_redis::RedisBreaker {
        tripbreaker_redis::RedisBreaker::builder(settings)
            .store_timeout(Duration::from_secs(5))
            .presence(None)
            .connect(&self.url())
            .expect("a valid URL")
    }

    /// Kills the server (SIGKILL: no goodbye to clients) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty (there is no persistence),
    /// and waits until it answers.
    pub fn restart(&mut self) {
        self.kill();
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("redis-server is installed (cargo xtask install redis)");
        self.child = Some(child);
        self.wait_until_ready();
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + START_LIMIT;
        loop {
            if self.ping().is_ok() {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("redis-server on port {} exited: {status}", self.port);
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} did not answer within {START_LIMIT:?}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn connection(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(self.url())?.get_connection_with_timeout(Duration::from_secs(2))
    }

    fn ping(&self) -> redis::RedisResult<()> {
        redis::cmd("PING")
            .query::<String>(&mut self.connection()?)
            .map(drop)
    }

    /// Runs one command on a connection of its own.
    pub fn command<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> T {
        command
            .query(&mut self.connection().expect("a connection to the test redis"))
            .expect("the test redis answers")
    }

    /// How many times each command ran, from `INFO commandstats`.
    pub fn command_calls(&self) -> std::collections::HashMap<String, u64> {
        let info: String = self.command(redis::cmd("INFO").arg("commandstats"));
        info.lines()
            .filter_map(|line| {
                let (name, stats) = line.strip_prefix("cmdstat_")?.split_once(':')?;
                let calls = stats
                    .strip_prefix("calls=")?
                    .split(',')
                    .next()?
                    .parse()
                    .ok()?;
                Some((name.to_owned(), calls))
            })
            .collect()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
