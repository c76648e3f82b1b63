//! The fixed-capacity keyed set: one breaker per key, and which breaker
//! gives way when every slot is taken.

use core::time::Duration;
use tripbreaker::{
    CircuitBreaker, KeyedBreakers, KeyedRejected, ManualClock, Outcome, Rejected, Settings, State,
    TripRule,
};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

type Set<'c, const N: usize> = KeyedBreakers<u32, &'c ManualClock, N>;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn set<const N: usize>(clock: &ManualClock) -> Set<'_, N> {
    KeyedBreakers::new(clock, |_, clock| {
        let settings = Settings {
            timeout: ms(100),
            ready_to_trip: TripRule::ConsecutiveFailures(1),
            ..Settings::new("keyed")
        };
        CircuitBreaker::new(settings, clock).unwrap()
    })
}

fn call(set: &mut Set<'_, 3>, key: u32, outcome: Outcome) -> Result<(), KeyedRejected> {
    let ticket = set.try_acquire(&key)?;
    set.record(ticket, outcome);
    Ok(())
}

fn state(set: &mut Set<'_, 3>, key: u32) -> Option<State> {
    set.get_mut(&key).map(|breaker| breaker.state())
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn each_key_has_its_own_breaker() {
    let clock = ManualClock::new();
    let mut set = set::<3>(&clock);
    call(&mut set, 1, Outcome::Failure).unwrap();
    call(&mut set, 2, Outcome::Success).unwrap();
    assert_eq!(state(&mut set, 1), Some(State::Open));
    assert_eq!(state(&mut set, 2), Some(State::Closed));
    assert_eq!(
        call(&mut set, 1, Outcome::Success),
        Err(KeyedRejected::Rejected(Rejected::Open))
    );
    assert_eq!((set.len(), set.capacity()), (2, 3));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn when_full_the_closed_breaker_idle_longest_gives_way() {
    let clock = ManualClock::new();
    let mut set = set::<3>(&clock);
    call(&mut set, 1, Outcome::Success).unwrap(); // closed, idle longest
    clock.advance(ms(1));
    call(&mut set, 2, Outcome::Failure).unwrap(); // open
    clock.advance(ms(1));
    call(&mut set, 3, Outcome::Success).unwrap(); // closed, used last
    clock.advance(ms(1));
    call(&mut set, 4, Outcome::Success).unwrap();
    assert_eq!(state(&mut set, 1), None, "evicted");
    assert_eq!(state(&mut set, 2), Some(State::Open), "never an open one");
    assert_eq!(state(&mut set, 3), Some(State::Closed));
    assert_eq!(state(&mut set, 4), Some(State::Closed));
    assert_eq!(set.len(), 3);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_half_open_or_forced_breaker_is_never_evicted_and_a_full_set_refuses() {
    let clock = ManualClock::new();
    let mut set = set::<3>(&clock);
    call(&mut set, 1, Outcome::Failure).unwrap();
    call(&mut set, 2, Outcome::Failure).unwrap();
    call(&mut set, 3, Outcome::Success).unwrap();
    set.get_mut(&3).unwrap().force_closed();
    clock.advance(ms(101));
    assert_eq!(state(&mut set, 1), Some(State::HalfOpen));
    assert_eq!(
        call(&mut set, 4, Outcome::Success),
        Err(KeyedRejected::Full)
    );
    assert_eq!(
        KeyedRejected::Full.to_string(),
        "no room for another circuit breaker"
    );
    // The three keys still have their breakers and their decisions.
    assert_eq!(state(&mut set, 1), Some(State::HalfOpen));
    assert_eq!(state(&mut set, 2), Some(State::HalfOpen));
    assert_eq!(state(&mut set, 3), Some(State::ForcedClosed));
    // A probe closes key 1: now it may give way.
    call(&mut set, 1, Outcome::Success).unwrap();
    call(&mut set, 4, Outcome::Success).unwrap();
    assert_eq!(state(&mut set, 1), None);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn an_idle_closed_breaker_expires_on_the_sets_clock() {
    let clock = ManualClock::new();
    let mut set = set::<3>(&clock).with_idle_expiry(ms(1_000));
    call(&mut set, 1, Outcome::Excluded).unwrap();
    call(&mut set, 2, Outcome::Failure).unwrap();
    clock.advance(ms(1_000));
    call(&mut set, 3, Outcome::Success).unwrap();
    assert_eq!(set.len(), 3, "idle for exactly the expiry: kept");
    clock.advance(ms(1));
    // A new key sweeps the expired closed breaker; the half-open one (its
    // timeout passed) stays, however long it was idle.
    call(&mut set, 4, Outcome::Success).unwrap();
    assert_eq!(state(&mut set, 1), None);
    assert_eq!(state(&mut set, 2), Some(State::HalfOpen));
    assert_eq!(set.len(), 3);
    // A key that returns after its expiry starts afresh.
    clock.advance(ms(1_000));
    let ticket = set.try_acquire(&3).unwrap();
    let counts = set.get_mut(&3).unwrap().counts();
    assert_eq!((counts.requests, counts.total_successes), (1, 0));
    set.record(ticket, Outcome::Success);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_ticket_of_an_evicted_breaker_counts_nowhere() {
    let clock = ManualClock::new();
    let mut set = set::<3>(&clock);
    let late = set.try_acquire(&1).unwrap();
    clock.advance(ms(1));
    for key in 2..=4 {
        call(&mut set, key, Outcome::Success).unwrap();
    }
    assert_eq!(state(&mut set, 1), None);
    // Key 4 took key 1's slot; key 1's failure must not trip it.
    set.record(late, Outcome::Failure);
    assert_eq!(state(&mut set, 4), Some(State::Closed));
    assert_eq!(set.get_mut(&4).unwrap().counts().total_failures, 0);
}
