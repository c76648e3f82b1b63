//! A log: timed lines, oldest first, kept scrolled to the newest.

use crate::log::Log;
use leptos::html::Ol;
use leptos::prelude::*;

/// The entries of `entries` as an ordered list (one `li` each, its line as
/// text, never as HTML), scrolled to the newest; `empty` while there are none.
#[component]
pub(crate) fn LogList(
    /// The log shown.
    entries: ReadSignal<Log>,
    /// The list's `data-testid`.
    testid: &'static str,
    /// What is said while the log is empty.
    empty: &'static str,
) -> impl IntoView {
    let list = NodeRef::<Ol>::new();
    Effect::new(move || {
        entries.track();
        request_animation_frame(move || {
            if let Some(list) = list.try_get_untracked().flatten() {
                list.set_scroll_top(list.scroll_height());
            }
        });
    });
    view! {
        <Show when=move || entries.with(|log| log.entries().is_empty())>
            <p class="subtle empty">{empty}</p>
        </Show>
        <ol class="log" data-testid=testid node_ref=list>
            <For each=move || entries.with(|log| log.entries().to_vec()) key=|entry| entry.id let:entry>
                <li class=entry.tone.class()>
                    <time>{entry.time}</time>
                    <span class="line">{entry.line}</span>
                    {entry.note.map(|note| view! { <span class="note">{note}</span> })}
                </li>
            </For>
        </ol>
    }
}
