//! One breaker per key (gRPC method, endpoint, or any function of the
//! request) in a bounded set.

mod key;
mod layer;
mod observers;
mod service;
mod set;

pub use key::{Endpoint, GrpcMethod, KeyOf};
pub use layer::{DEFAULT_CAPACITY, KeyedCircuitBreakerLayer};
pub use observers::ObserveKeys;
pub use service::KeyedCircuitBreakerService;
