//! Fuzzes the decoding of the Redis script's replies: `Reply::decode` on
//! arbitrary slices of integers (and on well-formed replies with one value
//! changed), and the small decoders of its codes (`Admission`, `()` and the
//! states).
//!
//! Properties:
//! - decoding never panics, nor does anything read from a decoded reply
//!   (`ticket`, `seen`, `time_to_next_transition`);
//! - a reply decodes exactly when it has the shape and ranges the script's
//!   header documents (`breaker.lua`): 8 integers, 6 counts, then 10 per
//!   transition (from, to, at, reason, its 6 counts); the code is one the answer knows, states are 0 closed,
//!   1 half-open, 2 open, 3 forced open, 4 forced closed; generation, age and counts are at least 0 and
//!   counts at most `u32::MAX`; the expiry is -1 (nothing due) or at least 0;
//!   the force end is -1 (no force) or at least 0, and given exactly when
//!   the state is forced;
//! - what decodes carries those values unchanged.
//!
//! Bounded by its case count; `PROPTEST_CASES` overrides it.

use super::*;
use proptest::prelude::*;

/// Cases per property: well under a minute in a debug build on 2 cores.
const CASES: u32 = 2048;

/// An integer as the script or a corrupt store might send it.
fn integer() -> impl Strategy<Value = i64> {
    prop_oneof![
        -3i64..4,
        any::<i64>(),
        prop::sample::select(vec![
            i64::MIN,
            i64::MAX,
            -1,
            0,
            i64::from(u32::MAX),
            i64::from(u32::MAX) + 1,
        ]),
    ]
}

/// A reply the script could send: every value in its range.
fn well_formed() -> impl Strategy<Value = Vec<i64>> {
    let header = (
        prop::sample::select(vec![1i64, 0, -1, -2]),
        0i64..5,
        0..=i64::MAX,
        any::<i64>(),
        0..=i64::MAX,
        any::<i64>(),
        prop_oneof![Just(-1i64), 0..=i64::MAX],
        0..=i64::MAX,
    );
    let counts = prop::collection::vec(0..=i64::from(u32::MAX), 6);
    let transitions = prop::collection::vec(
        (
            0i64..5,
            0i64..5,
            any::<i64>(),
            prop::sample::select(REASONS.to_vec()),
            prop::collection::vec(0..=i64::from(u32::MAX), 6),
        ),
        0..4,
    );
    (header, counts, transitions).prop_map(
        |((code, st, generation, epoch, age, now, expiry, end), counts, transitions)| {
            let force_end = if st >= 3 { end } else { -1 };
            let mut values = vec![code, st, generation, epoch, age, now, expiry, force_end];
            values.extend(counts);
            for (from, to, at, reason, counts) in transitions {
                values.extend([from, to, at, reason]);
                values.extend(counts);
            }
            values
        },
    )
}

/// Arbitrary slices, and well-formed replies with a value changed, one
/// added or one taken away.
fn reply() -> impl Strategy<Value = Vec<i64>> {
    prop_oneof![
        prop::collection::vec(integer(), 0..40),
        well_formed(),
        (well_formed(), any::<prop::sample::Index>(), integer()).prop_map(|(mut v, i, x)| {
            let at = i.index(v.len());
            v[at] = x;
            v
        }),
        (well_formed(), integer()).prop_map(|(mut v, x)| {
            v.push(x);
            v
        }),
        (well_formed(), any::<prop::sample::Index>()).prop_map(|(mut v, i)| {
            v.remove(i.index(v.len()));
            v
        }),
    ]
}

/// The reasons the script reports, by their codes.
const REASONS: [i64; 9] = [0, 1, 3, 4, 5, 6, 7, 8, 9];

/// The states the script reports, by its code.
fn documented_state(code: i64) -> Option<State> {
    [
        State::Closed,
        State::HalfOpen,
        State::Open,
        State::ForcedOpen,
        State::ForcedClosed,
    ]
    .get(usize::try_from(code).ok()?)
    .copied()
}

/// Whether `values` is a reply of the documented shape and ranges, given
/// whether the answer knows `code`.
fn documented(values: &[i64], knows: impl Fn(i64) -> bool) -> bool {
    let in_u32 = |v: i64| (0..=i64::from(u32::MAX)).contains(&v);
    values.len() >= 14
        && (values.len() - 14).is_multiple_of(TRANSITION_LEN)
        && knows(values[0])
        && documented_state(values[1]).is_some()
        && values[2] >= 0
        && values[4] >= 0
        && values[6] >= -1
        && values[7] >= -1
        && (values[7] >= 0) == documented_state(values[1]).is_some_and(State::is_manual)
        && values[8..14].iter().all(|&c| in_u32(c))
        && values[14..].chunks(TRANSITION_LEN).all(|t| {
            documented_state(t[0]).is_some()
                && documented_state(t[1]).is_some()
                && REASONS.contains(&t[3])
                && t[4..].iter().all(|&c| in_u32(c))
        })
}

/// What every decoded reply carries, whatever its answer.
fn check_decoded<A>(values: &[i64], reply: &Reply<A>) -> Result<(), TestCaseError> {
    prop_assert_eq!(Some(reply.state), documented_state(values[1]));
    prop_assert_eq!(i64::try_from(reply.generation), Ok(values[2]));
    prop_assert_eq!(reply.epoch, values[3]);
    prop_assert_eq!(i64::try_from(reply.age), Ok(values[4]));
    prop_assert_eq!(reply.now, values[5]);
    prop_assert_eq!(reply.expiry, (values[6] != -1).then_some(values[6]));
    prop_assert_eq!(reply.force_end, (values[7] != -1).then_some(values[7]));
    let c = reply.counts;
    let counts = [
        c.requests,
        c.total_successes,
        c.total_failures,
        c.total_exclusions,
        c.consecutive_successes,
        c.consecutive_failures,
    ]
    .map(i64::from);
    prop_assert_eq!(&counts[..], &values[8..14]);
    prop_assert_eq!(
        reply.transitions.len(),
        (values.len() - 14) / TRANSITION_LEN
    );
    for (t, raw) in reply
        .transitions
        .iter()
        .zip(values[14..].chunks(TRANSITION_LEN))
    {
        let c = t.counts;
        let counts = [
            c.requests,
            c.total_successes,
            c.total_failures,
            c.total_exclusions,
            c.consecutive_successes,
            c.consecutive_failures,
        ]
        .map(i64::from);
        prop_assert_eq!(&counts[..], &raw[4..]);
        prop_assert_eq!(Some(t.from), documented_state(raw[0]));
        prop_assert_eq!(Some(t.to), documented_state(raw[1]));
        let nanos = u64::try_from(raw[2]).unwrap_or(0).saturating_mul(1_000);
        prop_assert_eq!(t.at.as_nanos(), nanos);
    }
    // What the handle reads from a reply.
    let ticket = reply.ticket();
    prop_assert_eq!((ticket.epoch, ticket.admitted_at), (reply.epoch, reply.now));
    prop_assert_eq!(
        (ticket.generation, ticket.age),
        (reply.generation, reply.age)
    );
    match reply.seen() {
        Seen::OpenUntil(until) => {
            prop_assert_eq!((reply.state, reply.expiry), (State::Open, Some(until)))
        }
        Seen::ForcedOpenUntil(end) => {
            prop_assert_eq!(
                (reply.state, reply.force_end),
                (State::ForcedOpen, Some(end))
            )
        }
        Seen::HalfOpen => prop_assert_eq!(reply.state, State::HalfOpen),
        Seen::Closed => prop_assert!(
            matches!(reply.state, State::Closed | State::ForcedClosed)
                || (reply.state == State::Open && reply.expiry.is_none())
        ),
        other => prop_assert!(false, "a reply is never seen as {:?}", other),
    }
    match reply.time_to_next_transition() {
        Some(_) if reply.force_end.is_some() => prop_assert!(reply.state.is_manual()),
        Some(wait) => {
            prop_assert!(matches!(reply.state, State::Open | State::HalfOpen));
            prop_assert!(reply.expiry.is_some() && wait >= Duration::from_micros(1));
        }
        None => prop_assert!(reply.expiry.is_none() || reply.state == State::Closed),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn an_acquire_reply_decodes_exactly_when_documented(values in reply()) {
        let decoded = Reply::<Admission>::decode(&values);
        prop_assert_eq!(
            decoded.is_ok(),
            documented(&values, |code| [1, -1, -2].contains(&code)),
            "{:?}: {:?}", values, decoded
        );
        if let Ok(reply) = decoded {
            let answer = match values[0] {
                1 => Ok(()),
                -1 => Err(Rejected::Open),
                _ => Err(Rejected::TooManyRequests),
            };
            prop_assert_eq!(reply.answer, answer);
            check_decoded(&values, &reply)?;
        }
    }

    #[test]
    fn a_record_or_read_reply_decodes_exactly_when_documented(values in reply()) {
        let decoded = Reply::<()>::decode(&values);
        prop_assert_eq!(
            decoded.is_ok(),
            documented(&values, |code| code == 0),
            "{:?}: {:?}", values, decoded
        );
        if let Ok(reply) = decoded {
            check_decoded(&values, &reply)?;
        }
    }

    #[test]
    fn codes_decode_only_to_what_the_script_documents(code in integer()) {
        prop_assert_eq!(
            Admission::decode(code),
            match code {
                1 => Some(Ok(())),
                -1 => Some(Err(Rejected::Open)),
                -2 => Some(Err(Rejected::TooManyRequests)),
                _ => None,
            }
        );
        prop_assert_eq!(<() as Answer>::decode(code), (code == 0).then_some(()));
        prop_assert_eq!(state(code).ok(), documented_state(code));
    }
}
