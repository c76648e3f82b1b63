//! What was wrong with the page's address.

use leptos::prelude::*;

/// A visible alert listing the query parameters that were not understood
/// (their defaults are used); nothing when all were fine.
#[component]
pub(crate) fn QueryProblems(problems: Vec<String>) -> impl IntoView {
    (!problems.is_empty()).then(|| {
        view! {
            <div class="problems" role="alert" data-testid="query-problems">
                <strong>"Some settings in the address were not understood:"</strong>
                <ul>
                    {problems.into_iter().map(|problem| view! { <li>{problem}</li> }).collect_view()}
                </ul>
            </div>
        }
    })
}
