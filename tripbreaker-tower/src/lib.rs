//! A [`tower`] layer that guards any tonic client with the [`tripbreaker`]
//! circuit breaker, the same way natively (over tonic's `Channel`) and in
//! the browser (over `tonic_web_wasm_client::Client`).
//!
//! - A call the breaker refuses never reaches the network: it fails at once
//!   with `Unavailable` and the message `circuit breaker is open` or
//!   `too many requests` ([`rejection`] tells it from a server's own
//!   `Unavailable`).
//! - The outcome is read from the gRPC status wherever it arrives: in the
//!   response headers (trailers-only errors) or in the trailers after the
//!   message, so the permit travels with the response body.
//! - A call dropped before it ends (a cancelled future, an abandoned body)
//!   counts as excluded and frees its half-open slot.
//! - Status codes are classified by a [`GrpcClassifier`]: by default
//!   server-side errors are failures and caller mistakes are excluded;
//!   [`GrpcClassifier::every_error`] counts every error, as the Go demo does.
//! - How the layer counted a call reaches its caller through a
//!   [`CaptureOutcome`] put in the request's extensions.
//! - State changes reach you through the breaker's observer.
//! - [`KeyedCircuitBreakerLayer`] gives each gRPC method, endpoint or any
//!   key of the request its own breaker, at most 1,024 of them by default.
//! - With feature `metrics`, `BreakerMetrics` (keyed) and `MetricsObserver`
//!   (any breaker) record calls by outcome, transitions by `from`, `to` and
//!   reason, and the state, through the `metrics` facade.
//!
//! # Example: a guarded tonic channel
//! ```no_run
//! use tripbreaker::{CircuitBreaker, MonotonicClock, Settings, SharedBreaker, Transition, TripRule};
//! use tripbreaker_tower::{rejection, CaptureOutcome, CircuitBreakerLayer};
//! use proto::greeter::{greeter_client::GreeterClient, HelloRequest};
//! use std::time::Duration;
//! use tower::ServiceBuilder;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let settings = Settings {
//!     max_requests: 3,
//!     interval: Duration::from_secs(10),
//!     timeout: Duration::from_secs(5),
//!     ready_to_trip: TripRule::ConsecutiveFailures(3),
//!     ..Settings::new("greeter")
//! };
//! let breaker = SharedBreaker::from_breaker(
//!     CircuitBreaker::new(settings, MonotonicClock::new())?.with_observer(
//!         |name: &str, t: Transition| println!("{name}: {} -> {}", t.from, t.to),
//!     ),
//! );
//! let channel = tonic::transport::Endpoint::from_static("http://127.0.0.1:50051").connect_lazy();
//! let guarded = ServiceBuilder::new()
//!     .layer(CircuitBreakerLayer::new(breaker))
//!     .service(channel);
//! let mut client = GreeterClient::new(guarded);
//!
//! let capture = CaptureOutcome::new();
//! let mut request = tonic::Request::new(HelloRequest { name: "World".into() });
//! request.extensions_mut().insert(capture.clone());
//! match client.say_hello(request).await {
//!     Ok(reply) => println!("{}", reply.into_inner().message),
//!     Err(status) => match rejection(&status) {
//!         Some(rejected) => println!("not sent: {rejected}"),
//!         None => println!("failed: {status}"),
//!     },
//! }
//! println!("counted as {:?}", capture.outcome()); // `None` if not sent
//! # Ok(())
//! # }
//! ```
//!
//! [`tower`]: https://docs.rs/tower
#![warn(missing_docs)]

mod body;
mod capture;
mod classify;
mod future;
mod keyed;
mod layer;
#[cfg(feature = "metrics")]
mod metrics;
mod rejection;
mod service;

pub use body::GuardedBody;
pub use capture::CaptureOutcome;
pub use classify::GrpcClassifier;
use classify::status_code;
pub use future::ResponseFuture;
pub use keyed::{
    DEFAULT_CAPACITY, Endpoint, GrpcMethod, KeyOf, KeyedCircuitBreakerLayer,
    KeyedCircuitBreakerService, ObserveKeys,
};
pub use layer::CircuitBreakerLayer;
#[cfg(feature = "metrics")]
pub use metrics::{BreakerMetrics, CALLS_TOTAL, MetricsObserver, STATE, TRANSITIONS_TOTAL};
pub use rejection::{REJECTION_HEADER, keyed_rejection, rejection};
pub use service::CircuitBreakerService;
