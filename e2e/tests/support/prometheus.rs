//! A real Prometheus (Debian's `prometheus`) as a child process on a free
//! loopback port, scraping the given targets every second into a storage
//! directory of its own, killed and its directory removed when dropped.
//! Included by the metrics tests with `#[path = "support/prometheus.rs"]`.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the install step (`cargo xtask install`) puts it.
const PROMETHEUS: &str = "/usr/bin/prometheus";

/// A free port on 127.0.0.1 (bound, then released for a child to take).
pub fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// A Prometheus server scraping some targets.
pub struct Prometheus {
    child: Child,
    addr: SocketAddr,
    dir: PathBuf,
}

impl Prometheus {
    /// Starts Prometheus scraping each `(job, target)` every second, and
    /// waits (at most 30 s) until it is ready to answer queries.
    pub fn start(jobs: &[(&str, SocketAddr)]) -> Self {
        assert!(
            std::path::Path::new(PROMETHEUS).exists(),
            "{PROMETHEUS} is missing: `cargo xtask install` installs Debian's prometheus"
        );
        let dir = std::env::temp_dir().join(format!(
            "e2e-prometheus-{}-{}",
            std::process::id(),
            jobs.first().map_or(0, |(_, addr)| addr.port())
        ));
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let mut config = String::from(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n",
        );
        for (job, target) in jobs {
            config.push_str(&format!(
                "  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n"
            ));
        }
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        let addr = free_addr();
        let child = Command::new(PROMETHEUS)
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("log")).unwrap())
            .spawn()
            .expect("start prometheus");
        let prometheus = Self { child, addr, dir };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if prometheus
                .get("/-/ready")
                .is_some_and(|body| body.contains("Ready"))
            {
                return prometheus;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("prometheus not ready in 30 s: {}", prometheus.log());
    }

    /// The value of the instant query `query` when it gives exactly one
    /// series, or `None`.
    pub fn value(&self, query: &str) -> Option<f64> {
        let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        let body = self.get(&format!("/api/v1/query?query={encoded}"))?;
        let answer: serde_json::Value = serde_json::from_str(&body).ok()?;
        match answer["data"]["result"].as_array()?.as_slice() {
            [series] => series["value"][1].as_str()?.parse().ok(),
            _ => None,
        }
    }

    /// Waits (at most `limit`) until `query` gives one series of value `expected`.
    pub fn wait_for(&self, query: &str, expected: f64, limit: Duration) -> f64 {
        let started = Instant::now();
        loop {
            let value = self.value(query);
            if value == Some(expected) {
                println!(
                    "prometheus: {query} = {expected} after {:?}",
                    started.elapsed()
                );
                return expected;
            }
            if started.elapsed() > limit {
                panic!(
                    "prometheus: {query} is {value:?}, not {expected}, after {limit:?}; targets: {}",
                    self.get("/api/v1/targets").unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }

    /// The body of `GET path` on its HTTP API, if it answered 200.
    fn get(&self, path: &str) -> Option<String> {
        use std::io::{Read, Write};
        let mut socket = std::net::TcpStream::connect(self.addr).ok()?;
        socket.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(socket, "GET {path} HTTP/1.0\r\nHost: {}\r\n\r\n", self.addr).ok()?;
        let mut answer = String::new();
        socket.read_to_string(&mut answer).ok()?;
        let (head, body) = answer.split_once("\r\n\r\n")?;
        head.starts_with("HTTP/1.0 200").then(|| body.to_owned())
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
