//! What the timeline's shapes and bands mean.

use super::OutcomeShape;
use crate::timeline::Outcome;
use leptos::prelude::*;
use tripbreaker::State;

/// Each outcome's shape and name, the retries' mark, and each state's band.
#[component]
pub(crate) fn Legend() -> impl IntoView {
    let outcomes = Outcome::ALL.map(|outcome| {
        view! {
            <li class=format!("mark {}", outcome.key())>
                <OutcomeShape outcome />
                {outcome.label()}
            </li>
        }
    });
    let states = [State::Closed, State::Open, State::HalfOpen].map(|state| {
        let name = state.as_str();
        view! { <li><i class=format!("band {name}")></i>{name}</li> }
    });
    view! {
        <ul class="legend">
            {outcomes}
            <li><b class="retries">"↻2"</b>"retried twice"</li>
            {states}
        </ul>
    }
}
