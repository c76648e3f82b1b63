//! The breaker's and the calls' settings.

use crate::Config;
use crate::state::page;
use greeter_client::{Kind, SETTINGS, Setting};
use leptos::prelude::*;

/// Every setting, editable; a change rebuilds the breaker (closed, counts
/// cleared) and says so; not while the Go demo plays. Also a link that
/// reproduces the current settings.
#[component]
pub(crate) fn SettingsPanel(
    /// The server the page calls, as the link gives it.
    server: String,
) -> impl IntoView {
    let state = page().settings;
    let demo = page().go_demo;
    let link = move || {
        let location = window().location();
        let origin = location.origin().unwrap_or_default();
        let config = Config {
            server: server.clone(),
            settings: state.settings.get(),
            problems: Vec::new(),
        };
        let path = location.pathname().unwrap_or_default();
        format!("{path}{}", config.to_query(&origin))
    };
    view! {
        <section class="card settings" data-testid="settings">
            <h2>"Settings"</h2>
            <form on:submit=|ev| ev.prevent_default()>
                <fieldset class="plain fields" disabled=move || demo.playing()>
                    {SETTINGS.iter().map(|setting| view! { <SettingField setting /> }).collect_view()}
                </fieldset>
            </form>
            <p class="settings-note" role="status">{move || state.note.get()}</p>
            <p class="link">
                <a href=link>"Link to this scenario"</a>
            </p>
        </section>
    }
}

/// One setting's label, input, hint and (when the text is not understood)
/// error. Applied on `change` (Enter or leaving the field).
#[component]
fn SettingField(setting: &'static Setting) -> impl IntoView {
    let state = page().settings;
    let error = RwSignal::new(None::<String>);
    let current = move || state.settings.with(|settings| setting.get(settings));
    let on_change = move |ev: leptos::ev::Event| {
        let mut settings = state.settings.get_untracked();
        match setting.set(&mut settings, &event_target_value(&ev)) {
            Ok(()) => {
                error.set(None);
                state.apply(settings);
            }
            Err(message) => error.set(Some(message)),
        }
    };
    let input = match setting.kind {
        Kind::Count { min, max, .. } => {
            let max = (max < u32::MAX).then_some(max); // unbounded: no `max` attribute
            view! {
                <input type="number" min=min max=max step="1" prop:value=current on:change=on_change />
            }
            .into_any()
        }
        Kind::Duration { .. } => view! {
            <input type="text" spellcheck="false" autocomplete="off" prop:value=current on:change=on_change />
        }
        .into_any(),
        Kind::ClientErrors { .. } => view! {
            <select on:change=on_change>
                <option value="count" selected=move || current() == "count">
                    "count as failures"
                </option>
                <option value="exclude" selected=move || current() == "exclude">
                    "exclude"
                </option>
            </select>
        }
        .into_any(),
    };
    view! {
        <label class="field" data-setting=setting.key>
            <span class="label">{setting.label}</span>
            {input}
            <span class="hint">{setting.hint}</span>
            {move || error.get().map(|message| view! { <span class="error" role="alert">{message}</span> })}
        </label>
    }
}
