//! How a shared breaker is configured: its settings, where it lives in
//! Redis, and how long it waits for Redis.

use crate::error::BuildError;
use crate::fast::SharedMode;
use crate::fleet::presence::{DEFAULT_PRESENCE, Presence};
use crate::force;
use crate::handle::{DynClock, Forward, Inner, LastSeen, RedisBreaker};
use crate::mode::ModeCell;
use crate::script::{self, Seen};
use crate::settings::{MAX_BUCKETS, SettingsArgs, SettingsError};
use crate::store::{Connection, StoreUrl};
use parking_lot::Mutex;
use redis::aio::ConnectionManager;
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use std::sync::Arc;
use std::time::Duration;
use tripbreaker::{CircuitBreaker, MonotonicClock, Observer, Settings, SharedBreaker};

/// The longest a call waits for Redis before the handle decides locally: 50 ms.
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_millis(50);
/// How often a handle that fell back asks Redis again: every 1 s.
pub const DEFAULT_PROBE_INTERVAL: Duration = Duration::from_secs(1);
/// How long a breaker's key outlives its last use: 1 hour (longer if its
/// settings time anything longer, see [`Builder::idle_expiry`]).
pub const DEFAULT_IDLE_EXPIRY: Duration = Duration::from_secs(3600);
/// The key prefix when none is given.
pub const DEFAULT_NAMESPACE: &str = "breaker";

/// Builds a [`RedisBreaker`]; start from [`RedisBreaker::builder`].
#[must_use = "a builder does nothing until `connect`"]
pub struct Builder<O = ()> {
    settings: Settings,
    namespace: String,
    store_timeout: Duration,
    probe_interval: Duration,
    idle_expiry: Duration,
    observer: O,
    clock: Option<DynClock>,
    mode: SharedMode,
    presence: Option<Duration>,
}

impl RedisBreaker {
    /// Starts building a shared breaker with these settings (the same type
    /// as the core's). Handles share state when their namespace and
    /// `settings.name` agree, and only if their settings agree too (see
    /// [`RedisBreaker::check_settings`]).
    pub fn builder(settings: Settings) -> Builder {
        Builder {
            settings,
            namespace: DEFAULT_NAMESPACE.to_owned(),
            store_timeout: DEFAULT_STORE_TIMEOUT,
            probe_interval: DEFAULT_PROBE_INTERVAL,
            idle_expiry: DEFAULT_IDLE_EXPIRY,
            observer: (),
            clock: None,
            mode: SharedMode::Exact,
            presence: Some(DEFAULT_PRESENCE),
        }
    }
}

impl<O: Observer + Send + 'static> Builder<O> {
    /// The key prefix: the state lives at `namespace:{name}` (the braces
    /// are a cluster hash tag). Default: [`DEFAULT_NAMESPACE`].
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// The longest any call waits for Redis (connecting included) before
    /// the handle decides with its local breaker. Default: [`DEFAULT_STORE_TIMEOUT`].
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// While local, how often one call asks Redis whether it is back.
    /// Default: [`DEFAULT_PROBE_INTERVAL`].
    pub fn probe_interval(mut self, interval: Duration) -> Self {
        self.probe_interval = interval;
        self
    }

    /// How long the key outlives its last use (every call refreshes it).
    /// Raised to twice the longest time in the settings (interval, open
    /// timeout or its backoff cap, half-open wait), so a key never expires
    /// while the state it holds still waits for a time to pass: an expired
    /// key is a fresh closed breaker, which loses only counts no one needed.
    /// Default: [`DEFAULT_IDLE_EXPIRY`].
    pub fn idle_expiry(mut self, expiry: Duration) -> Self {
        self.idle_expiry = expiry;
        self
    }

    /// Reports state changes to `observer`: each shared transition once, to
    /// the handle whose call applied it, and the local breaker's while local.
    pub fn observer<P: Observer + Send + 'static>(self, observer: P) -> Builder<P> {
        Builder {
            settings: self.settings,
            namespace: self.namespace,
            store_timeout: self.store_timeout,
            probe_interval: self.probe_interval,
            idle_expiry: self.idle_expiry,
            observer,
            clock: self.clock,
            mode: self.mode,
            presence: self.presence,
        }
    }

    /// Exact (every call decided by Redis) or fast (closed calls admitted
    /// and counted by the handle, synced every period). Default:
    /// [`SharedMode::Exact`]. Fast mode syncs in a task of its own, so the
    /// handle must be built inside a tokio runtime.
    pub fn shared_mode(mut self, mode: SharedMode) -> Self {
        self.mode = mode;
        self
    }

    /// How often the handle tells the store it is alive (one script call
    /// and one `ZADD`, off the calls' path), so a [`Fleet`](crate::Fleet)
    /// lists its breaker and counts it among the handles seen; `None`: never
    /// (the breaker is then listed only while another handle, or a force,
    /// names it). Default: every [`DEFAULT_PRESENCE`], from a task of its
    /// own (none without a tokio runtime).
    pub fn presence(mut self, every: Option<Duration>) -> Self {
        self.presence = every;
        self
    }

    /// Tests only: time comes from `clock` (in whole microseconds), for the
    /// script and the local breaker, instead of the Redis server's clock.
    /// Every handle on one breaker must then share that clock.
    #[cfg(feature = "manual-clock")]
    pub fn manual_clock(mut self, clock: Arc<tripbreaker::ManualClock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The handle, on the store at `url`: one Redis server
    /// (`redis://host[:port][/db]`) or a Redis Cluster
    /// (`redis-cluster://host:port[,host:port…]`, any of its nodes; the
    /// breaker's key lives on the master of its slot). It connects lazily,
    /// so this succeeds while Redis is down (calls then go to the local
    /// breaker). Call it inside a tokio runtime.
    pub fn connect(self, url: &str) -> Result<RedisBreaker<O>, BuildError> {
        let (connection, nodes) = Connection::open(url, self.store_timeout, self.probe_interval)?;
        self.build(connection, nodes)
    }

    /// The handle, on an existing connection manager to one Redis server
    /// (its timeouts are the caller's; the store timeout still bounds every call).
    /// In fast mode it learns of changes at its syncs only (no subscription).
    pub fn with_connection(
        self,
        connection: ConnectionManager,
    ) -> Result<RedisBreaker<O>, BuildError> {
        self.build(Connection::Server(connection), Vec::new())
    }

    /// The handle, on an existing Redis Cluster connection (its timeouts
    /// and retries are the caller's; the store timeout still bounds every call).
    /// In fast mode it learns of changes at its syncs only (no subscription).
    pub fn with_cluster_connection(
        self,
        connection: ClusterConnection,
    ) -> Result<RedisBreaker<O>, BuildError> {
        self.build(Connection::Cluster(connection), Vec::new())
    }

    /// `nodes`: where a fast handle subscribes to the breaker's changes
    /// (none: it learns them at its syncs only).
    fn build(
        self,
        connection: Connection,
        nodes: Vec<redis::Client>,
    ) -> Result<RedisBreaker<O>, BuildError> {
        let args = SettingsArgs::new(&self.settings)?;
        let manual_time = self.clock.is_some();
        let clock: DynClock = self
            .clock
            .unwrap_or_else(|| Arc::new(MonotonicClock::new()));
        let observer = Arc::new(Mutex::new(self.observer));
        let local = CircuitBreaker::<_, _, MAX_BUCKETS>::new_rolling(self.settings, clock.clone())
            .map_err(SettingsError::from)?
            .with_observer(Forward(observer.clone()));
        let expiry = self
            .idle_expiry
            .max(longest_wait(&self.settings).saturating_mul(2));
        let key = format!("{}:{{{}}}", self.namespace, self.settings.name);
        let presence = Presence::new(&self.namespace, self.settings.name, &key);
        let breaker = RedisBreaker::from_inner(Inner {
            key: key.into(),
            settings: self.settings,
            args,
            script: redis::Script::new(script::SOURCE),
            force_script: redis::Script::new(force::SOURCE),
            connection,
            store_timeout: self.store_timeout,
            expiry_ms: millis(expiry).max(1),
            clock,
            manual_time,
            observer,
            local: Mutex::new(SharedBreaker::from_breaker(local)),
            mode: ModeCell::new(self.probe_interval),
            seen: Mutex::new(LastSeen {
                seen: Seen::Nothing,
                store_now: 0,
                at_nanos: 0,
            }),
            local_force: Mutex::new(None),
            fast: matches!(self.mode, SharedMode::Fast { .. }),
            window: Mutex::new(None),
        });
        if let Some(every) = self.presence {
            presence.start(Arc::downgrade(&breaker.inner), every);
        }
        if let SharedMode::Fast { sync } = self.mode {
            breaker.inner.start_syncing(sync)?;
            if !nodes.is_empty() {
                breaker.inner.start_listening(nodes, self.probe_interval);
            }
        }
        Ok(breaker)
    }
}

/// Whether `url` names a store a handle can connect to, checked without
/// connecting: one Redis server (`redis://host[:port][/db]`) or a Redis
/// Cluster (`redis-cluster://host:port[,host:port…]`). The error says what
/// is wrong.
///
/// ```
/// use tripbreaker_redis::check_url;
/// assert!(check_url("redis://127.0.0.1:6379").is_ok());
/// assert!(check_url("redis-cluster://10.0.0.1:7000,10.0.0.2:7000").is_ok());
/// assert!(check_url("http://127.0.0.1:6379").is_err());
/// let error = check_url("redis-cluster://10.0.0.1:7000,10.0.0.2").unwrap_err();
/// assert!(error.to_string().contains("node 2 of 2 (`10.0.0.2`) is not host:port"));
/// ```
pub fn check_url(url: &str) -> Result<(), BuildError> {
    match StoreUrl::parse(url)? {
        StoreUrl::Server(_) => Ok(()),
        StoreUrl::Cluster(nodes) => ClusterClient::new(nodes)
            .map(drop)
            .map_err(BuildError::from),
    }
}

/// Whole milliseconds, saturating.
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The longest time the settings make a state wait for.
fn longest_wait(settings: &Settings) -> Duration {
    [
        settings.interval,
        settings.open_timeout(),
        settings.backoff.map_or(Duration::ZERO, |b| b.max_timeout),
        settings.max_half_open_wait.unwrap_or_default(),
    ]
    .into_iter()
    .max()
    .unwrap_or_default()
}

impl<O> std::fmt::Debug for Builder<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("settings", &self.settings)
            .field("namespace", &self.namespace)
            .field("store_timeout", &self.store_timeout)
            .field("probe_interval", &self.probe_interval)
            .field("idle_expiry", &self.idle_expiry)
            .field("manual_clock", &self.clock.is_some())
            .field("mode", &self.mode)
            .field("presence", &self.presence)
            .finish_non_exhaustive()
    }
}
