//! What e2e's `page_timing` test measures in headless Chromium.

use serde::{Deserialize, Serialize};

/// The page's timings, each the median of `samples` measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageTiming {
    /// Measurements behind each median.
    pub samples: usize,
    /// Navigation start to the moment the send button can first be clicked,
    /// in ms, on a repeat visit (the page's files in the browser's cache).
    pub first_click_ms: f64,
    /// The same on a first visit (the browser's cache off), over the real
    /// loopback connection, in ms.
    pub first_click_cold_ms: f64,
    /// The same on a first visit over the emulated connection
    /// [`throttle`](Self::throttle), in ms.
    pub first_click_throttled_ms: f64,
    /// The connection Chromium emulated for
    /// [`first_click_throttled_ms`](Self::first_click_throttled_ms).
    pub throttle: Throttle,
    /// The wasm's bytes on the wire on a first visit (Resource Timing's
    /// `encodedBodySize`: compressed as the server chose).
    pub wasm_wire_bytes: u64,
    /// The wasm's bytes once decoded (`decodedBodySize`).
    pub wasm_decoded_bytes: u64,
    /// Click to reply shown, a real round trip to the server, in ms.
    pub round_trip_ms: f64,
    /// Click to rejection shown with the breaker open (no network), in ms.
    pub rejection_ms: f64,
}

/// A slow connection, as Chromium's network emulation takes it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Throttle {
    /// Download rate, in bits per second.
    pub down_bits_per_s: u64,
    /// Upload rate, in bits per second.
    pub up_bits_per_s: u64,
    /// Latency added to every request, in ms.
    pub latency_ms: u64,
}

impl Throttle {
    /// 1.6 Mbit/s each way and 150 ms round trip: a slow mobile connection
    /// (Lighthouse's "slow 4G" latency and download rate).
    pub const SLOW_MOBILE: Throttle = Throttle {
        down_bits_per_s: 1_600_000,
        up_bits_per_s: 1_600_000,
        latency_ms: 150,
    };
}

impl std::fmt::Display for Throttle {
    /// `1.6 Mbit/s down, 1.6 Mbit/s up, 150 ms round trip`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mbit = |bits: u64| bits as f64 / 1e6;
        write!(
            f,
            "{} Mbit/s down, {} Mbit/s up, {} ms round trip",
            mbit(self.down_bits_per_s),
            mbit(self.up_bits_per_s),
            self.latency_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_throttle_reads_as_rates_and_latency() {
        assert_eq!(
            Throttle::SLOW_MOBILE.to_string(),
            "1.6 Mbit/s down, 1.6 Mbit/s up, 150 ms round trip"
        );
    }
}
