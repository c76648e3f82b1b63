//! Fault injection: how SayHello is answered, the SayHello counters, and the
//! `greeter.Faults` service that controls both.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use proto::greeter::faults_server::Faults;
use proto::greeter::{self as pb, fault_mode};
use tonic::{Code, Request, Response, Status};

use crate::rng::SplitMix64;

/// The longest delay the slow mode accepts (60 s); longer ones are `InvalidArgument`.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// The longest message (in characters) the failing mode accepts; it must
/// also be printable (no control characters, line separators or
/// bidirectional overrides, see [`crate::escape::is_unsafe`]).
pub const MAX_FAULT_MESSAGE_CHARS: usize = 256;

/// The message of injected failures when none is given.
pub const DEFAULT_FAULT_MESSAGE: &str = "injected failure";

/// How SayHello is answered.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Mode {
    /// Every call is answered normally.
    #[default]
    Healthy,
    /// Every call fails with `code` (never [`Code::Ok`]) and `message`.
    Failing {
        /// The status code of every answer.
        code: Code,
        /// The status message of every answer.
        message: String,
    },
    /// Every call is answered normally after `delay` (at most [`MAX_DELAY`]).
    Slow {
        /// How long each call waits before it is answered.
        delay: Duration,
    },
    /// A fraction `failure_ratio` (`0.0..=1.0`) of calls fails with `code`.
    Flaky {
        /// The chance that a call fails: 0 never, 1 always.
        failure_ratio: f64,
        /// The status code of the failures (never [`Code::Ok`]).
        code: Code,
    },
}

impl Mode {
    /// Validates a mode received over gRPC. No mode at all means healthy.
    ///
    /// Codes must be 1..=16, the delay at most [`MAX_DELAY`], the ratio a
    /// number in `0.0..=1.0`, the message at most [`MAX_FAULT_MESSAGE_CHARS`]
    /// characters; anything else is `InvalidArgument`.
    ///
    /// ```
    /// use proto::greeter::{fault_mode, FaultMode, Failing};
    /// use server::faults::Mode;
    ///
    /// let ok = FaultMode { mode: Some(fault_mode::Mode::Failing(Failing { code: 14, message: String::new() })) };
    /// assert!(matches!(Mode::from_proto(&ok), Ok(Mode::Failing { code: tonic::Code::Unavailable, .. })));
    ///
    /// let bad = FaultMode { mode: Some(fault_mode::Mode::Failing(Failing { code: 0, message: String::new() })) };
    /// assert_eq!(Mode::from_proto(&bad).unwrap_err().code(), tonic::Code::InvalidArgument);
    /// ```
    pub fn from_proto(mode: &pb::FaultMode) -> Result<Self, Status> {
        match &mode.mode {
            None | Some(fault_mode::Mode::Healthy(_)) => Ok(Self::Healthy),
            Some(fault_mode::Mode::Failing(failing)) => {
                let code = error_code(failing.code)?;
                if failing.message.chars().count() > MAX_FAULT_MESSAGE_CHARS {
                    return Err(Status::invalid_argument(format!(
                        "Failure message is longer than {MAX_FAULT_MESSAGE_CHARS} characters"
                    )));
                }
                if !crate::escape::is_printable(&failing.message) {
                    return Err(Status::invalid_argument(
                        "Failure message must be printable text (no control characters)",
                    ));
                }
                Ok(Self::Failing {
                    code,
                    message: failing.message.clone(),
                })
            }
            Some(fault_mode::Mode::Slow(slow)) => {
                let delay = Duration::from_millis(u64::from(slow.delay_ms));
                if delay > MAX_DELAY {
                    return Err(Status::invalid_argument(format!(
                        "Delay is longer than {} ms",
                        MAX_DELAY.as_millis()
                    )));
                }
                Ok(Self::Slow { delay })
            }
            Some(fault_mode::Mode::Flaky(flaky)) => {
                let ratio = flaky.failure_ratio;
                if !(0.0..=1.0).contains(&ratio) {
                    return Err(Status::invalid_argument(
                        "Failure ratio must be a number from 0 to 1",
                    ));
                }
                Ok(Self::Flaky {
                    failure_ratio: ratio,
                    code: error_code(flaky.code)?,
                })
            }
        }
    }

    /// A one-line description for logs (the message escaped).
    ///
    /// ```
    /// use server::faults::Mode;
    ///
    /// let mode = Mode::Failing { code: tonic::Code::Unavailable, message: "down\nnow".into() };
    /// assert_eq!(mode.describe(), r#"failing (Unavailable, "down\u{a}now")"#);
    /// ```
    pub fn describe(&self) -> String {
        match self {
            Self::Healthy => "healthy".to_owned(),
            Self::Failing { code, message } => {
                format!(
                    "failing ({code:?}, \"{}\")",
                    crate::escape::Escaped(message)
                )
            }
            Self::Slow { delay } => format!("slow ({delay:?})"),
            Self::Flaky {
                failure_ratio,
                code,
            } => format!("flaky ({failure_ratio}, {code:?})"),
        }
    }

    /// The mode as sent over gRPC (healthy is sent explicitly).
    pub fn to_proto(&self) -> pb::FaultMode {
        let mode = match self {
            Self::Healthy => fault_mode::Mode::Healthy(pb::Healthy {}),
            Self::Failing { code, message } => fault_mode::Mode::Failing(pb::Failing {
                code: i32::from(*code),
                message: message.clone(),
            }),
            Self::Slow { delay } => fault_mode::Mode::Slow(pb::Slow {
                delay_ms: u32::try_from(delay.as_millis()).unwrap_or(u32::MAX),
            }),
            Self::Flaky {
                failure_ratio,
                code,
            } => fault_mode::Mode::Flaky(pb::Flaky {
                failure_ratio: *failure_ratio,
                code: i32::from(*code),
            }),
        };
        pb::FaultMode { mode: Some(mode) }
    }
}

/// A gRPC status code usable for an injected failure: 1..=16.
fn error_code(code: i32) -> Result<Code, Status> {
    if (1..=16).contains(&code) {
        Ok(Code::from(code))
    } else {
        Err(Status::invalid_argument(format!(
            "Status code must be from 1 to 16, not {code}"
        )))
    }
}

/// The SayHello counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    /// Calls that reached the SayHello handler.
    pub received: u64,
    /// Calls the handler answered, successfully or not (a call dropped while
    /// waiting in slow mode, e.g. because its deadline passed, is not answered).
    pub answered: u64,
    /// Calls answered with OK.
    pub succeeded: u64,
}

/// What the SayHello handler must do for one call, drawn from the current [`Mode`].
#[derive(Debug, Clone)]
pub enum Decision {
    /// Answer normally.
    Proceed,
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Answer with this status.
    Fail(Status),
}

/// The shared fault state: current [`Mode`] and SayHello [`Counters`].
///
/// Cheap to clone; clones share the same state. The Greeter service, the
/// Faults service and tests hold clones.
///
/// ```
/// use server::faults::{FaultState, Mode, Decision};
///
/// let faults = FaultState::new();
/// faults.set_mode(Mode::Flaky { failure_ratio: 1.0, code: tonic::Code::Unavailable });
/// assert!(matches!(faults.decide(), Decision::Fail(_)));
/// assert_eq!(faults.counters().received, 0);
/// ```
#[derive(Debug, Clone)]
pub struct FaultState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    mode: Mutex<Mode>,
    received: AtomicU64,
    answered: AtomicU64,
    succeeded: AtomicU64,
    rng: SplitMix64,
}

impl Default for FaultState {
    fn default() -> Self {
        Self::new()
    }
}

impl FaultState {
    /// A healthy state with zero counters; flaky draws are seeded randomly.
    pub fn new() -> Self {
        Self::with_rng(SplitMix64::from_entropy())
    }

    /// Like [`FaultState::new`], but flaky draws follow a fixed sequence.
    pub fn with_seed(seed: u64) -> Self {
        Self::with_rng(SplitMix64::with_seed(seed))
    }

    fn with_rng(rng: SplitMix64) -> Self {
        Self {
            inner: Arc::new(Inner {
                mode: Mutex::new(Mode::Healthy),
                received: AtomicU64::new(0),
                answered: AtomicU64::new(0),
                succeeded: AtomicU64::new(0),
                rng,
            }),
        }
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.inner
            .mode
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the current mode (already validated, e.g. by [`Mode::from_proto`]).
    pub fn set_mode(&self, mode: Mode) {
        *self
            .inner
            .mode
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = mode;
    }

    /// The counters now. The three are read one after the other, so while
    /// calls run they may be a call apart.
    pub fn counters(&self) -> Counters {
        Counters {
            received: self.inner.received.load(Ordering::Relaxed),
            answered: self.inner.answered.load(Ordering::Relaxed),
            succeeded: self.inner.succeeded.load(Ordering::Relaxed),
        }
    }

    /// Sets the counters back to zero.
    pub fn reset_counters(&self) {
        self.inner.received.store(0, Ordering::Relaxed);
        self.inner.answered.store(0, Ordering::Relaxed);
        self.inner.succeeded.store(0, Ordering::Relaxed);
    }

    /// Counts a call that reached the SayHello handler.
    pub fn record_received(&self) {
        self.inner.received.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a call the SayHello handler answered, and whether it was OK.
    pub fn record_answered(&self, ok: bool) {
        self.inner.answered.fetch_add(1, Ordering::Relaxed);
        if ok {
            self.inner.succeeded.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Draws what to do with one SayHello call under the current mode.
    pub fn decide(&self) -> Decision {
        match self.mode() {
            Mode::Healthy => Decision::Proceed,
            Mode::Slow { delay } => Decision::Delay(delay),
            Mode::Failing { code, message } => {
                let message = if message.is_empty() {
                    DEFAULT_FAULT_MESSAGE.to_owned()
                } else {
                    message
                };
                Decision::Fail(Status::new(code, message))
            }
            Mode::Flaky {
                failure_ratio,
                code,
            } => {
                if self.inner.rng.next_f64() < failure_ratio {
                    Decision::Fail(Status::new(
                        code,
                        format!("{DEFAULT_FAULT_MESSAGE} (flaky, failure ratio {failure_ratio})"),
                    ))
                } else {
                    Decision::Proceed
                }
            }
        }
    }

    /// The status the Faults service answers with.
    pub fn status(&self) -> pb::FaultStatus {
        let counters = self.counters();
        pb::FaultStatus {
            mode: Some(self.mode().to_proto()),
            received: counters.received,
            answered: counters.answered,
            succeeded: counters.succeeded,
        }
    }
}

/// The `greeter.Faults` service over a [`FaultState`].
#[derive(Debug, Clone)]
pub struct FaultsService {
    state: FaultState,
}

impl FaultsService {
    /// A service controlling `state`.
    pub fn new(state: FaultState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl Faults for FaultsService {
    async fn set_mode(
        &self,
        request: Request<pb::FaultMode>,
    ) -> Result<Response<pb::FaultStatus>, Status> {
        let mode = Mode::from_proto(request.get_ref())?;
        tracing::info!(mode = %mode.describe(), "fault mode changed");
        self.state.set_mode(mode);
        Ok(Response::new(self.state.status()))
    }

    async fn get_status(
        &self,
        _request: Request<pb::GetStatusRequest>,
    ) -> Result<Response<pb::FaultStatus>, Status> {
        Ok(Response::new(self.state.status()))
    }

    async fn reset_counters(
        &self,
        _request: Request<pb::ResetCountersRequest>,
    ) -> Result<Response<pb::FaultStatus>, Status> {
        self.state.reset_counters();
        Ok(Response::new(self.state.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flaky(failure_ratio: f64, code: i32) -> pb::FaultMode {
        pb::FaultMode {
            mode: Some(fault_mode::Mode::Flaky(pb::Flaky {
                failure_ratio,
                code,
            })),
        }
    }

    #[test]
    fn no_mode_is_healthy() {
        assert_eq!(
            Mode::from_proto(&pb::FaultMode { mode: None }).ok(),
            Some(Mode::Healthy)
        );
    }

    #[test]
    fn ratio_and_code_are_validated() {
        for bad in [-0.1, 1.000_001, f64::NAN, f64::INFINITY] {
            assert!(Mode::from_proto(&flaky(bad, 14)).is_err(), "{bad}");
        }
        for code in [0, 17, -1] {
            assert!(Mode::from_proto(&flaky(0.5, code)).is_err(), "{code}");
        }
        assert!(Mode::from_proto(&flaky(0.0, 1)).is_ok());
        assert!(Mode::from_proto(&flaky(1.0, 16)).is_ok());
    }

    #[test]
    fn failure_messages_must_be_printable() {
        let failing = |message: &str| pb::FaultMode {
            mode: Some(fault_mode::Mode::Failing(pb::Failing {
                code: 14,
                message: message.into(),
            })),
        };
        for bad in ["a\r\nb", "\u{85}", "\u{202e}gnp.exe", "tab\t"] {
            assert!(Mode::from_proto(&failing(bad)).is_err(), "{bad:?}");
        }
        assert!(Mode::from_proto(&failing("Service down: café ☕")).is_ok());
    }

    #[test]
    fn slow_is_capped() {
        let slow = |delay_ms| pb::FaultMode {
            mode: Some(fault_mode::Mode::Slow(pb::Slow { delay_ms })),
        };
        assert!(Mode::from_proto(&slow(60_000)).is_ok());
        assert!(Mode::from_proto(&slow(60_001)).is_err());
    }

    #[test]
    fn modes_round_trip() {
        for mode in [
            Mode::Healthy,
            Mode::Failing {
                code: Code::Unavailable,
                message: "down".into(),
            },
            Mode::Slow {
                delay: Duration::from_millis(1500),
            },
            Mode::Flaky {
                failure_ratio: 0.25,
                code: Code::Internal,
            },
        ] {
            assert_eq!(Mode::from_proto(&mode.to_proto()).ok(), Some(mode));
        }
    }

    #[test]
    fn flaky_ratio_is_roughly_honoured() {
        let state = FaultState::with_seed(1);
        state.set_mode(Mode::Flaky {
            failure_ratio: 0.3,
            code: Code::Unavailable,
        });
        let failures = (0..10_000)
            .filter(|_| matches!(state.decide(), Decision::Fail(_)))
            .count();
        assert!((2_500..3_500).contains(&failures), "{failures}");
    }

    #[test]
    fn counters_count_and_reset() {
        let state = FaultState::new();
        state.record_received();
        state.record_received();
        state.record_answered(true);
        state.record_answered(false);
        assert_eq!(
            state.counters(),
            Counters {
                received: 2,
                answered: 2,
                succeeded: 1
            }
        );
        state.reset_counters();
        assert_eq!(state.counters(), Counters::default());
    }
}
