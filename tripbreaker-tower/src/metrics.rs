//! A breaker's calls, transitions and state, recorded through the
//! [`metrics`](https://docs.rs/metrics) facade: the application installs
//! the exporter (Prometheus, say); with none installed, recording costs
//! next to nothing.

use crate::ObserveKeys;
use metrics::{Counter, Gauge, SharedString, counter, describe_counter, describe_gauge, gauge};
use tripbreaker::{CallDetail, CallReport, Observer, Outcome, Rejected, State, Transition};

/// `circuit_breaker_calls_total{breaker, key, outcome}`: calls by outcome,
/// one of `success`, `failure`, `excluded`, `rejected_open`, `rejected_too_many`.
pub const CALLS_TOTAL: &str = "circuit_breaker_calls_total";
/// `circuit_breaker_transitions_total{breaker, key, from, to, reason}`:
/// state changes; `from` and `to` are `State::as_str` (`closed`,
/// `half-open`, `open`, and the manual `forced-open`, `forced-closed`,
/// `disabled`), `reason` is `Reason::as_str`.
pub const TRANSITIONS_TOTAL: &str = "circuit_breaker_transitions_total";
/// `circuit_breaker_state{breaker, key, state}`: 1 for the current state
/// (`closed`, `half-open` or `open`), 0 for the other two. Forced open
/// counts as open; forced closed and disabled as closed.
pub const STATE: &str = "circuit_breaker_state";

/// The outcomes of [`CALLS_TOTAL`], in the order of [`outcome_index`].
const OUTCOMES: [&str; 5] = [
    "success",
    "failure",
    "excluded",
    "rejected_open",
    "rejected_too_many",
];

/// The states of [`STATE`].
const STATES: [State; 3] = [State::Closed, State::HalfOpen, State::Open];

/// Records one breaker's metrics, labelled `breaker` and `key`: an
/// [`Observer`] for any breaker (`SharedBreaker::from_breaker(breaker.with_observer(..))`).
/// Its series are registered when it is made, the state gauge set to closed.
///
/// ```
/// use tripbreaker::{CircuitBreaker, MonotonicClock, Settings, SharedBreaker};
/// use tripbreaker_tower::MetricsObserver;
///
/// let observer = MetricsObserver::new("greeter", "http://127.0.0.1:50051");
/// let breaker = SharedBreaker::from_breaker(
///     CircuitBreaker::new(Settings::new("greeter"), MonotonicClock::new())?.with_observer(observer),
/// );
/// # Ok::<(), tripbreaker::SettingsError>(())
/// ```
#[derive(Debug)]
pub struct MetricsObserver {
    breaker: SharedString,
    key: SharedString,
    calls: [Counter; 5],
    states: [Gauge; 3],
}

impl MetricsObserver {
    /// The metrics of the breaker `breaker` for `key` (the breaker's own
    /// name again, for a breaker that is not keyed).
    pub fn new(breaker: impl Into<SharedString>, key: impl Into<SharedString>) -> Self {
        let (breaker, key) = (breaker.into(), key.into());
        describe();
        let calls = OUTCOMES.map(|outcome| {
            counter!(CALLS_TOTAL, "breaker" => breaker.clone(), "key" => key.clone(), "outcome" => outcome)
        });
        let states = STATES.map(|state| {
            gauge!(STATE, "breaker" => breaker.clone(), "key" => key.clone(), "state" => state.as_str())
        });
        let observer = MetricsObserver {
            breaker,
            key,
            calls,
            states,
        };
        observer.show(State::Closed);
        observer
    }

    /// Sets the state gauge: 1 for `state`'s series, 0 for the others.
    fn show(&self, state: State) {
        let shown = match state {
            State::Closed | State::ForcedClosed | State::Disabled => State::Closed,
            State::HalfOpen => State::HalfOpen,
            State::Open | State::ForcedOpen => State::Open,
        };
        for (gauge, state) in self.states.iter().zip(STATES) {
            gauge.set(if state == shown { 1.0 } else { 0.0 });
        }
    }
}

impl Observer for MetricsObserver {
    const CALL_DETAIL: CallDetail = CallDetail::Outcomes;

    fn on_transition(&mut self, _name: &str, t: Transition) {
        counter!(
            TRANSITIONS_TOTAL,
            "breaker" => self.breaker.clone(),
            "key" => self.key.clone(),
            "from" => t.from.as_str(),
            "to" => t.to.as_str(),
            "reason" => t.reason.as_str(),
        )
        .increment(1);
        self.show(t.to);
    }

    #[inline]
    fn on_call(&mut self, _name: &str, call: CallReport) {
        self.calls[outcome_index(call.outcome)].increment(1);
    }
}

/// Where an outcome's counter is in [`OUTCOMES`].
fn outcome_index(outcome: Result<Outcome, Rejected>) -> usize {
    match outcome {
        Ok(Outcome::Success) => 0,
        Ok(Outcome::Failure) => 1,
        Ok(Outcome::Excluded) => 2,
        Err(Rejected::Open) => 3,
        Err(Rejected::TooManyRequests) => 4,
    }
}

fn describe() {
    describe_counter!(CALLS_TOTAL, "Calls through a circuit breaker, by outcome.");
    describe_counter!(
        TRANSITIONS_TOTAL,
        "State changes of a circuit breaker, by from, to and reason."
    );
    describe_gauge!(
        STATE,
        "1 for a circuit breaker's current state, 0 for the others."
    );
}

/// The metrics of every key of a [`KeyedCircuitBreakerLayer`](crate::KeyedCircuitBreakerLayer),
/// labelled with the name given here as `breaker` and each key as `key`.
/// Key labels are bounded by the layer's capacity at any one time; keyed
/// by gRPC method or endpoint, they come from the client's own code and
/// configuration, a closed set.
///
/// ```
/// use tripbreaker::{MonotonicClock, Settings};
/// use tripbreaker_tower::{BreakerMetrics, KeyedCircuitBreakerLayer};
///
/// let layer = KeyedCircuitBreakerLayer::new(Settings::new("greeter"), MonotonicClock::new())?
///     .with_observers(BreakerMetrics::new("greeter"));
/// # Ok::<(), tripbreaker::SettingsError>(())
/// ```
#[derive(Debug, Clone)]
pub struct BreakerMetrics {
    breaker: SharedString,
}

impl BreakerMetrics {
    /// Metrics labelled `breaker="<breaker>"`.
    pub fn new(breaker: impl Into<SharedString>) -> Self {
        BreakerMetrics {
            breaker: breaker.into(),
        }
    }
}

impl ObserveKeys for BreakerMetrics {
    type Observer = MetricsObserver;

    fn observer(&self, key: &str) -> MetricsObserver {
        MetricsObserver::new(self.breaker.clone(), key.to_owned())
    }
}
