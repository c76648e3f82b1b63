//! Mounting the page into the test page and driving it like a user: find
//! by `data-testid`, click, type, and wait (bounded) for the DOM to change.
#![allow(dead_code)] // each test binary uses a part

pub mod lines;

use std::time::Duration;
use tripbreaker::BrowserClock;
use wasm_bindgen::JsCast;
use web::faults::{self, Fault};
use web::{Config, Mounted};
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlSelectElement};

/// The longest any wait lasts before the test fails.
const PATIENCE: Duration = Duration::from_secs(8);

/// The live server's URL, baked in at build time.
pub fn server_url() -> &'static str {
    match option_env!("GREETER_URL") {
        Some(url) => url,
        None => panic!(
            "GREETER_URL must name a running greeter server at build time, e.g. \
             GREETER_URL=http://127.0.0.1:50081 cargo test -p web --target wasm32-unknown-unknown --tests"
        ),
    }
}

/// Puts the shared test server back to healthy (its mode is global).
pub async fn heal_server() {
    set_fault(Fault::Healthy).await;
}

/// Puts the shared test server in `fault` mode.
pub async fn set_fault(fault: Fault) {
    faults::set_mode(server_url(), fault)
        .await
        .expect("the test server runs with --faults on");
}

/// SayHello calls that reached the server's handler so far.
pub async fn received() -> u64 {
    faults::status(server_url())
        .await
        .expect("the server answers GetStatus")
        .received
}

/// Waits `duration` on a JS timer.
pub async fn sleep(duration: Duration) {
    gloo_timers::future::sleep(duration).await;
}

/// The app, mounted into its own element of the test page for one test.
pub struct Page {
    root: HtmlElement,
    app: Option<Mounted>,
}

impl Page {
    /// Mounts the app against the test server, with settings from `query`.
    pub fn mount(query: &str) -> Page {
        let document = web_sys::window().unwrap().document().unwrap();
        let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
        document.body().unwrap().append_child(&root).unwrap();
        let config = Config::from_query(query, server_url());
        let app = web::mount_with(root.clone(), config);
        Page {
            root,
            app: Some(app),
        }
    }

    /// The element with this `data-testid`, or `None`.
    pub fn find(&self, testid: &str) -> Option<HtmlElement> {
        self.query(&format!("[data-testid=\"{testid}\"]"))
    }

    /// The element matching `selector`, or `None`.
    pub fn query(&self, selector: &str) -> Option<HtmlElement> {
        let element = self.root.query_selector(selector).unwrap()?;
        Some(element.unchecked_into())
    }

    /// Every element matching `selector`, in document order.
    pub fn all(&self, selector: &str) -> Vec<HtmlElement> {
        let found = self.root.query_selector_all(selector).unwrap();
        (0..found.length())
            .map(|i| found.item(i).unwrap().unchecked_into())
            .collect()
    }

    /// The element with this `data-testid`; fails the test if missing.
    pub fn get(&self, testid: &str) -> HtmlElement {
        self.find(testid)
            .unwrap_or_else(|| panic!("no [data-testid={testid}] on the page:\n{}", self.text()))
    }

    /// Clicks the element with this `data-testid`, as a user would.
    pub fn click(&self, testid: &str) {
        self.get(testid).click();
    }

    /// Types `text` into the name field.
    pub fn set_name(&self, text: &str) {
        let input: HtmlInputElement = self.get("name-input").unchecked_into();
        input.set_value(text);
        fire(&input, "input");
    }

    /// Enters `value` into the setting `key` and leaves the field.
    pub fn set_setting(&self, key: &str, value: &str) {
        let input: HtmlInputElement = self
            .query(&format!("[data-setting=\"{key}\"] input"))
            .unwrap_or_else(|| panic!("no input for setting {key}"))
            .unchecked_into();
        input.set_value(value);
        fire(&input, "change");
    }

    /// The value shown in the setting `key`'s input.
    pub fn setting(&self, key: &str) -> String {
        let input: HtmlInputElement = self
            .query(&format!("[data-setting=\"{key}\"] input"))
            .unwrap_or_else(|| panic!("no input for setting {key}"))
            .unchecked_into();
        input.value()
    }

    /// Picks `value` in the server fault mode menu.
    pub fn choose_fault(&self, value: &str) {
        let select: HtmlSelectElement = self.get("fault-mode").unchecked_into();
        select.set_value(value);
        fire(&select, "change");
    }

    /// The badge's `data-state`: `closed`, `open` or `half-open`.
    pub fn state(&self) -> String {
        self.get("state-badge")
            .get_attribute("data-state")
            .unwrap_or_default()
    }

    /// The lines of the log with this `data-testid`, oldest first.
    pub fn lines(&self, testid: &str) -> Vec<String> {
        let items = self
            .root
            .query_selector_all(&format!("[data-testid=\"{testid}\"] > li"))
            .unwrap();
        (0..items.length())
            .map(|i| {
                let item: Element = items.item(i).unwrap().unchecked_into();
                let line = item
                    .query_selector(".line")
                    .unwrap()
                    .expect("each li has a .line");
                line.text_content().unwrap_or_default()
            })
            .collect()
    }

    /// The count shown for `key` (`requests`, `failures`, `exclusions`…).
    pub fn count(&self, key: &str) -> u32 {
        let dd = self
            .query(&format!(
                "[data-testid=\"counts\"] [data-count=\"{key}\"] dd"
            ))
            .unwrap_or_else(|| panic!("no count {key}"));
        dd.text_content()
            .unwrap_or_default()
            .parse()
            .expect("a count is a number")
    }

    /// All the page's text, for failure messages.
    pub fn text(&self) -> String {
        self.root.inner_text()
    }

    /// Waits until `ready(self)` holds, polling the DOM every 10 ms for at
    /// most [`PATIENCE`]; fails the test saying what it waited for.
    pub async fn wait_until(&self, what: &str, ready: impl Fn(&Page) -> bool) {
        self.wait_within(what, PATIENCE, ready).await;
    }

    /// Waits like [`wait_until`](Self::wait_until), for at most `patience`.
    pub async fn wait_within(&self, what: &str, patience: Duration, ready: impl Fn(&Page) -> bool) {
        let started = BrowserClock::now_millis();
        while !ready(self) {
            if BrowserClock::now_millis() - started > patience.as_secs_f64() * 1000.0 {
                panic!(
                    "waited {patience:?} for {what}; the page shows:\n{}",
                    self.text()
                );
            }
            sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until the log `testid` has `n` lines.
    pub async fn wait_for_lines(&self, testid: &str, n: usize) {
        self.wait_until(&format!("{n} lines in {testid}"), |page| {
            page.lines(testid).len() >= n
        })
        .await;
    }

    /// Waits until the badge says `state`.
    pub async fn wait_for_state(&self, state: &str) {
        self.wait_until(&format!("the badge to say {state}"), |page| {
            page.state() == state
        })
        .await;
    }

    /// Clicks `testid` and waits for the call's line in the call log.
    pub async fn call(&self, testid: &str) -> String {
        let before = self.lines("call-log").len();
        self.click(testid);
        self.wait_for_lines("call-log", before + 1).await;
        self.lines("call-log")[before].clone()
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        drop(self.app.take()); // unmounts the app and stops its timers
        self.root.remove();
    }
}

/// Dispatches a bubbling `kind` event at `target`, as typing or picking does.
fn fire(target: &web_sys::EventTarget, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}
