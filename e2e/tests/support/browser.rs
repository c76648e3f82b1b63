//! Headless Chromium driven through chromedriver (WebDriver), for tests that
//! click through the page as a person would.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a step may wait for the page before it fails.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(20);

/// A chromedriver process with one headless Chromium session, both ended on
/// drop, and the session's profile directory, removed after them.
pub struct Browser {
    pub client: Client,
    _driver: Driver,
    _profile: Profile,
    screenshots: PathBuf,
}

/// Chromium's profile directory for one session, removed when dropped: each
/// holds about 10 MB, and a test run starts a dozen sessions.
struct Profile(PathBuf);

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The chromedriver process, killed when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a headless
    /// Chromium session; screenshots go under `target/e2e/<name>/`.
    pub async fn start(name: &str) -> Browser {
        let driver_path =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = server_launcher::child_port().expect("a free loopback port");
        let driver = Driver(
            Command::new(&driver_path)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot start {driver_path} (apt-get install chromium-driver): {e}")
                }),
        );
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let started = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = Profile(
            std::env::temp_dir().join(format!("e2e-chromium-{name}-{}", std::process::id())),
        );
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.0.display()),
                ],
            },
        });
        let capabilities = capabilities.as_object().unwrap().clone();
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://{addr}"))
            .await
            .expect("a headless Chromium session");
        let screenshots = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/e2e")
            .join(name);
        std::fs::create_dir_all(&screenshots).unwrap();
        Browser {
            client,
            _driver: driver,
            _profile: profile,
            screenshots,
        }
    }

    /// Opens `url` and starts keeping the page's console messages.
    pub async fn open(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
        self.client
            .execute(
                "if (!window.__e2eLogs) { window.__e2eLogs = []; \
                 for (const level of ['log', 'info', 'warn', 'error']) { \
                   const original = console[level]; \
                   console[level] = (...args) => { window.__e2eLogs.push(level + ': ' + args.join(' ')); original.apply(console, args); }; } \
                 window.addEventListener('error', e => window.__e2eLogs.push('uncaught: ' + e.message)); }",
                vec![],
            )
            .await
            .unwrap();
    }

    /// Saves a screenshot of the page as `<stage>.png`.
    pub async fn screenshot(&self, stage: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(self.screenshots.join(format!("{stage}.png")), png);
        }
    }

    /// What the page logged, and the text of its logs, for a failure report.
    pub async fn report(&self) -> String {
        let logs = self
            .client
            .execute("return (window.__e2eLogs || []).join('\\n')", vec![])
            .await;
        let calls = self.texts("call-log").await;
        let transitions = self.texts("transition-log").await;
        format!(
            "page console:\n{}\ncall log: {calls:#?}\ntransition log: {transitions:#?}\nscreenshots in {}",
            logs.ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            self.screenshots.display()
        )
    }

    /// The element with `data-testid`, or why there is none.
    async fn find(&self, testid: &str) -> Result<fantoccini::elements::Element, String> {
        self.client
            .find(Locator::Css(&format!("[data-testid='{testid}']")))
            .await
            .map_err(|e| e.to_string())
    }

    /// The element with `data-testid`.
    pub async fn by_testid(&self, testid: &str) -> fantoccini::elements::Element {
        self.find(testid)
            .await
            .unwrap_or_else(|e| panic!("no element with data-testid={testid}: {e}"))
    }

    /// Clicks the element with `data-testid`.
    pub async fn click(&self, testid: &str) {
        self.by_testid(testid)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {testid}: {e}"));
    }

    /// The line of each entry (`li .line`) of the log with `data-testid`.
    pub async fn texts(&self, testid: &str) -> Vec<String> {
        let script = "return Array.from(document.querySelectorAll(`[data-testid='${arguments[0]}'] li .line`)).map(e => e.textContent)";
        match self.client.execute(script, vec![json!(testid)]).await {
            Ok(value) => serde_json::from_value(value).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// An attribute of the element with `data-testid`; `None` while the
    /// element is not (yet) on the page, so waits can poll for it.
    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        let element = self.find(testid).await.ok()?;
        element.attr(name).await.ok().flatten()
    }

    /// The text of the element with `data-testid` (empty if it has none).
    pub async fn text(&self, testid: &str) -> String {
        self.by_testid(testid)
            .await
            .text()
            .await
            .unwrap_or_default()
    }

    /// The state badge's `data-state`: `closed`, `open` or `half-open`.
    pub async fn state(&self) -> String {
        self.attr("state-badge", "data-state")
            .await
            .unwrap_or_default()
    }

    /// Waits until the state badge says `expected`.
    pub async fn wait_for_state(&self, expected: &str) {
        let what = format!("the badge to say {expected}");
        self.wait_until(&what, || async { self.state().await == expected })
            .await;
    }

    /// Waits (at most [`STEP_TIMEOUT`]) until `ready` holds, polling the page.
    pub async fn wait_until<F, Fut>(&self, what: &str, mut ready: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let started = Instant::now();
        while !ready().await {
            if started.elapsed() > STEP_TIMEOUT {
                self.screenshot("timeout").await;
                panic!("timed out waiting for {what}\n{}", self.report().await);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Closes the session (and chromedriver with it).
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}
