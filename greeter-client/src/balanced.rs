//! Several servers behind one client: each endpoint has its own breaker,
//! and a call goes to the next endpoint in turn whose breaker admits it.
//!
//! Written here rather than with `tower::balance`: p2c picks among the
//! services that report ready, but a breaker decides per call (a half-open
//! breaker's trial calls are taken when a call starts), an open endpoint
//! would need a timer to report ready again when its timeout passes, and
//! p2c waits when no service is ready where a call must fail at once.

use crate::{Call, Error, Greeter, Guard, Reply};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tripbreaker::State;

/// The share of endpoints a call may pass over by default, in percent:
/// gRFC A50's default `max_ejection_percent`. With A50's rule one endpoint
/// can always be passed over, so a single bad endpoint among any number
/// loses its traffic.
pub const DEFAULT_MAX_EJECTION_PERCENT: u8 = 10;

/// SayHello spread over several servers, each guarded by its own breaker.
///
/// Calls take the endpoints in turn (round robin). An endpoint whose
/// breaker refuses (open, or half-open with its trial calls all taken) is
/// passed over and the call moves on to the next one, while the endpoints
/// passed over are fewer than `max_ejection_percent` of all (gRFC A50's
/// rule). Past that cap the call fails at once with that endpoint's
/// breaker error rather than move onto the healthy endpoints: when most
/// endpoints fail, piling all the traffic onto the last ones would bring
/// them down too. An open endpoint gets no calls until its open timeout
/// passes, then only the trial calls of its half-open state. With every
/// breaker open, a call fails at once with a breaker's error.
///
/// Clones share the endpoints, their breakers and the turn.
///
/// ```no_run
/// # async fn run() -> Result<(), greeter_client::Error> {
/// use greeter_client::{Balanced, Greeter, Settings, reply_line};
///
/// let settings = Settings::default();
/// let endpoints = ["http://127.0.0.1:50051", "http://127.0.0.1:50052"]
///     .into_iter()
///     .map(|server| Greeter::new(server, settings, Box::new(|_: &str, _| {})))
///     .collect::<Result<Vec<_>, _>>()?;
/// let balanced = Balanced::new(endpoints, 10)?;
/// let answer = balanced.say_hello("World").await;
/// println!("{}: {}", answer.endpoint, reply_line(&answer.call.reply));
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Balanced<G = crate::Breaker> {
    endpoints: Arc<[Greeter<G>]>,
    next: Arc<AtomicUsize>,
    max_ejection_percent: u8,
}

/// A call of a [`Balanced`] client: the endpoint that answered or refused
/// it last, and how it ended there.
#[derive(Debug)]
pub struct BalancedCall {
    /// The index of the endpoint, in the order they were given.
    pub endpoint: usize,
    /// How the call ended on that endpoint.
    pub call: Call,
}

impl<G: Guard> Balanced<G> {
    /// Spreads calls over `endpoints` (at least one), passing over at most
    /// `max_ejection_percent` (0 to 100) of them in a call.
    pub fn new(endpoints: Vec<Greeter<G>>, max_ejection_percent: u8) -> Result<Self, Error> {
        if endpoints.is_empty() {
            return Err(Error::Endpoints("no server to call".to_owned()));
        }
        if max_ejection_percent > 100 {
            return Err(Error::Endpoints(format!(
                "max_ejection_percent is {max_ejection_percent}, more than 100"
            )));
        }
        Ok(Balanced {
            endpoints: endpoints.into(),
            next: Arc::default(),
            max_ejection_percent,
        })
    }

    /// The endpoints, in the order they were given.
    pub fn endpoints(&self) -> &[Greeter<G>] {
        &self.endpoints
    }

    /// SayHello(`name`) on the next endpoint in turn whose breaker admits
    /// it, with that endpoint's deadline and retries.
    pub async fn say_hello(&self, name: &str) -> BalancedCall {
        let count = self.endpoints.len();
        let first = self.next.fetch_add(1, Ordering::Relaxed) % count;
        let mut passed_over = 0;
        for step in 0..count {
            let endpoint = (first + step) % count;
            let greeter = &self.endpoints[endpoint];
            let may_pass_over = step + 1 < count && self.may_pass_over(passed_over);
            // An open breaker is passed over without a call, so it does not
            // count a refusal for a call that goes elsewhere.
            if may_pass_over && is_open(greeter.state().await) {
                passed_over += 1;
                continue;
            }
            let call = greeter.say_hello(name).await;
            if may_pass_over && matches!(call.reply, Reply::Rejected(_)) {
                passed_over += 1;
                continue;
            }
            // The turns of the endpoints passed over are used up, so the
            // next call does not land on this one again: the calls an
            // endpoint loses are spread over the others.
            self.next.fetch_add(passed_over, Ordering::Relaxed);
            return BalancedCall { endpoint, call };
        }
        unreachable!("the last endpoint in turn is always called")
    }

    /// gRFC A50's rule: one more endpoint may be passed over while those
    /// passed over are less than the cap's share of all.
    fn may_pass_over(&self, passed_over: usize) -> bool {
        passed_over * 100 < usize::from(self.max_ejection_percent) * self.endpoints.len()
    }
}

fn is_open(state: State) -> bool {
    matches!(state, State::Open | State::ForcedOpen)
}
