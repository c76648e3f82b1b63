//! What e2e's `page_timing` test measures in headless Chromium.

use serde::{Deserialize, Serialize};

/// The page's timings, each the median of `samples` measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageTiming {
    /// Measurements behind each median.
    pub samples: usize,
    /// Navigation start to the moment the send button can first be clicked, in ms.
    pub first_click_ms: f64,
    /// Click to reply shown, a real round trip to the server, in ms.
    pub round_trip_ms: f64,
    /// Click to rejection shown with the breaker open (no network), in ms.
    pub rejection_ms: f64,
}
