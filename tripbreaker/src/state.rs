//! The states a breaker can be in.

use core::fmt;

/// Where a circuit breaker stands, which decides whether calls go through.
///
/// The first three are sony/gobreaker's automatic states; the last three are
/// manual overrides, entered and left only by the caller
/// ([`CircuitBreaker::force_open`](crate::CircuitBreaker::force_open) and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// Calls go through; their outcomes are counted and may trip the breaker.
    Closed,
    /// A limited number of trial calls go through: enough consecutive
    /// successes close the breaker, any failure opens it again.
    HalfOpen,
    /// Calls are rejected at once until the open timeout has passed.
    Open,
    /// Forced open by the caller: every call is rejected until released.
    ForcedOpen,
    /// Forced closed by the caller: every call goes through and is counted,
    /// but the breaker never trips.
    ForcedClosed,
    /// Switched off by the caller: every call goes through, nothing is counted.
    Disabled,
}

impl State {
    /// The state's name as gobreaker prints it: `closed`, `half-open`, `open`
    /// (and `forced-open`, `forced-closed`, `disabled` for the overrides).
    ///
    /// ```
    /// assert_eq!(tripbreaker::State::HalfOpen.as_str(), "half-open");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Closed => "closed",
            State::HalfOpen => "half-open",
            State::Open => "open",
            State::ForcedOpen => "forced-open",
            State::ForcedClosed => "forced-closed",
            State::Disabled => "disabled",
        }
    }

    /// Whether a call made in this state would be rejected outright.
    pub const fn rejects_all(self) -> bool {
        matches!(self, State::Open | State::ForcedOpen)
    }

    /// Whether the caller has overridden the automatic state machine.
    pub const fn is_manual(self) -> bool {
        matches!(
            self,
            State::ForcedOpen | State::ForcedClosed | State::Disabled
        )
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
