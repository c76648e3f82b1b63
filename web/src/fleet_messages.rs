//! The fleet's gRPC messages (breaker.v1) read into the page's own types,
//! and the page's force into the message's. Plain Rust, tested natively;
//! the calls that carry them are in `fleet.rs`.

use crate::fleet_list::{FleetBreaker, FleetUpdate, Force, Forced};
use proto::breaker::v1 as pb;
use tripbreaker::{Counts, State};

/// `update` as the page applies it; its times count down from
/// `received_at_ms`.
pub fn update(update: pb::FleetUpdate, received_at_ms: f64) -> FleetUpdate {
    FleetUpdate {
        snapshot: update.snapshot,
        breakers: breakers(update.breakers, received_at_ms),
        removed: update.removed,
    }
}

/// Every breaker of a list, as a snapshot received at `received_at_ms`.
pub fn snapshot(breakers_listed: Vec<pb::SharedBreaker>, received_at_ms: f64) -> FleetUpdate {
    FleetUpdate {
        snapshot: true,
        breakers: breakers(breakers_listed, received_at_ms),
        removed: Vec::new(),
    }
}

/// `breaker` as the page holds it; its times count down from
/// `received_at_ms`.
pub fn breaker(breaker: pb::SharedBreaker, received_at_ms: f64) -> FleetBreaker {
    let state = state(breaker.state());
    let counts = breaker.counts.unwrap_or_default();
    // An unspecified force (a newer server's kind, say) is none the page
    // can name: read as no force rather than guessed.
    let forced = breaker.forced.and_then(|forced| {
        let force = match forced.force() {
            pb::Force::Open => Force::Open,
            pb::Force::Closed => Force::Closed,
            pb::Force::Unspecified => return None,
        };
        Some(Forced {
            force,
            reason: forced.reason,
            remaining_ms: forced.remaining_ms,
        })
    });
    FleetBreaker {
        name: breaker.name,
        state,
        counts: Counts {
            requests: counts.requests,
            total_successes: counts.total_successes,
            total_failures: counts.total_failures,
            total_exclusions: 0,
            consecutive_successes: counts.consecutive_successes,
            consecutive_failures: counts.consecutive_failures,
        },
        forced,
        handles_seen: breaker.handles_seen,
        open_remaining_ms: (state == State::Open && breaker.open_remaining_ms > 0)
            .then_some(breaker.open_remaining_ms),
        received_at_ms,
    }
}

/// The message's value for `force`.
pub fn force(force: Force) -> pb::Force {
    match force {
        Force::Open => pb::Force::Open,
        Force::Closed => pb::Force::Closed,
    }
}

fn breakers(breakers: Vec<pb::SharedBreaker>, received_at_ms: f64) -> Vec<FleetBreaker> {
    breakers
        .into_iter()
        .map(|message| breaker(message, received_at_ms))
        .collect()
}

/// The state in force. An unspecified state (a newer server's, say) reads
/// as closed, the state that claims nothing.
fn state(state: pb::BreakerState) -> State {
    match state {
        pb::BreakerState::Open => State::Open,
        pb::BreakerState::HalfOpen => State::HalfOpen,
        pb::BreakerState::Closed | pb::BreakerState::Unspecified => State::Closed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(name: &str, state: pb::BreakerState) -> pb::SharedBreaker {
        pb::SharedBreaker {
            name: name.to_owned(),
            state: state.into(),
            ..Default::default()
        }
    }

    #[test]
    fn states_map_to_the_breakers_own() {
        let cases = [
            (pb::BreakerState::Closed, State::Closed),
            (pb::BreakerState::Open, State::Open),
            (pb::BreakerState::HalfOpen, State::HalfOpen),
            (pb::BreakerState::Unspecified, State::Closed),
        ];
        for (sent, shown) in cases {
            assert_eq!(breaker(message("a", sent), 0.0).state, shown, "{sent:?}");
        }
        let mut unknown = message("a", pb::BreakerState::Open);
        unknown.state = 99;
        assert_eq!(breaker(unknown, 0.0).state, State::Closed);
    }

    #[test]
    fn a_breaker_keeps_its_counts_force_and_times() {
        let mut sent = message("payments", pb::BreakerState::Open);
        sent.counts = Some(pb::Counts {
            requests: 7,
            total_successes: 3,
            total_failures: 4,
            consecutive_successes: 0,
            consecutive_failures: 4,
        });
        sent.forced = Some(pb::Forced {
            force: pb::Force::Open.into(),
            reason: "drill".to_owned(),
            remaining_ms: 30_000,
        });
        sent.handles_seen = 3;
        sent.open_remaining_ms = 4_000;
        let shown = breaker(sent, 12.5);
        assert_eq!(shown.name, "payments");
        assert_eq!(shown.counts.requests, 7);
        assert_eq!(shown.counts.total_failures, 4);
        assert_eq!(shown.counts.consecutive_failures, 4);
        assert_eq!(shown.handles_seen, 3);
        assert_eq!(shown.open_remaining_ms, Some(4_000));
        assert_eq!(shown.received_at_ms, 12.5);
        let forced = shown.forced.expect("forced");
        assert_eq!(
            (forced.force, forced.reason.as_str()),
            (Force::Open, "drill")
        );
        assert_eq!(forced.remaining_ms, 30_000);
    }

    #[test]
    fn no_countdown_to_half_open_unless_open() {
        let mut sent = message("a", pb::BreakerState::Closed);
        sent.open_remaining_ms = 4_000;
        assert_eq!(breaker(sent, 0.0).open_remaining_ms, None);
        let open = message("a", pb::BreakerState::Open);
        assert_eq!(breaker(open, 0.0).open_remaining_ms, None);
    }

    #[test]
    fn an_unspecified_force_is_no_force() {
        let mut sent = message("a", pb::BreakerState::Closed);
        sent.forced = Some(pb::Forced::default());
        assert_eq!(breaker(sent, 0.0).forced, None);
    }

    #[test]
    fn updates_keep_their_kind_and_removals() {
        let sent = pb::FleetUpdate {
            snapshot: false,
            breakers: vec![message("a", pb::BreakerState::HalfOpen)],
            removed: vec!["b".to_owned()],
        };
        let shown = update(sent, 1.0);
        assert!(!shown.snapshot);
        assert_eq!(shown.removed, ["b"]);
        assert_eq!(shown.breakers[0].state, State::HalfOpen);
        let listed = snapshot(vec![message("c", pb::BreakerState::Closed)], 1.0);
        assert!(listed.snapshot);
        assert_eq!(listed.breakers[0].name, "c");
    }

    #[test]
    fn forces_map_both_ways() {
        assert_eq!(force(Force::Open), pb::Force::Open);
        assert_eq!(force(Force::Closed), pb::Force::Closed);
    }
}
