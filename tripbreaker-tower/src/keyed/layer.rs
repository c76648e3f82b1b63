//! The `Layer` that gives each key of a gRPC transport its own breaker.

use super::set::{BreakerSet, SetConfig};
use super::{Endpoint, GrpcMethod, KeyedCircuitBreakerService, ObserveKeys};
use crate::GrpcClassifier;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tower_layer::Layer;
use tripbreaker::{CircuitBreaker, Clock, Settings, SettingsError};

/// How many breakers a keyed layer keeps unless told otherwise.
pub const DEFAULT_CAPACITY: usize = 1_024;

/// Gives each key its own breaker in front of a gRPC transport: keyed by
/// gRPC method (the default, [`GrpcMethod`]), by endpoint
/// ([`for_endpoint`](Self::for_endpoint)), or by any function of the
/// request ([`keyed_by`](Self::keyed_by)). Every breaker has the default
/// settings unless its key has its own ([`with_override`](Self::with_override)).
///
/// Memory is bounded: at most [`capacity`](Self::with_capacity) breakers
/// (default 1,024), each made on its key's first call. When they are all
/// taken, a new key takes the place of the *closed* breaker idle longest;
/// an open, half-open or manually set breaker is never evicted, so no
/// decision to reject is forgotten. With none to evict, the new key's call
/// is refused at once (`Unavailable`, `no room for another circuit
/// breaker`, told apart by [`keyed_rejection`](crate::keyed_rejection)):
/// the safe side, as a call no breaker watches could pile onto a failing
/// dependency while many others fail. With an idle expiry, a closed breaker
/// unused for longer (on the layer's clock) is forgotten: its key's next
/// call starts afresh, and a new key's call frees its room (looking for such
/// breakers at most once per expiry, unless the set is full). Keys past the
/// capacity never grow memory.
///
/// Services made by one layer, and by its clones, share its breakers.
/// Configure it first: every `with_` method starts a new, empty set.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use http_body_util::Empty;
/// use std::time::Duration;
/// use tower::{ServiceBuilder, ServiceExt};
/// use tripbreaker::{MonotonicClock, Settings, State, TripRule};
/// use tripbreaker_tower::KeyedCircuitBreakerLayer;
///
/// let defaults = Settings {
///     ready_to_trip: TripRule::ConsecutiveFailures(3),
///     timeout: Duration::from_secs(5),
///     ..Settings::new("greeter")
/// };
/// let layer = KeyedCircuitBreakerLayer::new(defaults, MonotonicClock::new())?
///     // SayHello trips after one failure; every other method after three.
///     .with_override("/greeter.Greeter/SayHello", Settings {
///         ready_to_trip: TripRule::ConsecutiveFailures(1),
///         ..defaults
///     })?;
/// // A server whose every call fails with `Unavailable`.
/// let failing = tower::service_fn(|_: http::Request<()>| async {
///     let mut response = http::Response::new(Empty::<bytes::Bytes>::new());
///     response.headers_mut().insert("grpc-status", "14".parse().unwrap());
///     Ok::<_, std::convert::Infallible>(response)
/// });
/// let guarded = ServiceBuilder::new().layer(layer).service(failing);
///
/// let say_hello = || http::Request::post("/greeter.Greeter/SayHello").body(()).unwrap();
/// guarded.clone().oneshot(say_hello()).await?;
/// assert_eq!(guarded.breaker("/greeter.Greeter/SayHello").unwrap().state(), State::Open);
/// assert!(guarded.breaker("/greeter.Greeter/SayGoodbye").is_none(), "no call yet");
/// # Ok(())
/// # }
/// ```
#[must_use = "a layer guards nothing until it is applied to a service"]
pub struct KeyedCircuitBreakerLayer<C, K = GrpcMethod, O: ObserveKeys = ()> {
    set: Arc<BreakerSet<C, O>>,
    key: K,
    classifier: GrpcClassifier,
}

impl<C: Clock + Clone> KeyedCircuitBreakerLayer<C> {
    /// Breakers keyed by gRPC method, with `defaults` for every key, on
    /// `clock`; server-side errors count as failures
    /// ([`GrpcClassifier::server_errors`]). Settings with a rolling window
    /// are refused (the keyed breakers keep fixed windows).
    pub fn new(defaults: Settings, clock: C) -> Result<Self, SettingsError> {
        check(defaults, &clock)?;
        let config = SetConfig {
            defaults,
            overrides: HashMap::new(),
            clock,
            observers: (),
            capacity: DEFAULT_CAPACITY,
            idle_expiry: None,
        };
        Ok(KeyedCircuitBreakerLayer {
            set: Arc::new(BreakerSet::new(config)),
            key: GrpcMethod,
            classifier: GrpcClassifier::server_errors(),
        })
    }
}

impl<C: Clock + Clone, K, O: ObserveKeys + Clone> KeyedCircuitBreakerLayer<C, K, O> {
    /// `key`'s breaker gets `settings` instead of the defaults.
    pub fn with_override(
        self,
        key: impl Into<Arc<str>>,
        settings: Settings,
    ) -> Result<Self, SettingsError> {
        check(settings, &self.set.config.clock)?;
        Ok(self.reconfigured(|config| {
            config.overrides.insert(key.into(), settings);
        }))
    }

    /// Keeps at most `capacity` breakers (at least 1; default [`DEFAULT_CAPACITY`]).
    pub fn with_capacity(self, capacity: usize) -> Self {
        self.reconfigured(|config| config.capacity = capacity.max(1))
    }

    /// Forgets a closed breaker unused for longer than `idle`, on the layer's clock.
    pub fn with_idle_expiry(self, idle: Duration) -> Self {
        self.reconfigured(|config| config.idle_expiry = Some(idle))
    }

    /// Gives each key's breaker the observer `observers` makes for it.
    pub fn with_observers<P: ObserveKeys + Clone>(
        self,
        observers: P,
    ) -> KeyedCircuitBreakerLayer<C, K, P> {
        let config = &self.set.config;
        let config = SetConfig {
            defaults: config.defaults,
            overrides: config.overrides.clone(),
            clock: config.clock.clone(),
            observers,
            capacity: config.capacity,
            idle_expiry: config.idle_expiry,
        };
        KeyedCircuitBreakerLayer {
            set: Arc::new(BreakerSet::new(config)),
            key: self.key,
            classifier: self.classifier,
        }
    }

    fn reconfigured(self, change: impl FnOnce(&mut SetConfig<C, O>)) -> Self {
        let mut config = self.set.config.clone();
        change(&mut config);
        KeyedCircuitBreakerLayer {
            set: Arc::new(BreakerSet::new(config)),
            key: self.key,
            classifier: self.classifier,
        }
    }
}

impl<C, K, O: ObserveKeys> KeyedCircuitBreakerLayer<C, K, O> {
    /// Classifies status codes with `classifier` instead.
    pub fn with_classifier(mut self, classifier: GrpcClassifier) -> Self {
        self.classifier = classifier;
        self
    }

    /// Keys calls by `key` instead (a function of the request, say), with
    /// the same breakers.
    pub fn keyed_by<L>(self, key: L) -> KeyedCircuitBreakerLayer<C, L, O> {
        KeyedCircuitBreakerLayer {
            set: self.set,
            key,
            classifier: self.classifier,
        }
    }

    /// A layer for the transport of one endpoint: every call through it is
    /// keyed by `endpoint`'s name, in the breakers this layer shares with
    /// its other endpoints.
    ///
    /// ```
    /// use tripbreaker::{MonotonicClock, Settings};
    /// use tripbreaker_tower::KeyedCircuitBreakerLayer;
    ///
    /// let layer = KeyedCircuitBreakerLayer::new(Settings::new("greeter"), MonotonicClock::new())?;
    /// let for_a = layer.for_endpoint("http://127.0.0.1:50051");
    /// let for_b = layer.for_endpoint("http://127.0.0.1:50052");
    /// # Ok::<(), tripbreaker::SettingsError>(())
    /// ```
    pub fn for_endpoint(
        &self,
        endpoint: impl Into<Arc<str>>,
    ) -> KeyedCircuitBreakerLayer<C, Endpoint, O> {
        KeyedCircuitBreakerLayer {
            set: Arc::clone(&self.set),
            key: Endpoint::new(endpoint),
            classifier: self.classifier,
        }
    }
}

/// Whether `settings` make a keyed breaker.
fn check<C: Clock + Clone>(settings: Settings, clock: &C) -> Result<(), SettingsError> {
    CircuitBreaker::new(settings, clock.clone()).map(drop)
}

impl<S, C, K: Clone, O: ObserveKeys> Layer<S> for KeyedCircuitBreakerLayer<C, K, O> {
    type Service = KeyedCircuitBreakerService<S, K, C, O>;

    fn layer(&self, inner: S) -> Self::Service {
        KeyedCircuitBreakerService::new(
            inner,
            self.key.clone(),
            Arc::clone(&self.set),
            self.classifier,
        )
    }
}

impl<C, K: Clone, O: ObserveKeys> Clone for KeyedCircuitBreakerLayer<C, K, O> {
    fn clone(&self) -> Self {
        KeyedCircuitBreakerLayer {
            set: Arc::clone(&self.set),
            key: self.key.clone(),
            classifier: self.classifier,
        }
    }
}

impl<C, K: fmt::Debug, O: ObserveKeys> fmt::Debug for KeyedCircuitBreakerLayer<C, K, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.set.config;
        f.debug_struct("KeyedCircuitBreakerLayer")
            .field("key", &self.key)
            .field("defaults", &config.defaults)
            .field("overrides", &config.overrides.keys().collect::<Vec<_>>())
            .field("capacity", &config.capacity)
            .field("idle_expiry", &config.idle_expiry)
            .field("classifier", &self.classifier)
            .finish_non_exhaustive()
    }
}
