//! Reads conformance vectors and replays them against the breaker.

use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tripbreaker::{
    BreakerRef, CircuitBreaker, Counts, Instant, ManualClock, Outcome, Reason, Rejected, Settings,
    SharedBreaker, State, Ticket, Transition, TripRule,
};

#[derive(Deserialize)]
struct Case {
    name: String,
    settings: CaseSettings,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct CaseSettings {
    max_requests: u32,
    interval_ms: u64,
    bucket_period_ms: u64,
    timeout_ms: u64,
    ready_to_trip: ReadyToTrip,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum ReadyToTrip {
    Default,
    ConsecutiveFailures { threshold: u32 },
    FailureRatio { min_requests: u32, ratio: f64 },
}

#[derive(Deserialize)]
struct Step {
    op: String,
    ms: Option<u64>,
    permit: Option<u64>,
    result: Option<String>,
    outcome: Option<String>,
    state: String,
    counts: ExpectedCounts,
    transitions: Vec<[String; 2]>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct ExpectedCounts {
    requests: u32,
    total_successes: u32,
    total_failures: u32,
    total_exclusions: u32,
    consecutive_successes: u32,
    consecutive_failures: u32,
}

/// What a run compared.
pub struct Summary {
    pub cases: usize,
    pub steps: usize,
}

/// Why a replay stopped: the text is no conformance vector, or the breaker
/// differs from the reference.
pub enum Failure {
    /// A line that is not a case of the format (`FORMAT.md`), or whose
    /// settings the breaker refuses.
    NotACase { line: usize, reason: String },
    /// A step that cannot be replayed: an unknown op or outcome, a field
    /// its op needs missing, a permit never admitted.
    BadStep {
        case: String,
        step: usize,
        reason: String,
    },
    /// The first difference from the reference.
    Mismatch(Mismatch),
}

/// The first difference from the reference.
pub struct Mismatch {
    case: String,
    step: usize,
    field: &'static str,
    expected: String,
    actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "case {} step {}: {} differs\n  expected (gobreaker): {}\n  actual   (breaker):   {}",
            self.case, self.step, self.field, self.expected, self.actual
        )
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NotACase { line, reason } => {
                write!(f, "line {line}: not a conformance case: {reason}")
            }
            Failure::BadStep { case, step, reason } => {
                write!(f, "case {case} step {step}: {reason}")
            }
            Failure::Mismatch(mismatch) => mismatch.fmt(f),
        }
    }
}

impl From<Mismatch> for Failure {
    fn from(mismatch: Mismatch) -> Self {
        Failure::Mismatch(mismatch)
    }
}

/// Records transitions where the test can take them.
#[derive(Default, Clone)]
pub struct Recorder(Arc<Mutex<Vec<Transition>>>);

impl tripbreaker::Observer for Recorder {
    fn on_transition(&mut self, _name: &str, t: Transition) {
        self.0.lock().unwrap().push(t);
    }
}

impl Recorder {
    /// The transitions recorded since the last call.
    pub fn take(&self) -> Vec<Transition> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

/// A breaker under test, as the steps drive it. Implemented here for the
/// core and `SharedBreaker`; other crates (the Redis-backed breaker)
/// implement it to replay the same vectors.
pub trait Replay {
    /// What admission hands back.
    type Ticket;
    /// Moves the breaker's clock forward.
    fn advance(&mut self, by: Duration);
    /// Asks to make a call.
    fn try_acquire(&mut self) -> Result<Self::Ticket, Rejected>;
    /// Records how an admitted call ended.
    fn record(&mut self, ticket: Self::Ticket, outcome: Outcome);
    /// The state (applying what is due), then the counts.
    fn observe(&mut self) -> (State, Counts);
    /// The transitions reported since the last call.
    fn transitions(&mut self) -> Vec<Transition>;
}

/// Which breaker replays the steps.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// The single-owner core, `CircuitBreaker`.
    Core,
    /// The thread-safe handle, `SharedBreaker`, through `BreakerRef`.
    Shared,
}

/// Room for the largest window the recorded settings ask for.
const ROOM: usize = 64;

/// The operations a step needs, on either target.
enum Breaker {
    Core(Box<CircuitBreaker<Arc<ManualClock>, Recorder, ROOM>>),
    Shared(SharedBreaker<Arc<ManualClock>, Recorder, ROOM>),
}

/// The core or `SharedBreaker`, with the clock and recorder it was made with.
struct Local {
    breaker: Breaker,
    clock: Arc<ManualClock>,
    recorder: Recorder,
}

impl Local {
    fn new(settings: Settings, target: Target) -> Self {
        let clock = Arc::new(ManualClock::new());
        let recorder = Recorder::default();
        let core = CircuitBreaker::<_, _, ROOM>::new_rolling(settings, clock.clone())
            .expect("settings checked by run_vectors_with")
            .with_observer(recorder.clone());
        let breaker = match target {
            Target::Core => Breaker::Core(Box::new(core)),
            Target::Shared => Breaker::Shared(SharedBreaker::from_breaker(core)),
        };
        Local {
            breaker,
            clock,
            recorder,
        }
    }
}

impl Replay for Local {
    type Ticket = Ticket;

    fn advance(&mut self, by: Duration) {
        self.clock.advance(by);
    }

    fn try_acquire(&mut self) -> Result<Ticket, Rejected> {
        match &mut self.breaker {
            Breaker::Core(b) => b.try_acquire(),
            Breaker::Shared(b) => BreakerRef::try_acquire(b),
        }
    }

    fn record(&mut self, ticket: Ticket, outcome: Outcome) {
        match &mut self.breaker {
            Breaker::Core(b) => b.record(ticket, outcome),
            Breaker::Shared(b) => BreakerRef::record(b, ticket, outcome),
        }
    }

    fn observe(&mut self) -> (State, Counts) {
        match &mut self.breaker {
            Breaker::Core(b) => (b.state(), b.counts()),
            Breaker::Shared(b) => (b.state(), b.counts()),
        }
    }

    fn transitions(&mut self) -> Vec<Transition> {
        self.recorder.take()
    }
}

fn settings(s: &CaseSettings) -> Settings {
    Settings {
        max_requests: s.max_requests,
        interval: Duration::from_millis(s.interval_ms),
        bucket_period: Duration::from_millis(s.bucket_period_ms),
        timeout: Duration::from_millis(s.timeout_ms),
        ready_to_trip: match s.ready_to_trip {
            ReadyToTrip::Default => TripRule::DEFAULT,
            ReadyToTrip::ConsecutiveFailures { threshold } => {
                TripRule::ConsecutiveFailures(threshold)
            }
            ReadyToTrip::FailureRatio {
                min_requests,
                ratio,
            } => TripRule::FailureRate {
                min_requests,
                ratio,
            },
        },
        ..Settings::new("conformance")
    }
}

fn outcome(name: Option<&str>) -> Result<Outcome, String> {
    match name {
        Some("success") => Ok(Outcome::Success),
        Some("failure") => Ok(Outcome::Failure),
        Some("excluded") => Ok(Outcome::Excluded),
        Some(other) => Err(format!("unknown outcome {other:?}")),
        None => Err("record has no outcome".to_owned()),
    }
}

fn compare<T: fmt::Debug + PartialEq>(
    case: &str,
    step: usize,
    field: &'static str,
    expected: T,
    actual: T,
) -> Result<(), Mismatch> {
    if expected == actual {
        return Ok(());
    }
    Err(Mismatch {
        case: case.to_owned(),
        step,
        field,
        expected: format!("{expected:?}"),
        actual: format!("{actual:?}"),
    })
}

/// What the reference does not record of a transition, checked against
/// what must hold: the reason its rule gives, the counts that rule judged,
/// and the time of the step. `None` if it holds.
fn unexplained(t: &Transition, settings: &Settings, now: Instant) -> Option<&'static str> {
    let zero = Counts::default();
    let (reason, counts_hold) = match (t.from, t.to) {
        (State::Closed, State::Open) => (
            match settings.ready_to_trip {
                TripRule::ConsecutiveFailures(_) => Reason::ConsecutiveFailures,
                TripRule::FailureRate { .. } => Reason::FailureRate,
                TripRule::Custom(_) => Reason::CustomRule,
            },
            settings.ready_to_trip.is_tripped(&t.counts),
        ),
        (State::Open, State::HalfOpen) => (Reason::TimeoutElapsed, t.counts == zero),
        (State::HalfOpen, State::Closed) => (
            Reason::TrialsSucceeded,
            t.counts.consecutive_successes == settings.half_open_limit()
                && t.counts.total_failures == 0,
        ),
        // The failed trial is not counted (gobreaker's onFailure in half-open).
        (State::HalfOpen, State::Open) => (
            Reason::TrialFailed,
            t.counts.requests >= 1 && t.counts.total_failures == 0,
        ),
        _ => return Some("an automatic breaker's transition"),
    };
    if t.reason != reason {
        Some("reason")
    } else if !counts_hold {
        Some("counts when it fired")
    } else if t.at != now {
        Some("time")
    } else {
        None
    }
}

fn run_case<R: Replay>(case: &Case, breaker: &mut R) -> Result<usize, Failure> {
    let mut tickets: HashMap<u64, R::Ticket> = HashMap::new();
    let name = case.name.as_str();
    let bad = |index: usize, reason: String| Failure::BadStep {
        case: name.to_owned(),
        step: index,
        reason,
    };
    let case_settings = settings(&case.settings);
    let mut now = Instant::ZERO;

    for (index, step) in case.steps.iter().enumerate() {
        match step.op.as_str() {
            "advance" => {
                let ms = step
                    .ms
                    .ok_or_else(|| bad(index, "advance has no ms".into()))?;
                let by = Duration::from_millis(ms);
                now = now.saturating_add(by);
                breaker.advance(by);
            }
            "acquire" => {
                let actual = match breaker.try_acquire() {
                    Ok(ticket) => {
                        let id = step.permit.ok_or_else(|| {
                            bad(index, "an admitted acquire names no permit".into())
                        })?;
                        tickets.insert(id, ticket);
                        "admitted"
                    }
                    Err(Rejected::Open) => "open",
                    Err(Rejected::TooManyRequests) => "too_many_requests",
                };
                compare(
                    name,
                    index,
                    "result",
                    step.result.as_deref().unwrap_or(""),
                    actual,
                )?;
            }
            "record" => {
                let id = step
                    .permit
                    .ok_or_else(|| bad(index, "record names no permit".into()))?;
                let outcome = outcome(step.outcome.as_deref()).map_err(|e| bad(index, e))?;
                let ticket = tickets
                    .remove(&id)
                    .ok_or_else(|| bad(index, format!("unknown permit {id}")))?;
                breaker.record(ticket, outcome);
            }
            "state" => {}
            other => return Err(bad(index, format!("unknown op {other:?}"))),
        }

        let (state, counts) = breaker.observe();
        let transitions = breaker.transitions();
        compare(name, index, "state", step.state.as_str(), state.as_str())?;
        let pairs: Vec<[String; 2]> = transitions
            .iter()
            .map(|t| [t.from.to_string(), t.to.to_string()])
            .collect();
        compare(name, index, "transitions", &step.transitions, &pairs)?;
        for t in &transitions {
            if let Some(field) = unexplained(t, &case_settings, now) {
                return Err(Failure::Mismatch(Mismatch {
                    case: name.to_owned(),
                    step: index,
                    field: "a transition's reason, counts and time",
                    expected: format!("{field} as its rule says"),
                    actual: format!("{t:?}"),
                }));
            }
        }
        let actual = ExpectedCounts {
            requests: counts.requests,
            total_successes: counts.total_successes,
            total_failures: counts.total_failures,
            total_exclusions: counts.total_exclusions,
            consecutive_successes: counts.consecutive_successes,
            consecutive_failures: counts.consecutive_failures,
        };
        compare(name, index, "counts", &step.counts, &actual)?;
    }
    Ok(case.steps.len())
}

/// Replays every case of a `.jsonl` text; stops at the first line that is
/// no case, step that cannot be replayed, or mismatch.
pub fn run_vectors(text: &str, target: Target) -> Result<Summary, Failure> {
    run_vectors_with(text, |_, settings| Local::new(settings, target))
}

/// Replays every case of a `.jsonl` text on the breakers `make` returns
/// (one per case, given the case's name and settings, named
/// `conformance`, which the core accepts); stops at the first line that is
/// no case, step that cannot be replayed, or mismatch.
pub fn run_vectors_with<R: Replay>(
    text: &str,
    mut make: impl FnMut(&str, Settings) -> R,
) -> Result<Summary, Failure> {
    let mut summary = Summary { cases: 0, steps: 0 };
    for (line_number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let not_a_case = |reason: String| Failure::NotACase {
            line: line_number + 1,
            reason,
        };
        let case: Case = serde_json::from_str(line).map_err(|e| not_a_case(e.to_string()))?;
        let settings = settings(&case.settings);
        // Checked here so that `make` is only given settings a breaker takes.
        CircuitBreaker::<_, (), ROOM>::new_rolling(settings, &ManualClock::new())
            .map_err(|e| not_a_case(format!("settings refused: {e}")))?;
        let mut breaker = make(&case.name, settings);
        summary.steps += run_case(&case, &mut breaker)?;
        summary.cases += 1;
    }
    Ok(summary)
}
