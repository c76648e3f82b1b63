//! Whether a handle uses the shared state or, while Redis does not answer,
//! its local breaker.

use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Where a handle's decisions come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// The breaker shared through Redis.
    Shared,
    /// A local breaker with the same settings, because the shared state
    /// could not be used: Redis did not answer, or gave an answer the
    /// handle cannot use (an error, a key of another type, other settings).
    /// The handle asks Redis again at most once per probe interval and
    /// rejoins the shared state when it answers.
    Local {
        /// When the handle fell back.
        since: SystemTime,
        /// What went wrong (an error, a timeout, the settings that differ).
        reason: String,
    },
}

/// The mode, readable without a lock on every call.
#[derive(Debug)]
pub(crate) struct ModeCell {
    local: AtomicBool,
    mode: Mutex<Mode>,
    /// When the next probe of Redis is due, in nanoseconds of the handle's clock.
    next_probe: AtomicU64,
    probe_interval: Duration,
}

impl ModeCell {
    pub(crate) fn new(probe_interval: Duration) -> Self {
        ModeCell {
            local: AtomicBool::new(false),
            mode: Mutex::new(Mode::Shared),
            next_probe: AtomicU64::new(0),
            probe_interval,
        }
    }

    /// Whether the handle decides with its local breaker now.
    pub(crate) fn is_local(&self) -> bool {
        self.local.load(Ordering::Acquire)
    }

    pub(crate) fn get(&self) -> Mode {
        self.mode.lock().clone()
    }

    /// Whether this call should go to Redis: always when shared; when local,
    /// only the one call that claims a due probe.
    pub(crate) fn should_ask_store(&self, now_nanos: u64) -> bool {
        if !self.local.load(Ordering::Acquire) {
            return true;
        }
        let due = self.next_probe.load(Ordering::Acquire);
        now_nanos >= due
            && self
                .next_probe
                .compare_exchange(
                    due,
                    self.probe_after(now_nanos),
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
    }

    /// When the probe after one made at `now_nanos` is due.
    fn probe_after(&self, now_nanos: u64) -> u64 {
        let interval = u64::try_from(self.probe_interval.as_nanos()).unwrap_or(u64::MAX);
        now_nanos.saturating_add(interval)
    }

    /// The shared state could not be used (`what` went wrong, for the log):
    /// go local (once) and wait a probe interval before asking again.
    /// `start_local` runs when the handle goes local, before any call can
    /// see it local, to set up the local breaker.
    pub(crate) fn fall_back(
        &self,
        name: &str,
        now_nanos: u64,
        what: &str,
        reason: &dyn std::fmt::Display,
        start_local: impl FnOnce(),
    ) {
        self.next_probe
            .store(self.probe_after(now_nanos), Ordering::Release);
        let mut mode = self.mode.lock();
        if *mode == Mode::Shared {
            tracing::warn!(
                breaker = name,
                %reason,
                "{what}: this handle uses a local breaker until it can use the shared state"
            );
            start_local();
            *mode = Mode::Local {
                since: SystemTime::now(),
                reason: reason.to_string(),
            };
            self.local.store(true, Ordering::Release);
        } else {
            tracing::debug!(breaker = name, %reason, "{what}: still local");
        }
    }

    /// Redis answered: back to the shared state (logged once).
    pub(crate) fn rejoin(&self, name: &str) {
        if !self.local.load(Ordering::Acquire) {
            return;
        }
        let mut mode = self.mode.lock();
        if let Mode::Local { since, .. } = &*mode {
            let after = since.elapsed().unwrap_or_default();
            tracing::info!(
                breaker = name,
                ?after,
                "Redis answers again: this handle rejoined the shared breaker"
            );
            *mode = Mode::Shared;
            self.local.store(false, Ordering::Release);
        }
    }
}
