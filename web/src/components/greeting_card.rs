//! The last greeting, or the fallback.

use crate::state::Greeting;
use leptos::prelude::*;

/// The last greeting the server sent, or the fallback (tagged so) shown
/// when the breaker refused the call.
#[component]
pub(crate) fn GreetingCard(
    /// The last greeting shown, if any.
    greeting: ReadSignal<Option<Greeting>>,
) -> impl IntoView {
    view! {
        <div class="greeting" data-testid="greeting" aria-live="polite">
            {move || match greeting.get() {
                None => view! { <p class="subtle">"No greeting yet."</p> }.into_any(),
                Some(Greeting { text, fallback }) => view! {
                    <p class="hello" class:fallback=fallback>
                        {text}
                        {fallback.then(|| view! { <span class="tag">"fallback"</span> })}
                    </p>
                }
                .into_any(),
            }}
        </div>
    }
}
