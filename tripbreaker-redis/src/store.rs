//! Where the shared state lives: one Redis server or a Redis Cluster, named
//! by a URL, and the one connection type the handle uses for either.

use crate::builder::millis;
use crate::error::BuildError;
use crate::handle::late_answer_limit;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};
use std::time::Duration;

/// How a Redis Cluster URL begins.
pub(crate) const CLUSTER_SCHEME: &str = "redis-cluster://";

/// What a cluster URL looks like, for error messages.
const CLUSTER_FORM: &str = "expected redis-cluster://host:port[,host:port…], \
                            e.g. redis-cluster://10.0.0.1:7000,10.0.0.2:7000";

/// A store URL, read without connecting.
#[derive(Debug)]
pub(crate) enum StoreUrl {
    /// `redis://host[:port][/db]`: one server.
    Server(redis::Client),
    /// `redis-cluster://[user:password@]host:port[,host:port…]`: the
    /// cluster's seed nodes as `redis://` URLs, each with the credentials.
    Cluster(Vec<String>),
}

impl StoreUrl {
    /// Reads `url`, or says what is wrong with it.
    pub(crate) fn parse(url: &str) -> Result<Self, BuildError> {
        match url.strip_prefix(CLUSTER_SCHEME) {
            Some(rest) => cluster_nodes(rest).map(StoreUrl::Cluster),
            None => Ok(StoreUrl::Server(redis::Client::open(url)?)),
        }
    }
}

/// The seed nodes of a cluster URL (after its scheme), checked one by one
/// by the `redis` crate's own URL parser.
fn cluster_nodes(rest: &str) -> Result<Vec<String>, BuildError> {
    let wrong = |what: String| BuildError::ClusterUrl(format!("{what}: {CLUSTER_FORM}"));
    // A cluster has only database 0, and the nodes take no options.
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#']) {
        return Err(wrong(
            "a cluster has only database 0: no /db, ?option or #fragment".into(),
        ));
    }
    let (credentials, hosts) = match rest.rsplit_once('@') {
        Some((credentials, hosts)) => (format!("{credentials}@"), hosts),
        None => (String::new(), rest),
    };
    if hosts.is_empty() {
        return Err(wrong("no node".into()));
    }
    let nodes = hosts.split(',').collect::<Vec<_>>();
    nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let place = || format!("node {} of {}", i + 1, nodes.len());
            let port = node
                .rsplit_once(':')
                .map(|(host, port)| (host, port.parse::<u16>()));
            match port {
                _ if node.is_empty() => Err(wrong(format!("{} is empty", place()))),
                Some((host, Ok(port))) if !host.is_empty() && port > 0 => {
                    let node = format!("redis://{credentials}{node}");
                    redis::Client::open(node.as_str())
                        .map_err(|error| wrong(format!("{}: {error}", place())))?;
                    Ok(node)
                }
                _ => Err(wrong(format!("{} (`{node}`) is not host:port", place()))),
            }
        })
        .collect()
}

/// A connection to the store; its clones share it.
#[derive(Clone)]
pub(crate) enum Connection {
    /// One Redis server, reconnected when lost.
    Server(ConnectionManager),
    /// A Redis Cluster: each command goes to the master of its key's slot,
    /// found again when the cluster moves the slot or fails over.
    Cluster(ClusterConnection),
}

/// How often a cluster connection retries a command (after a moved slot,
/// a failover or a lost node) before the call gives up.
const CLUSTER_RETRIES: u32 = 3;

impl Connection {
    /// A lazy connection to the store at `url` (so this succeeds while Redis
    /// is down), and the nodes to subscribe through. Each command is bounded
    /// by the caller's timeout; the connection waits longer for a late
    /// answer, so a late admission can still be given back. Call it inside
    /// a tokio runtime.
    pub(crate) fn open(
        url: &str,
        store_timeout: Duration,
        probe_interval: Duration,
    ) -> Result<(Connection, Vec<redis::Client>), BuildError> {
        let late = late_answer_limit(store_timeout);
        Ok(match StoreUrl::parse(url)? {
            StoreUrl::Server(client) => {
                let nodes = vec![client.clone()];
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(store_timeout))
                    .set_response_timeout(Some(late))
                    // No reconnect retry: a call waiting on one would be
                    // sent once Redis is back, after its caller gave up and
                    // the local breaker moved on, and re-seed a lost key
                    // from what the handle saw before. The probe reconnects.
                    .set_number_of_retries(0)
                    .set_max_delay(probe_interval);
                let manager = ConnectionManager::new_lazy_with_config(client, config)?;
                (Connection::Server(manager), nodes)
            }
            StoreUrl::Cluster(urls) => {
                let nodes = urls
                    .iter()
                    .map(|url| redis::Client::open(url.as_str()))
                    .collect::<Result<Vec<_>, _>>()?;
                // Few retries, none waiting past a probe interval: while a
                // slot moves or fails over, calls go to the local breaker.
                let client = ClusterClient::builder(urls)
                    .retries(CLUSTER_RETRIES)
                    .min_retry_wait(1)
                    .max_retry_wait(millis(probe_interval))
                    .build()?;
                let config = ClusterConfig::new()
                    .set_connection_timeout(store_timeout)
                    .set_response_timeout(late);
                let connection = client.get_pending_async_connection_with_config(config);
                (Connection::Cluster(connection), nodes)
            }
        })
    }
}

/// The `redis` crate has no type for "a server or a cluster": this one
/// passes each command to whichever it is.
impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Server(server) => server.req_packed_command(cmd),
            Connection::Cluster(cluster) => cluster.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Server(server) => server.req_packed_commands(pipeline, offset, count),
            Connection::Cluster(cluster) => cluster.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Server(server) => server.get_db(),
            Connection::Cluster(cluster) => cluster.get_db(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(url: &str) -> Result<Vec<String>, String> {
        match StoreUrl::parse(url) {
            Ok(StoreUrl::Cluster(nodes)) => Ok(nodes),
            Ok(StoreUrl::Server(_)) => Err("a server".into()),
            Err(error) => Err(error.to_string()),
        }
    }

    #[test]
    fn a_cluster_url_lists_its_seed_nodes() {
        assert_eq!(
            nodes("redis-cluster://127.0.0.1:7000,127.0.0.1:7001/"),
            Ok(vec![
                "redis://127.0.0.1:7000".to_owned(),
                "redis://127.0.0.1:7001".to_owned()
            ])
        );
        assert_eq!(
            nodes("redis-cluster://:secret@h1:7000,[::1]:7001"),
            Ok(vec![
                "redis://:secret@h1:7000".to_owned(),
                "redis://:secret@[::1]:7001".to_owned()
            ])
        );
        assert_eq!(nodes("redis://127.0.0.1:6379/2"), Err("a server".into()));
    }

    #[test]
    fn a_malformed_cluster_url_says_what_is_wrong() {
        for (url, said) in [
            ("redis-cluster://", "no node"),
            ("redis-cluster://h1:7000,,h2:7000", "node 2 of 3 is empty"),
            (
                "redis-cluster://h1:7000,h2",
                "node 2 of 2 (`h2`) is not host:port",
            ),
            (
                "redis-cluster://h1:port",
                "node 1 of 1 (`h1:port`) is not host:port",
            ),
            (
                "redis-cluster://:7000",
                "node 1 of 1 (`:7000`) is not host:port",
            ),
            ("redis-cluster://h1:7000/1", "only database 0"),
            ("redis-cluster://h1:7000?protocol=3", "only database 0"),
        ] {
            let error = nodes(url).unwrap_err();
            assert!(error.contains(said), "{url}: {error}");
            assert!(
                error.contains("expected redis-cluster://host:port"),
                "{error}"
            );
        }
    }
}
