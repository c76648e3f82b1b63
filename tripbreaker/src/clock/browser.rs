//! The browser's monotonic clock.

use super::{Clock, Instant};

/// The browser's monotonic clock, `performance.now()`, in a window or a
/// worker. Its origin is the page's (or worker's) time origin.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserClock;

impl BrowserClock {
    /// The browser clock.
    pub const fn new() -> Self {
        BrowserClock
    }

    /// `performance.now()` in milliseconds, from the window or, in a worker,
    /// the worker's global scope; 0 where neither has a `performance`.
    pub fn now_millis() -> f64 {
        use js_sys::wasm_bindgen::JsCast;
        let global = js_sys::global();
        if let Some(window) = global.dyn_ref::<web_sys::Window>() {
            window.performance().map_or(0.0, |p| p.now())
        } else if let Some(worker) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
            worker.performance().map_or(0.0, |p| p.now())
        } else {
            0.0
        }
    }
}

impl Clock for BrowserClock {
    fn now(&self) -> Instant {
        // performance.now() is a non-negative, finite number of milliseconds.
        let nanos = (Self::now_millis() * 1_000_000.0).max(0.0);
        Instant::from_nanos(nanos as u64)
    }
}
