//! The library's view of a shared breaker and its errors, in the fleet
//! service's messages and statuses.

use proto::breaker::v1::{self as wire, BreakerState, SharedBreaker};
use tonic::Status;
use tripbreaker::State;
use tripbreaker_redis::{BreakerView, FleetError, Force, ForceError};

/// `view` as the fleet service sends it.
pub(crate) fn shared_breaker(view: &BreakerView) -> SharedBreaker {
    let counts = view.counts;
    SharedBreaker {
        name: view.name.clone(),
        state: breaker_state(view.state) as i32,
        counts: Some(wire::Counts {
            requests: counts.requests,
            total_successes: counts.total_successes,
            total_failures: counts.total_failures,
            consecutive_successes: counts.consecutive_successes,
            consecutive_failures: counts.consecutive_failures,
        }),
        forced: view.forced.as_ref().map(|forced| wire::Forced {
            force: wire_force(forced.force) as i32,
            reason: forced.reason.clone(),
            remaining_ms: millis(forced.remaining),
        }),
        handles_seen: view.handles_seen,
        open_remaining_ms: view.open_remaining.map_or(0, millis),
    }
}

/// The state in force, in the service's words.
fn breaker_state(state: State) -> BreakerState {
    match state {
        State::Closed | State::ForcedClosed | State::Disabled => BreakerState::Closed,
        State::Open | State::ForcedOpen => BreakerState::Open,
        State::HalfOpen => BreakerState::HalfOpen,
    }
}

fn wire_force(force: Force) -> wire::Force {
    match force {
        Force::Open => wire::Force::Open,
        Force::Closed => wire::Force::Closed,
    }
}

/// The force a request asks for, if it names one.
pub(crate) fn requested_force(force: i32) -> Result<Force, Status> {
    match wire::Force::try_from(force) {
        Ok(wire::Force::Open) => Ok(Force::Open),
        Ok(wire::Force::Closed) => Ok(Force::Closed),
        _ => Err(Status::invalid_argument(
            "force must be FORCE_OPEN or FORCE_CLOSED",
        )),
    }
}

/// The status a caller gets for `error`: its fault, a name nobody uses, or
/// a store that cannot answer.
pub(crate) fn status(error: &FleetError) -> Status {
    let message = error.to_string();
    match error {
        FleetError::Unknown(_) => Status::not_found(message),
        FleetError::Name(_)
        | FleetError::Force(
            ForceError::ZeroTtl | ForceError::TtlTooLong(_) | ForceError::Reason(_),
        ) => Status::invalid_argument(message),
        FleetError::Reply(_) | FleetError::Force(ForceError::Reply(_)) => Status::internal(message),
        _ => Status::unavailable(message),
    }
}

fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tripbreaker::Counts;
    use tripbreaker_redis::Forced;

    fn view(state: State) -> BreakerView {
        BreakerView {
            name: "greeter".into(),
            state,
            counts: Counts {
                requests: 3,
                total_failures: 3,
                consecutive_failures: 3,
                ..Counts::default()
            },
            forced: None,
            handles_seen: 2,
            open_remaining: None,
        }
    }

    #[test]
    fn a_forced_breaker_is_in_the_state_it_is_forced_to() {
        let forced = BreakerView {
            forced: Some(Forced {
                force: Force::Open,
                reason: "deploy".into(),
                remaining: Duration::from_millis(1500),
            }),
            ..view(State::ForcedOpen)
        };
        let sent = shared_breaker(&forced);
        assert_eq!(sent.state, BreakerState::Open as i32);
        let wire = sent.forced.expect("forced");
        assert_eq!(
            (wire.force, wire.reason.as_str(), wire.remaining_ms),
            (wire::Force::Open as i32, "deploy", 1500)
        );
        assert_eq!(
            shared_breaker(&view(State::ForcedClosed)).state,
            BreakerState::Closed as i32
        );
        assert_eq!(
            shared_breaker(&view(State::HalfOpen)).state,
            BreakerState::HalfOpen as i32
        );
    }

    #[test]
    fn the_counts_and_times_left_are_sent_as_read() {
        let open = BreakerView {
            open_remaining: Some(Duration::from_secs(4)),
            ..view(State::Open)
        };
        let sent = shared_breaker(&open);
        assert_eq!(sent.open_remaining_ms, 4000);
        assert_eq!(sent.handles_seen, 2);
        assert_eq!(sent.counts.expect("counts").consecutive_failures, 3);
    }

    #[test]
    fn a_request_names_a_force_or_is_refused() {
        assert_eq!(
            requested_force(wire::Force::Closed as i32).unwrap(),
            Force::Closed
        );
        assert_eq!(
            requested_force(0).unwrap_err().code(),
            tonic::Code::InvalidArgument
        );
        assert_eq!(
            requested_force(9).unwrap_err().code(),
            tonic::Code::InvalidArgument
        );
    }

    #[test]
    fn errors_say_whose_fault_they_are() {
        let code = |error: FleetError| status(&error).code();
        assert_eq!(code(FleetError::Unknown("x".into())), tonic::Code::NotFound);
        assert_eq!(
            code(FleetError::Force(ForceError::ZeroTtl)),
            tonic::Code::InvalidArgument
        );
        assert_eq!(
            code(FleetError::Timeout(Duration::from_secs(1))),
            tonic::Code::Unavailable
        );
        assert_eq!(code(FleetError::Reply("?".into())), tonic::Code::Internal);
    }
}
