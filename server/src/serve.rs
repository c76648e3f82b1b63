//! Running the server: on a listener until a shutdown signal, or spawned in
//! the background with a handle (for tests and end-to-end runs).

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Error;
use crate::app::App;
use crate::config::Config;
use crate::faults::FaultState;

/// Serves `config` on `listener` until `shutdown` completes, then lets the
/// calls in flight finish (for at most [`Config::shutdown_timeout`]) and returns.
///
/// gRPC (HTTP/2), gRPC-Web and gRPC-Web text (HTTP/1.1 or HTTP/2) and the
/// page share the listener. The fault state is new; use
/// [`serve_with_faults`] to keep a handle on it.
///
/// ```no_run
/// # async fn run() -> Result<(), server::Error> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:50051").await.unwrap();
/// server::serve(server::Config::default(), listener, async {
///     let _ = tokio::signal::ctrl_c().await;
/// })
/// .await
/// # }
/// ```
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), Error> {
    serve_with_faults(config, FaultState::new(), listener, shutdown).await
}

/// Like [`serve`], with SayHello answered under (and counted in) `faults`.
pub async fn serve_with_faults(
    config: Config,
    faults: FaultState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), Error> {
    let prepared = Prepared::new(&config, faults, &listener)?;
    prepared.log();
    prepared.run(listener, shutdown).await
}

/// Binds `config.addr` and serves there in a background task.
///
/// The server stops when [`RunningServer::shutdown`] is called or the handle
/// is dropped (gracefully in both cases).
///
/// ```no_run
/// # async fn run() -> Result<(), server::Error> {
/// use server::Config;
///
/// let server = server::spawn(Config { addr: "127.0.0.1:0".parse().unwrap(), ..Config::default() }).await?;
/// println!("up at {}", server.url());
/// assert_eq!(server.faults().counters().received, 0);
/// server.shutdown().await
/// # }
/// ```
pub async fn spawn(config: Config) -> Result<RunningServer, Error> {
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| Error::Bind {
            addr: config.addr,
            source,
        })?;
    spawn_on(config, FaultState::new(), listener)
}

/// Serves `config` on `listener` in a background task, with SayHello
/// answered under `faults`. Errors in the configuration are returned here.
///
/// # Panics
///
/// When called outside a Tokio runtime.
pub fn spawn_on(
    config: Config,
    faults: FaultState,
    listener: TcpListener,
) -> Result<RunningServer, Error> {
    let prepared = Prepared::new(&config, faults.clone(), &listener)?;
    prepared.log();
    let addr = prepared.addr;
    let faults_enabled = prepared.faults_enabled;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(prepared.run(listener, async move {
        // A send or a dropped sender both mean: stop.
        let _ = stopped.await;
    }));
    Ok(RunningServer {
        addr,
        faults,
        faults_enabled,
        stop: Some(stop),
        task,
    })
}

/// A server running in a background task; see [`spawn`].
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    faults: FaultState,
    faults_enabled: bool,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), Error>>,
}

impl RunningServer {
    /// The address the server listens on (with the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's base URL, e.g. `http://127.0.0.1:50051`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The fault state SayHello runs under: mode and counters.
    pub fn faults(&self) -> &FaultState {
        &self.faults
    }

    /// Whether the `greeter.Faults` service is served.
    pub fn faults_enabled(&self) -> bool {
        self.faults_enabled
    }

    /// Stops accepting connections, waits for calls in flight (at most
    /// [`Config::shutdown_timeout`]), and returns how the server ended.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await?
    }
}

/// A server checked and built, not yet running.
struct Prepared {
    config: Config,
    app: App,
    addr: SocketAddr,
    faults_enabled: bool,
}

impl Prepared {
    fn new(config: &Config, faults: FaultState, listener: &TcpListener) -> Result<Self, Error> {
        let addr = listener.local_addr().map_err(Error::LocalAddr)?;
        let faults_enabled = config.faults.enabled_for(&addr);
        let app = App::build(config, faults, faults_enabled, addr)?;
        Ok(Self {
            config: config.clone(),
            app,
            addr,
            faults_enabled,
        })
    }

    fn log(&self) {
        let url = format!("http://{}", self.addr);
        tracing::info!("listening on {url} (gRPC, gRPC-Web and gRPC-Web text)");
        self.app.site.log(&url);
        tracing::info!(
            "answering to host names {} (more with --allowed-host)",
            self.app.hosts.names().join(", ")
        );
        if self.config.shared_state.is_some() {
            tracing::info!(
                "following the shared breakers on --shared-state (breaker.v1.Fleet; steering {})",
                if self.faults_enabled { "on" } else { "off" }
            );
        }
        if self.faults_enabled {
            tracing::info!("fault controls (greeter.Faults) are on");
        } else {
            tracing::info!("fault controls (greeter.Faults) are off");
        }
    }

    async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), Error> {
        crate::fd_limit::raise_and_check(&self.config);
        let stop_watchers = self.app.stop_watchers;
        // A watch stream never ends by itself: end them all as the server stops.
        let shutdown = async move {
            shutdown.await;
            stop_watchers.stop();
        };
        crate::connections::serve(&self.config, self.app.service, listener, shutdown).await;
        tracing::info!("server stopped");
        Ok(())
    }
}
