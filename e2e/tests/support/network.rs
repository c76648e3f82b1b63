//! Chromium's network emulation and HTTP cache switch, sent as Chrome
//! DevTools Protocol commands through chromedriver's `goog/cdp/execute`
//! endpoint (fantoccini has no method for them, but sends any
//! [`WebDriverCompatibleCommand`]).

use bench_results::Throttle;
use fantoccini::Client;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{Value, json};

/// One DevTools command run in the session's current tab.
#[derive(Debug)]
struct Cdp {
    method: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("CDP commands are sent within a session");
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

async fn cdp(client: &Client, method: &'static str, params: Value) {
    client
        .issue_cmd(Cdp { method, params })
        .await
        .unwrap_or_else(|e| panic!("chromedriver refused {method}: {e}"));
}

/// Makes every later load of the page a first visit: nothing from the HTTP
/// cache.
pub async fn disable_cache(client: &Client) {
    cdp(client, "Network.enable", json!({})).await;
    cdp(
        client,
        "Network.setCacheDisabled",
        json!({ "cacheDisabled": true }),
    )
    .await;
}

/// Emulates `conditions` from now on (`None`: the real connection again).
pub async fn emulate(client: &Client, conditions: Option<Throttle>) {
    // DevTools takes bytes per second; -1 and 0 latency switch throttling off.
    let params = match conditions {
        Some(c) => json!({
            "offline": false,
            "latency": c.latency_ms,
            "downloadThroughput": c.down_bits_per_s / 8,
            "uploadThroughput": c.up_bits_per_s / 8,
        }),
        None => json!({
            "offline": false,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": -1,
        }),
    };
    cdp(client, "Network.emulateNetworkConditions", params).await;
}
