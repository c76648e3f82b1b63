//! The shared breakers of the server's fleet, followed live: whether the
//! server has any, each breaker as last described, how the stream stands,
//! and the answers to forces and releases made here.

use crate::backoff::Backoff;
use crate::fleet::{self, Listed};
use crate::fleet_list::{FleetBreaker, FleetList, Force};
use futures_util::future::{AbortHandle, abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use tonic::{Code, Status};
use tripbreaker::BrowserClock;

/// Tries in a row without a snapshot before the page stops trying (about
/// an hour at the longest wait); the user may try again.
const MAX_FAILURES: u32 = 720;

/// Tries before the server first says whether it shares breakers (about
/// 20 s): until then there is no panel to offer a retry from, so the page
/// stops quietly rather than ask for an hour.
const MAX_FAILURES_UNLISTED: u32 = 8;

/// How often the times left are redrawn, only while one counts down.
const TICK: Duration = Duration::from_millis(100);

/// How the watch of the fleet stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// The first watch is being set up.
    Connecting,
    /// The watch delivered its snapshot: changes are shown as they happen.
    Live,
    /// The watch ended or could not start; the next try is after `wait`.
    Reconnecting {
        /// Why it ended, in words.
        reason: String,
        /// The wait before the next try.
        wait: Duration,
    },
    /// Too many tries failed in a row: no more until the user asks.
    Stopped {
        /// Why the last one failed, in words.
        reason: String,
    },
}

impl Link {
    /// Its kind, as the page's `data-link` gives it: `connecting`, `live`,
    /// `reconnecting` or `stopped`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Link::Connecting => "connecting",
            Link::Live => "live",
            Link::Reconnecting { .. } => "reconnecting",
            Link::Stopped { .. } => "stopped",
        }
    }
}

/// The fleet as the page shows it: read signals, written only here (by the
/// watch and by the answers to [`force`](Self::force) and
/// [`release`](Self::release)).
#[derive(Clone, Copy)]
pub struct SharedFleet {
    /// Whether the server has shared state; `None` until it answers.
    pub shared: ReadSignal<Option<bool>>,
    /// Every shared breaker, by name.
    pub breakers: ReadSignal<FleetList>,
    /// How the watch stands.
    pub link: ReadSignal<Link>,
    /// `performance.now()` in ms, ticking while some time counts down.
    pub now: ReadSignal<f64>,
    /// Why the last force or release of a breaker failed: its name and
    /// the reason, one entry per breaker.
    pub problems: ReadSignal<Vec<(String, String)>>,
    writes: Writes,
    server: StoredValue<String>,
    /// Stops the watch under way.
    abort: StoredValue<Option<AbortHandle>>,
}

/// The write halves of the fleet's signals, kept inside this module.
#[derive(Clone, Copy)]
struct Writes {
    shared: WriteSignal<Option<bool>>,
    breakers: WriteSignal<FleetList>,
    link: WriteSignal<Link>,
    now: WriteSignal<f64>,
    problems: WriteSignal<Vec<(String, String)>>,
}

/// What a force or a release asks.
enum Steer {
    Force {
        force: Force,
        ttl_ms: u64,
        reason: String,
    },
    Release,
}

/// How one watch ended.
enum Ended {
    /// The server has no shared state (or no fleet at all): nothing to show.
    NoSharedState,
    /// It broke, for this reason: try again.
    Broke(String),
}

impl SharedFleet {
    /// The fleet of `server`, asked for now and watched from then on; the
    /// watch and the ticks stop when the current owner is cleaned up.
    pub fn new(server: &str) -> Self {
        let (shared, set_shared) = signal(None);
        let (breakers, set_breakers) = signal(FleetList::default());
        let (link, set_link) = signal(Link::Connecting);
        let (now, set_now) = signal(BrowserClock::now_millis());
        let (problems, set_problems) = signal(Vec::new());
        let abort = StoredValue::new(None::<AbortHandle>);
        on_cleanup(move || {
            if let Some(Some(abort)) = abort.try_update_value(Option::take) {
                abort.abort();
            }
        });
        let fleet = SharedFleet {
            shared,
            breakers,
            link,
            now,
            problems,
            writes: Writes {
                shared: set_shared,
                breakers: set_breakers,
                link: set_link,
                now: set_now,
                problems: set_problems,
            },
            server: StoredValue::new(server.to_owned()),
            abort,
        };
        fleet.tick_while_counting_down();
        fleet.start();
        fleet
    }

    /// Watches again after the page stopped trying.
    pub fn reconnect(self) {
        if matches!(self.link.try_get_untracked(), Some(Link::Stopped { .. })) {
            self.writes.link.set(Link::Connecting);
            self.start();
        }
    }

    /// Forces the breaker called `name` open or closed for `ttl`, saying why.
    pub fn force(self, name: String, force: Force, ttl: Duration, reason: String) {
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        self.steer(
            name,
            Steer::Force {
                force,
                ttl_ms,
                reason,
            },
        );
    }

    /// Ends the force on the breaker called `name`.
    pub fn release(self, name: String) {
        self.steer(name, Steer::Release);
    }

    /// Sends `steer` for `name`; the answer (the breaker as it is after)
    /// is shown at once, not only when the watch brings it, since the watch
    /// may be down; a refusal is shown beside the breaker.
    fn steer(self, name: String, steer: Steer) {
        let Some(server) = self.server.try_get_value() else {
            return;
        };
        spawn_local(async move {
            let answer = match &steer {
                Steer::Force {
                    force,
                    ttl_ms,
                    reason,
                } => fleet::force(&server, &name, *force, *ttl_ms, reason).await,
                Steer::Release => fleet::release(&server, &name).await,
            };
            let problem = match answer {
                Ok(breaker) => {
                    self.writes.breakers.try_update(|list| list.upsert(breaker));
                    None
                }
                Err(status) => Some(describe_refusal(&status)),
            };
            self.writes.problems.try_update(|problems| {
                problems.retain(|(named, _)| *named != name);
                problems.extend(problem.map(|problem| (name, problem)));
            });
        });
    }

    /// Starts the watch loop, stopped when the owner is cleaned up.
    fn start(self) {
        let (watch, abort) = abortable(self.watch());
        self.abort.set_value(Some(abort));
        spawn_local(async move {
            // Aborted is as good as ended.
            let _ = watch.await;
        });
    }

    /// Lists the fleet (once it is known to be shared: the watch's snapshot
    /// says the rest), then follows it; when the stream breaks, tries again
    /// after a wait that doubles (from 250 ms to 5 s) until a stream
    /// delivers its snapshot, at most [`MAX_FAILURES`] times in a row
    /// ([`MAX_FAILURES_UNLISTED`] before the list first answers).
    async fn watch(self) {
        let Some(server) = self.server.try_get_value() else {
            return;
        };
        let mut backoff = Backoff::default();
        while backoff.failures() < MAX_FAILURES {
            let reason = match self.follow(&server, &mut backoff).await {
                Ended::NoSharedState => {
                    self.writes.shared.try_set(Some(false));
                    self.writes.breakers.try_set(FleetList::default());
                    return;
                }
                Ended::Broke(reason) => reason,
            };
            let wait = backoff.next_wait();
            let listed = self.shared.try_get_untracked().flatten().is_some();
            if !listed && backoff.failures() >= MAX_FAILURES_UNLISTED {
                return;
            }
            self.writes
                .link
                .try_set(Link::Reconnecting { reason, wait });
            greeter_client::sleep(wait).await;
        }
        self.writes.link.try_update(|link| {
            if let Link::Reconnecting { reason, .. } = link {
                *link = Link::Stopped {
                    reason: std::mem::take(reason),
                };
            }
        });
    }

    /// One try: the list if not known yet, then the watch's updates until
    /// it ends. A snapshot resets `backoff`.
    async fn follow(self, server: &str, backoff: &mut Backoff) -> Ended {
        if self.shared.try_get_untracked().flatten() != Some(true) {
            match fleet::list(server).await {
                Ok(Listed {
                    shared_state: false,
                    ..
                }) => return Ended::NoSharedState,
                Ok(Listed { update, .. }) => {
                    self.writes.shared.try_set(Some(true));
                    self.writes.breakers.try_update(|list| list.apply(update));
                }
                Err(status) => return ended(&status),
            }
        }
        let mut stream = match fleet::watch(server).await {
            Ok(stream) => stream,
            Err(status) => return ended(&status),
        };
        loop {
            match fleet::next(&mut stream).await {
                Ok(Some(update)) => {
                    if update.snapshot {
                        backoff.reset();
                        self.writes.link.try_set(Link::Live);
                    }
                    self.writes.breakers.try_update(|list| list.apply(update));
                }
                Ok(None) => return Ended::Broke("the server ended the stream".to_owned()),
                Err(status) => return ended(&status),
            }
        }
    }

    /// Moves `now` on while some breaker's time counts down, and not
    /// otherwise; the interval is cleared when that changes or the page
    /// goes away.
    fn tick_while_counting_down(self) {
        let breakers = self.breakers;
        let counting = Memo::new(move |_| breakers.with(FleetList::counts_down));
        let now = self.writes.now;
        Effect::new(move || {
            if !counting.get() {
                return;
            }
            now.try_set(BrowserClock::now_millis());
            let tick = move || _ = now.try_set(BrowserClock::now_millis());
            let ticker = set_interval_with_handle(tick, TICK);
            on_cleanup(move || {
                ticker.map(|ticker| ticker.clear()).ok();
            });
        });
    }

    /// The breaker called `name` as last described, if it is known.
    pub fn breaker(self, name: &str) -> Option<FleetBreaker> {
        self.breakers.with(|list| list.get(name).cloned())
    }

    /// Why the last force or release of the breaker called `name` failed,
    /// if it did.
    pub fn problem(self, name: &str) -> Option<String> {
        self.problems.with(|problems| {
            let (_, problem) = problems.iter().find(|(named, _)| named == name)?;
            Some(problem.clone())
        })
    }
}

/// How a watch that ended with `status` ended: a server without shared
/// state (`FailedPrecondition`) or without the fleet service at all
/// (`Unimplemented`) has nothing to show; anything else is tried again.
fn ended(status: &Status) -> Ended {
    match status.code() {
        Code::FailedPrecondition | Code::Unimplemented => Ended::NoSharedState,
        _ => Ended::Broke(greeter_client::go_style::describe(status)),
    }
}

/// Why a force or release was refused, in words, with the server's message.
fn describe_refusal(status: &Status) -> String {
    let said = greeter_client::go_style::describe(status);
    match status.code() {
        Code::PermissionDenied | Code::Unimplemented => {
            format!("Steering is off on this server ({said})")
        }
        Code::NotFound => format!("No such shared breaker ({said})"),
        _ => said,
    }
}
