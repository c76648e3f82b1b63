//! The last greeting, or the fallback.

use crate::state::{Calls, Greeting};
use leptos::prelude::*;

/// The last greeting the server sent, or the fallback shown when the
/// breaker refused the call.
#[component]
pub(crate) fn GreetingCard() -> impl IntoView {
    let greeting = expect_context::<Calls>().greeting;
    view! {
        <div class="greeting" data-testid="greeting" aria-live="polite">
            {move || match greeting.get() {
                None => view! { <p class="subtle">"No greeting yet."</p> }.into_any(),
                Some(Greeting { text, fallback: false }) => view! { <p class="hello">{text}</p> }.into_any(),
                Some(Greeting { text, fallback: true }) => {
                    view! {
                        <p class="hello fallback">
                            {text} <span class="tag">"fallback"</span>
                        </p>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}
