//! The `Layer` that puts a circuit breaker in front of a gRPC transport.

use crate::{CircuitBreakerService, GrpcClassifier};
use tower_layer::Layer;

/// Puts the circuit breaker `R` (a `tripbreaker::SharedBreaker`) in front of a
/// gRPC transport service: tonic's `Channel` natively,
/// `tonic_web_wasm_client::Client` in the browser.
#[derive(Debug, Clone)]
#[must_use = "a layer guards nothing until it is applied to a service"]
pub struct CircuitBreakerLayer<R> {
    breaker: R,
    classifier: GrpcClassifier,
}

impl<R> CircuitBreakerLayer<R> {
    /// Guards calls with `tripbreaker`, counting server-side errors as failures
    /// and caller mistakes as excluded ([`GrpcClassifier::server_errors`]).
    pub fn new(breaker: R) -> Self {
        CircuitBreakerLayer {
            breaker,
            classifier: GrpcClassifier::server_errors(),
        }
    }

    /// Classifies status codes with `classifier` instead.
    pub fn with_classifier(mut self, classifier: GrpcClassifier) -> Self {
        self.classifier = classifier;
        self
    }
}

impl<S, R: Clone> Layer<S> for CircuitBreakerLayer<R> {
    type Service = CircuitBreakerService<S, R>;

    fn layer(&self, inner: S) -> Self::Service {
        CircuitBreakerService::new(inner, self.breaker.clone(), self.classifier)
    }
}
