//! The Go demo's lines, as the page's logs show them.

pub const GREETING: &str = "Greeting: Hello World";
pub const EMPTY_NAME: &str =
    "Error calling SayHello: rpc error: code = InvalidArgument desc = Name cannot be empty";
pub const OPEN: &str = "Error calling SayHello: circuit breaker is open";
pub const TOO_MANY: &str = "Error calling SayHello: too many requests";
pub const CLOSED_TO_OPEN: &str = "Circuit Breaker 'greeter' changed from closed to open";
pub const OPEN_TO_HALF_OPEN: &str = "Circuit Breaker 'greeter' changed from open to half-open";
pub const HALF_OPEN_TO_CLOSED: &str = "Circuit Breaker 'greeter' changed from half-open to closed";
