//! The breaker's counts.

use leptos::prelude::*;
use tripbreaker::Counts;

/// One count: its key (`data-count`), label, and where it is read.
type Count = (&'static str, &'static str, fn(&Counts) -> u32);

/// What the breaker counted in this generation.
const COUNTS: [Count; 6] = [
    ("requests", "Requests", |c| c.requests),
    ("successes", "Successes", |c| c.total_successes),
    ("failures", "Failures", |c| c.total_failures),
    ("exclusions", "Exclusions", |c| c.total_exclusions),
    ("consecutive-successes", "Successes in a row", |c| {
        c.consecutive_successes
    }),
    ("consecutive-failures", "Failures in a row", |c| {
        c.consecutive_failures
    }),
];

/// The counts (requests, successes, failures, exclusions, consecutive
/// successes and failures), refreshed after every call and change.
#[component]
pub(crate) fn CountsPanel(
    /// The breaker's counts.
    counts: ReadSignal<Counts>,
) -> impl IntoView {
    view! {
        <dl class="counts" data-testid="counts">
            {COUNTS
                .into_iter()
                .map(|(key, label, read)| {
                    view! {
                        <div class="count" data-count=key>
                            <dt>{label}</dt>
                            <dd>{move || counts.with(read)}</dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
    }
}
