//! The page in its three states, as README's "What the page shows" embeds
//! them: `docs/screenshots/closed.png`, `open.png` (with the countdown) and
//! `half-open.png`, at a fixed window size. The release page (`dist/`) is
//! served by the real server on a free loopback port and driven in headless
//! Chromium (chromedriver) through its `data-testid` hooks only, as the
//! browser tests drive it; every wait is bounded.
//!
//! `cargo xtask screenshots` builds the page, then runs this.

// The browser tests' server and headless Chromium session (chromedriver on
// a free port, both stopped on drop, bounded waits).
#[path = "../tests/support/mod.rs"]
mod support;

use anyhow::{Context, bail};
use fantoccini::Locator;
use std::path::Path;
use std::time::Duration;
use support::browser::Browser;

/// The window the screenshots are taken in, in CSS pixels.
const WINDOW: (u32, u32) = (1200, 900);

/// The most calls made to trip the breaker on a failing server (three
/// failures trip it; the server may take a moment to start failing).
const MOST_CALLS: usize = 10;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = support::serve_page().await;
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("e2e lives in the workspace")?;
    let out = workspace.join("docs/screenshots");
    std::fs::create_dir_all(&out)?;
    let browser = Browser::start("screenshots").await;
    let taken = take(&browser, &server.url(), &out).await;
    browser.close().await;
    server.shutdown().await?;
    taken?;
    println!("screenshots written to {}", out.display());
    Ok(())
}

/// Drives the page at `url` (the Go demo's settings, the defaults) to each
/// state and saves it under `out`: open while the Go demo waits for its
/// timeout; closed once it has recovered; half-open after a failing server
/// tripped it and was healed.
async fn take(browser: &Browser, url: &str, out: &Path) -> anyhow::Result<()> {
    browser.open(url).await;
    size_viewport(browser).await?;
    browser.wait_for_state("closed").await;

    browser.click("play-go-demo").await;
    browser
        .wait_until("the Go demo's wait for the timeout", || async {
            let waiting = browser
                .text("go-demo-step")
                .await
                .starts_with("Step 4 of 6");
            waiting && browser.attr("open-countdown", "role").await.is_some()
        })
        .await;
    save(browser, out, "open").await?;

    browser
        .wait_until("the Go demo to end", || async {
            browser.text("play-go-demo").await == "Play the Go demo"
        })
        .await;
    browser.wait_for_state("closed").await;
    save(browser, out, "closed").await?;

    choose_fault(browser, "failing").await?;
    for _ in 0..MOST_CALLS {
        if browser.state().await == "open" {
            break;
        }
        call(browser).await;
    }
    if browser.state().await != "open" {
        bail!("{MOST_CALLS} calls to a failing server did not trip the breaker");
    }
    choose_fault(browser, "healthy").await?;
    browser.wait_for_state("half-open").await;
    save(browser, out, "half-open").await
}

/// Sizes the window so that the page itself (the viewport, which the
/// screenshots show) is [`WINDOW`]: the window's own frame is measured.
async fn size_viewport(browser: &Browser) -> anyhow::Result<()> {
    let client = &browser.client;
    client.set_window_size(WINDOW.0, WINDOW.1).await?;
    let inner = client
        .execute("return [window.innerWidth, window.innerHeight]", vec![])
        .await?;
    let (width, height): (u32, u32) = serde_json::from_value(inner)?;
    let (frame_width, frame_height) = (
        WINDOW.0.saturating_sub(width),
        WINDOW.1.saturating_sub(height),
    );
    client
        .set_window_size(WINDOW.0 + frame_width, WINDOW.1 + frame_height)
        .await
        .context("sizing the window")?;
    Ok(())
}

/// Saves the page, scrolled to the top, as `out/<name>.png`.
async fn save(browser: &Browser, out: &Path, name: &str) -> anyhow::Result<()> {
    browser
        .client
        .execute("window.scrollTo(0, 0)", vec![])
        .await?;
    // Let the scroll and the last render reach the screen.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let png = browser.client.screenshot().await?;
    let path = out.join(format!("{name}.png"));
    std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
    println!("{} ({} state)", path.display(), name);
    Ok(())
}

/// Says hello once and waits for its line.
async fn call(browser: &Browser) {
    let before = browser.texts("call-log").await.len();
    browser.click("send-valid").await;
    browser
        .wait_until("the call's line", || async {
            browser.texts("call-log").await.len() > before
        })
        .await;
}

async fn choose_fault(browser: &Browser, mode: &str) -> anyhow::Result<()> {
    browser
        .client
        .find(Locator::Css("[data-testid='fault-mode']"))
        .await?
        .select_by_value(mode)
        .await
        .with_context(|| format!("choosing the fault mode {mode}"))
}
