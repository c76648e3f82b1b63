//! The `greeter.Greeter` service: answers `Hello <name>` under the current fault mode.

use proto::greeter::greeter_server::Greeter;
use proto::greeter::{HelloReply, HelloRequest};
use tonic::{Request, Response, Status};

use crate::faults::{Decision, FaultState};

/// The longest name (in characters) SayHello accepts.
pub const MAX_NAME_CHARS: usize = 256;

/// The largest request message (in bytes) each service decodes: 16 KiB.
/// Larger ones are refused by tonic with `OutOfRange` before any handler runs.
pub const MAX_DECODING_MESSAGE_SIZE: usize = 16 * 1024;

/// The message of the `InvalidArgument` answer to an empty name.
pub const EMPTY_NAME_MESSAGE: &str = "Name cannot be empty";

/// Checks a name: not empty, at most [`MAX_NAME_CHARS`] characters.
///
/// ```
/// use server::greeter::validate_name;
///
/// assert!(validate_name("Ferris").is_ok());
/// assert_eq!(validate_name("").unwrap_err().message(), "Name cannot be empty");
/// assert_eq!(
///     validate_name(&"x".repeat(257)).unwrap_err().message(),
///     "Name is longer than 256 characters"
/// );
/// ```
pub fn validate_name(name: &str) -> Result<(), Status> {
    if name.is_empty() {
        return Err(Status::invalid_argument(EMPTY_NAME_MESSAGE));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Status::invalid_argument(format!(
            "Name is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(())
}

/// The `greeter.Greeter` service. Counts its calls in a [`FaultState`] and
/// answers as its mode says.
#[derive(Debug, Clone)]
pub struct GreeterService {
    faults: FaultState,
}

impl GreeterService {
    /// A service answering under (and counting in) `faults`.
    pub fn new(faults: FaultState) -> Self {
        Self { faults }
    }

    /// The answer to one call, before it is counted.
    ///
    /// Fault modes apply first (a failing server fails whatever the input),
    /// then the name is validated.
    async fn answer(&self, request: HelloRequest) -> Result<HelloReply, Status> {
        match self.faults.decide() {
            Decision::Proceed => {}
            // Dropped with the call when the client gives up or the deadline
            // passes: nothing runs on after that.
            Decision::Delay(delay) => tokio::time::sleep(delay).await,
            Decision::Fail(status) => return Err(status),
        }
        validate_name(&request.name)?;
        Ok(HelloReply {
            message: format!("Hello {}", request.name),
        })
    }
}

#[tonic::async_trait]
impl Greeter for GreeterService {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        self.faults.record_received();
        let answer = self.answer(request.into_inner()).await;
        self.faults.record_answered(answer.is_ok());
        answer.map(Response::new)
    }
}
