//! The server's fault controls (greeter.Faults), outside the breaker: they
//! make the service itself fail, so the page can show a real recovery.

use proto::greeter::faults_client::FaultsClient;
use proto::greeter::{
    Failing, FaultMode, FaultStatus, GetStatusRequest, Healthy, ResetCountersRequest, Slow,
    fault_mode,
};
use tonic::{Code, Status};
use tonic_web_wasm_client::Client;

/// The message of the `Unavailable` the failing server answers with.
pub const FAILING_MESSAGE: &str = "the service is failing (fault injected from the page)";

/// The message of the `ResourceExhausted` the busy server answers with, as a
/// server whose SayHello queue is full does.
pub const BUSY_MESSAGE: &str =
    "the server is busy: its queue is full (fault injected from the page)";

/// The mode of a server that answers every call normally, in words.
pub(crate) const HEALTHY: &str = "healthy";

/// A way the page can make the server answer SayHello.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Every call is answered normally.
    Healthy,
    /// Every call fails with `Unavailable`.
    Failing,
    /// Every call fails with `ResourceExhausted`, as when the server's queue
    /// is full: a failure the breaker counts.
    Busy,
    /// Every call is answered after this many milliseconds.
    Slow(u32),
}

impl Fault {
    /// The mode's name, as the page's menu gives it: `healthy`, `failing`,
    /// `busy` or `slow`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Healthy => HEALTHY,
            Fault::Failing => "failing",
            Fault::Busy => "busy",
            Fault::Slow(_) => "slow",
        }
    }
}

/// What the server says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerStatus {
    /// The fault mode in force, in words (`healthy`, `slow by 2000 ms`…).
    pub mode: String,
    /// SayHello calls that reached the handler.
    pub received: u64,
    /// SayHello calls the handler answered.
    pub answered: u64,
    /// SayHello calls answered with OK.
    pub succeeded: u64,
}

/// What the page asks of the server's fault controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// The mode and counters.
    Status,
    /// Put the server in this mode.
    SetMode(Fault),
    /// Set the counters back to zero.
    ResetCounters,
}

/// Sends `request` to the fault controls of `server`; the answer is the
/// server's mode and counters. (One function for the three, so the page
/// holds one copy of the call, not one per caller.)
pub async fn ask(server: &str, request: Request) -> Result<ServerStatus, Status> {
    let mut client = client(server);
    let answer = match request {
        Request::Status => client.get_status(GetStatusRequest {}).await,
        Request::SetMode(fault) => client.set_mode(mode(fault)).await,
        Request::ResetCounters => client.reset_counters(ResetCountersRequest {}).await,
    };
    Ok(answer?.into_inner().into())
}

/// Puts the server at `server` in `fault` mode.
pub async fn set_mode(server: &str, fault: Fault) -> Result<ServerStatus, Status> {
    ask(server, Request::SetMode(fault)).await
}

/// The server's mode and counters.
pub async fn status(server: &str) -> Result<ServerStatus, Status> {
    ask(server, Request::Status).await
}

/// The fault mode the server is asked for to answer as `fault` says.
fn mode(fault: Fault) -> FaultMode {
    let mode = match fault {
        Fault::Healthy => fault_mode::Mode::Healthy(Healthy {}),
        Fault::Failing => fault_mode::Mode::Failing(Failing {
            code: Code::Unavailable as i32,
            message: FAILING_MESSAGE.into(),
        }),
        Fault::Busy => fault_mode::Mode::Failing(Failing {
            code: Code::ResourceExhausted as i32,
            message: BUSY_MESSAGE.into(),
        }),
        Fault::Slow(delay_ms) => fault_mode::Mode::Slow(Slow { delay_ms }),
    };
    FaultMode { mode: Some(mode) }
}

fn client(server: &str) -> FaultsClient<Client> {
    FaultsClient::new(Client::new(server.to_owned()))
}

impl From<FaultStatus> for ServerStatus {
    fn from(status: FaultStatus) -> Self {
        let mode = match status.mode.and_then(|mode| mode.mode) {
            None | Some(fault_mode::Mode::Healthy(_)) => HEALTHY.to_owned(),
            Some(fault_mode::Mode::Failing(f)) => {
                let code = greeter_client::go_style::code_name(Code::from(f.code));
                format!("failing with {code}")
            }
            Some(fault_mode::Mode::Slow(s)) => format!("slow by {} ms", s.delay_ms),
            Some(fault_mode::Mode::Flaky(f)) => {
                format!("flaky ({}% fail)", crate::format::percent(f.failure_ratio))
            }
        };
        ServerStatus {
            mode,
            received: status.received,
            answered: status.answered,
            succeeded: status.succeeded,
        }
    }
}
