//! A Redis Cluster on loopback: six `redis-server` child processes (three
//! masters with a replica each) joined by `redis-cli --cluster create`,
//! without persistence, every one killed when the guard drops (a failing
//! test included), its node files removed.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Three masters, each with one replica.
const NODES: usize = 6;
/// How long a node waits for another before calling it failed: short, so
/// a killed master's replica is promoted within a few seconds.
const NODE_TIMEOUT_MS: &str = "1000";
/// How long the cluster may take to start, join and agree.
const START_LIMIT: Duration = Duration::from_secs(30);

/// One node: its client port, its cluster bus port, its process.
struct Node {
    port: u16,
    bus_port: u16,
    child: Option<Child>,
}

/// A running Redis Cluster; its nodes are killed and reaped on drop.
pub struct RedisCluster {
    nodes: Vec<Node>,
    dir: PathBuf,
}

impl RedisCluster {
    /// Starts six nodes on free ports, joins them and waits until every
    /// node reports `cluster_state:ok` and knows all six.
    pub fn start() -> Self {
        Self::start_on(&[port(), port(), port(), port(), port(), port()])
    }

    /// [`Self::start`] with these six client ports.
    pub fn start_on(ports: &[u16; NODES]) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "tripbreaker-cluster-{}-{}",
            std::process::id(),
            ports[0]
        ));
        std::fs::create_dir_all(&dir).expect("a directory for the node files");
        // The bus port is chosen too (not port + 10000, which may fall in
        // the ephemeral range other tests' servers bind from).
        let mut cluster = RedisCluster {
            nodes: Vec::new(),
            dir,
        };
        for (n, &port) in ports.iter().enumerate() {
            let mut node = Node {
                port,
                bus_port: self::port(),
                child: None,
            };
            node.child = Some(cluster.spawn(n, &node));
            cluster.nodes.push(node);
        }
        for node in &mut cluster.nodes {
            node.wait_until_ready();
        }
        cluster.create();
        cluster.wait_until_ok();
        cluster
    }

    /// `redis-cluster://127.0.0.1:P1,…`: every node, masters and replicas.
    pub fn url(&self) -> String {
        let nodes: Vec<String> = self
            .nodes
            .iter()
            .map(|node| format!("127.0.0.1:{}", node.port))
            .collect();
        format!("redis-cluster://{}", nodes.join(","))
    }

    /// `redis://127.0.0.1:PORT` of every node, for a cluster client of the test's own.
    pub fn node_urls(&self) -> Vec<String> {
        self.nodes.iter().map(Node::url).collect()
    }

    /// `redis://127.0.0.1:PORT` of every node that is a master now.
    pub fn master_urls(&self) -> Vec<String> {
        self.running()
            .filter(|node| node.role() == "master")
            .map(Node::url)
            .collect()
    }

    /// `redis://127.0.0.1:PORT` of every node that is a replica now.
    pub fn replica_urls(&self) -> Vec<String> {
        self.running()
            .filter(|node| node.role() == "slave")
            .map(Node::url)
            .collect()
    }

    /// `redis://127.0.0.1:PORT` of the master that holds `key`'s slot now.
    pub fn master_of(&self, key: &str) -> String {
        let slot: i64 = self.command(redis::cmd("CLUSTER").arg("KEYSLOT").arg(key));
        let shards: Vec<Vec<redis::Value>> = self.command(redis::cmd("CLUSTER").arg("SLOTS"));
        for shard in shards {
            let (Some(redis::Value::Int(from)), Some(redis::Value::Int(to))) =
                (shard.first(), shard.get(1))
            else {
                continue;
            };
            if (*from..=*to).contains(&slot)
                && let Some(redis::Value::Array(master)) = shard.get(2)
                && let Some(redis::Value::Int(port)) = master.get(1)
            {
                return format!("redis://127.0.0.1:{port}");
            }
        }
        panic!("no master holds slot {slot} of {key}");
    }

    /// Kills (SIGKILL) the master that holds `key`'s slot, once its replica
    /// has every write (`WAIT`): its URL.
    pub fn kill_master_of(&mut self, key: &str) -> String {
        let master = self.master_of(key);
        let synced: i64 = self.command_on(&master, redis::cmd("WAIT").arg(1).arg(5_000));
        assert_eq!(synced, 1, "the replica of {master} has every write");
        let node = self
            .nodes
            .iter_mut()
            .find(|node| node.url() == master)
            .expect("the master is one of the nodes");
        node.kill();
        master
    }

    /// After [`Self::kill_master_of`]: the URL of the node that now serves
    /// `key`'s slot as master, once one that is running does and every
    /// node says the cluster is ok; `None` before (one look, no waiting).
    pub fn promoted_master(&self, key: &str) -> Option<String> {
        let master = self.master_of(key);
        let promoted = self.running().any(|node| node.url() == master);
        let ok = |node: &Node| node.info("CLUSTER", "INFO").contains("cluster_state:ok");
        (promoted && self.running().all(ok)).then_some(master)
    }

    /// Runs one command on any running node (one that does not hold a key
    /// answers for the cluster as a whole: `CLUSTER …`, `KEYSLOT`).
    pub fn command<T: redis::FromRedisValue>(&self, command: &redis::Cmd) -> T {
        let node = self.running().next().expect("a running node");
        command
            .query(&mut node.connection().expect("a connection to a cluster node"))
            .expect("the cluster node answers")
    }

    /// Runs one command on the node at `url` (one of [`Self::node_urls`]).
    pub fn command_on<T: redis::FromRedisValue>(&self, url: &str, command: &redis::Cmd) -> T {
        let mut connection = redis::Client::open(url)
            .and_then(|client| client.get_connection_with_timeout(Duration::from_secs(2)))
            .expect("a connection to the cluster node");
        command
            .query(&mut connection)
            .expect("the cluster node answers")
    }

    /// Every key on every master.
    pub fn keys(&self) -> Vec<String> {
        self.running()
            .filter(|node| node.role() == "master")
            .flat_map(|node| {
                redis::cmd("KEYS")
                    .arg("*")
                    .query::<Vec<String>>(&mut node.connection().expect("a connection"))
                    .expect("the master answers")
            })
            .collect()
    }

    fn running(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|node| node.child.is_some())
    }

    fn spawn(&self, n: usize, node: &Node) -> Child {
        let config_file = self.dir.join(format!("nodes-{n}.conf"));
        Command::new("redis-server")
            .args(["--port", &node.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes"])
            .args(["--cluster-port", &node.bus_port.to_string()])
            .arg("--cluster-config-file")
            .arg(&config_file)
            .args(["--cluster-node-timeout", NODE_TIMEOUT_MS])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("redis-server is installed (cargo xtask install redis)")
    }

    /// `redis-cli --cluster create`: slots split over three masters, each
    /// given a replica.
    fn create(&self) {
        let output = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(
                self.nodes
                    .iter()
                    .map(|node| format!("127.0.0.1:{}@{}", node.port, node.bus_port)),
            )
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .output()
            .expect("redis-cli is installed");
        assert!(
            output.status.success(),
            "redis-cli --cluster create failed: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Waits until every node says the cluster is ok, with all slots
    /// served and all nodes known.
    fn wait_until_ok(&self) {
        let deadline = Instant::now() + START_LIMIT;
        let ok = |node: &Node| {
            let info = node.info("CLUSTER", "INFO");
            info.contains("cluster_state:ok")
                && info.contains("cluster_slots_ok:16384")
                && info.contains(&format!("cluster_known_nodes:{NODES}"))
        };
        while !self.running().all(ok) {
            assert!(
                Instant::now() < deadline,
                "the cluster was not ok within {START_LIMIT:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Node {
    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn connection(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(self.url())?.get_connection_with_timeout(Duration::from_secs(2))
    }

    /// One section of `INFO` (or `CLUSTER INFO`), empty if the node does not answer.
    fn info(&self, command: &str, section: &str) -> String {
        self.connection()
            .and_then(|mut connection| redis::cmd(command).arg(section).query(&mut connection))
            .unwrap_or_default()
    }

    /// `master` or `slave`, from `INFO replication`.
    fn role(&self) -> String {
        let info = self.info("INFO", "replication");
        info.lines()
            .find_map(|line| line.strip_prefix("role:"))
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + START_LIMIT;
        loop {
            let pong = self
                .connection()
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c));
            if pong.is_ok() {
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

    /// SIGKILL: no goodbye to the other nodes or to clients.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A free loopback port, never one handed out before in this process.
fn port() -> u16 {
    server_launcher::child_port().expect("a free loopback port")
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
