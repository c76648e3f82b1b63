//! The last greeting, or the fallback.

use crate::state::{Greeting, page};
use leptos::either::EitherOf3;
use leptos::prelude::*;

/// The last greeting the server sent, or the fallback shown when the
/// breaker refused the call.
#[component]
pub(crate) fn GreetingCard() -> impl IntoView {
    let greeting = page().calls.greeting;
    // `EitherOf3`, not `.into_any()`: the page links no `AnyView` at all (see BENCHMARKS.md).
    view! {
        <div class="greeting" data-testid="greeting" aria-live="polite">
            {move || match greeting.get() {
                None => EitherOf3::A(view! { <p class="subtle">"No greeting yet."</p> }),
                Some(Greeting { text, fallback: false }) => EitherOf3::B(view! { <p class="hello">{text}</p> }),
                Some(Greeting { text, fallback: true }) => EitherOf3::C(view! {
                        <p class="hello fallback">
                            {text} <span class="tag">"fallback"</span>
                        </p>
                    }),
            }}
        </div>
    }
}
