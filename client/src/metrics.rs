//! `--metrics-addr`: the CLI's breaker as Prometheus reads it,
//! `circuit_breaker_state`, `circuit_breaker_transitions_total` and
//! `circuit_breaker_calls_total`, labelled `breaker="greeter"` and the
//! server's URL as `key` (tripbreaker-tower's `MetricsObserver`), one
//! breaker per `--server`.
//!
//! The exporter is installed by `main` before the calls begin; every call
//! of `--calls N` is counted, and the Go demo's transitions and state.

use std::sync::{Arc, Mutex, PoisonError};

use greeter_client::{Call, Reply};
use tripbreaker::{CallReport, Observer, Transition};
use tripbreaker_tower::MetricsObserver;

use crate::Config;

/// The CLI breaker's metrics, when they are served.
#[derive(Clone, Default)]
pub struct BreakerMetrics(Option<Arc<Mutex<MetricsObserver>>>);

impl BreakerMetrics {
    /// The metrics of `config`'s breaker of `server`: nothing without
    /// `--metrics-addr`.
    pub fn of(config: &Config, server: &str) -> Self {
        Self(config.metrics_addr.map(|_| {
            Arc::new(Mutex::new(MetricsObserver::new(
                config.settings.breaker_settings().name,
                server.to_owned(),
            )))
        }))
    }

    /// Counts a state change of the breaker.
    pub fn transition(&self, name: &str, transition: Transition) {
        if let Some(observer) = &self.0 {
            lock(observer).on_transition(name, transition);
        }
    }

    /// Counts a call by how the breaker counted it.
    pub fn call(&self, name: &str, call: &Call) {
        let Some(observer) = &self.0 else { return };
        let outcome = match (&call.reply, call.outcome) {
            (Reply::Rejected(rejected), _) => Err(*rejected),
            (_, Some(outcome)) => Ok(outcome),
            // Neither refused nor counted: nothing the breaker heard.
            (_, None) => return,
        };
        let report = CallReport {
            outcome,
            latency: None,
        };
        lock(observer).on_call(name, report);
    }
}

fn lock(observer: &Mutex<MetricsObserver>) -> std::sync::MutexGuard<'_, MetricsObserver> {
    observer.lock().unwrap_or_else(PoisonError::into_inner)
}
