//! A live greeter server for the tests, and its fault controls, the same
//! way natively and in the browser: natively the real server is started
//! in-process on a free loopback port (stopped with the test's runtime); in
//! headless Chromium it is the one `cargo xtask test` starts, its URL baked
//! in at build time from `GREETER_URL`.
#![allow(dead_code)] // each test binary uses a part

use greeter_client::{Greeter, Settings};
use proto::greeter::faults_client::FaultsClient;
use proto::greeter::{Failing, FaultMode, GetStatusRequest, Healthy, Slow, fault_mode};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tripbreaker::Transition;

/// The longest any wait lasts before the test fails.
const PATIENCE: Duration = Duration::from_secs(10);

/// A greeter server with its fault controls on, healthy.
pub struct TestServer {
    url: String,
    #[cfg(not(target_arch = "wasm32"))]
    _running: server::RunningServer,
}

impl TestServer {
    /// Starts (natively) or finds (in the browser) the server, and heals it.
    pub async fn start() -> TestServer {
        #[cfg(not(target_arch = "wasm32"))]
        let server = {
            let running = server::spawn(server::Config {
                addr: "127.0.0.1:0".parse().unwrap(),
                ..server::Config::default()
            })
            .await
            .expect("the test server starts");
            TestServer {
                url: running.url(),
                _running: running,
            }
        };
        #[cfg(target_arch = "wasm32")]
        let server = TestServer {
            url: match option_env!("GREETER_URL") {
                Some(url) => url.to_owned(),
                None => panic!(
                    "GREETER_URL must name a running greeter server at build time (cargo xtask test sets it)"
                ),
            },
        };
        server.heal().await;
        server
    }

    /// A client of this server with `settings`, and the Go demo's lines for
    /// its breaker's state changes.
    pub fn greeter(&self, settings: Settings) -> (Greeter, Arc<Mutex<Vec<String>>>) {
        let changes: Arc<Mutex<Vec<String>>> = Arc::default();
        let sink = Arc::clone(&changes);
        let greeter = Greeter::new(
            &self.url,
            settings,
            Box::new(move |name: &str, t: Transition| {
                sink.lock()
                    .unwrap()
                    .push(greeter_client::go_style::transition(name, t))
            }),
        )
        .expect("valid settings");
        (greeter, changes)
    }

    fn faults(&self) -> FaultsClient<greeter_client::Transport> {
        FaultsClient::new(greeter_client::transport(&self.url, Duration::from_secs(5)).unwrap())
    }

    async fn set_mode(&self, mode: fault_mode::Mode) {
        self.faults()
            .set_mode(FaultMode { mode: Some(mode) })
            .await
            .expect("the server's fault controls are on");
    }

    /// Every SayHello is answered at once.
    pub async fn heal(&self) {
        self.set_mode(fault_mode::Mode::Healthy(Healthy {})).await;
    }

    /// Every SayHello fails with `Unavailable`.
    pub async fn fail(&self) {
        self.set_mode(fault_mode::Mode::Failing(Failing {
            code: tonic::Code::Unavailable as i32,
            message: "down".into(),
        }))
        .await;
    }

    /// Every SayHello is answered after `delay`.
    pub async fn slow(&self, delay: Duration) {
        let delay_ms = delay.as_millis() as u32;
        self.set_mode(fault_mode::Mode::Slow(Slow { delay_ms }))
            .await;
    }

    /// SayHello calls that reached the server's handler so far.
    pub async fn received(&self) -> u64 {
        self.faults()
            .get_status(GetStatusRequest {})
            .await
            .expect("the server answers GetStatus")
            .into_inner()
            .received
    }
}

/// Waits until `ready()` holds, looking every 10 ms for at most
/// [`PATIENCE`]; fails the test saying what it waited for.
pub async fn wait_until(what: &str, ready: impl Fn() -> bool) {
    for _ in 0..PATIENCE.as_millis() / 10 {
        if ready() {
            return;
        }
        greeter_client::sleep(Duration::from_millis(10)).await;
    }
    panic!("waited {PATIENCE:?} for {what}");
}
