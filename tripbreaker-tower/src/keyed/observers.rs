//! Who hears of each key's breaker: an observer made per key.

use tripbreaker::Observer;

/// Makes the observer of each key's breaker, given the key, when the
/// breaker is made.
///
/// Implemented for `()` (nobody listens), for every `Fn(&str) -> O`, and
/// for pairs (both observe). With feature `metrics`,
/// `BreakerMetrics` is one.
///
/// ```
/// use tripbreaker::Transition;
/// use tripbreaker_tower::ObserveKeys;
///
/// // Each key's breaker prints its own state changes.
/// let log = |key: &str| {
///     let key = key.to_owned();
///     move |_: &str, t: Transition| println!("{key}: {} -> {} ({})", t.from, t.to, t.reason)
/// };
/// let _observer = log.observer("/greeter.Greeter/SayHello");
/// ```
pub trait ObserveKeys {
    /// The observer of one key's breaker.
    type Observer: Observer + Send + 'static;

    /// The observer for `key`'s breaker.
    fn observer(&self, key: &str) -> Self::Observer;
}

impl ObserveKeys for () {
    type Observer = ();

    fn observer(&self, _key: &str) -> Self::Observer {}
}

impl<F, O> ObserveKeys for F
where
    F: Fn(&str) -> O,
    O: Observer + Send + 'static,
{
    type Observer = O;

    fn observer(&self, key: &str) -> O {
        self(key)
    }
}

impl<A: ObserveKeys, B: ObserveKeys> ObserveKeys for (A, B) {
    type Observer = (A::Observer, B::Observer);

    fn observer(&self, key: &str) -> Self::Observer {
        (self.0.observer(key), self.1.observer(key))
    }
}
