//! One shared breaker: its state, counts, force and controls.

use super::{FleetSteering, StateBadge};
use crate::fleet_list::FleetBreaker;
use crate::format::time_left;
use crate::state::SharedFleet;
use leptos::prelude::*;
use tripbreaker::State;

/// One count: its key (`data-count`), label, and where it is read.
type Count = (&'static str, &'static str, fn(&FleetBreaker) -> u32);

/// What the row counts, as the page's own breaker's counts say it.
const COUNTS: [Count; 6] = [
    ("requests", "Requests", |b| b.counts.requests),
    ("successes", "Successes", |b| b.counts.total_successes),
    ("failures", "Failures", |b| b.counts.total_failures),
    ("consecutive-successes", "Successes in a row", |b| {
        b.counts.consecutive_successes
    }),
    ("consecutive-failures", "Failures in a row", |b| {
        b.counts.consecutive_failures
    }),
    ("handles-seen", "Handles seen", |b| b.handles_seen),
];

/// The breaker called `name` as last described: its state in force (badge
/// and `data-state`), whether it is forced (`data-forced`), why and for how
/// long, the time until half-open while open, its counts and the handles
/// that use it; then the controls that steer it, and why the last one
/// failed.
#[component]
pub(crate) fn FleetRow(
    /// The server's shared breakers.
    fleet: SharedFleet,
    /// The breaker's name, the row's key.
    name: String,
) -> impl IntoView {
    let breaker = Memo::new({
        let name = name.clone();
        move |_| fleet.breaker(&name)
    });
    let read = move |count: fn(&FleetBreaker) -> u32| breaker.with(|b| b.as_ref().map_or(0, count));
    let state = Memo::new(move |_| breaker.with(|b| b.as_ref().map_or(State::Closed, |b| b.state)));
    // The force and reason apart from the time left, which ticks: the note
    // is drawn again only when they change.
    let force = Memo::new(move |_| {
        breaker.with(|b| {
            let forced = b.as_ref()?.forced.as_ref()?;
            Some((forced.force, forced.reason.clone()))
        })
    });
    let forced = Memo::new(move |_| force.with(Option::is_some));
    let forced_left = move || {
        let left = breaker.with(|b| b.as_ref()?.forced_left_ms(fleet.now.get()));
        left.map(time_left)
    };
    // Forced open, the force's time is what counts: no countdown of its own.
    let open_left = move || {
        let left = breaker.with(|b| {
            let b = b.as_ref().filter(|b| b.forced.is_none())?;
            b.open_left_ms(fleet.now.get())
        });
        left.map(time_left)
    };
    let counting_open = Memo::new(move |_| open_left().is_some());
    let problem = {
        let name = name.clone();
        move || fleet.problem(&name)
    };
    view! {
        <li
            class="fleet-breaker"
            data-testid="fleet-breaker"
            data-name=name.clone()
            data-state=move || state.get().as_str()
            data-forced=move || if forced.get() { "true" } else { "false" }
        >
            <div class="fleet-head">
                <h3 class="fleet-name"><code>{name.clone()}</code></h3>
                <StateBadge state testid="fleet-state" name=name.clone() />
                <Show when=move || counting_open.get()>
                    <span class="countdown" data-testid="fleet-open-countdown" role="timer">
                        "half-open in " <strong>{open_left}</strong>
                    </span>
                </Show>
            </div>
            {move || force.get().map(|(force, reason)| view! {
                <p class="fleet-forced" data-testid="fleet-forced" data-force=force.as_str()>
                    <strong>{force.label()}</strong>
                    {(!reason.is_empty()).then(|| view! { ": " <q>{reason}</q> })}
                    " · " <span role="timer">{forced_left} " left"</span>
                </p>
            })}
            <dl class="counts fleet-counts">
                {COUNTS
                    .into_iter()
                    .map(|(key, label, count)| {
                        view! {
                            <div class="count" data-count=key>
                                <dt>{label}</dt>
                                <dd>{move || read(count)}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
            <FleetSteering fleet name=name.clone() forced />
            {move || problem().map(|message| view! {
                <p class="error" role="alert" data-testid="fleet-error">{message}</p>
            })}
        </li>
    }
}
