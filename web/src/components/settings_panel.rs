//! The breaker's and the calls' settings.

use crate::Config;
use crate::state::page;
use greeter_client::MAX_RETRIES;
use leptos::either::EitherOf3;
use leptos::prelude::*;

/// How a setting is edited.
#[derive(Clone, Copy)]
enum Input {
    /// A whole number from `min`, up to `max` if given.
    Count { min: u32, max: Option<u32> },
    /// A duration such as `5s` or `500ms`.
    Duration,
    /// Whether client errors count.
    ClientErrors,
}

/// One setting: its key (as in the URL query), label, hint and input.
#[derive(Clone, Copy)]
struct Field {
    key: &'static str,
    label: &'static str,
    hint: &'static str,
    input: Input,
}

/// One field per setting, in the order of `greeter_client::KEYS`.
const FIELDS: [Field; greeter_client::KEYS.len()] = [
    Field {
        key: "max_requests",
        label: "Max requests",
        hint: "trial calls while half-open",
        input: Input::Count { min: 1, max: None },
    },
    Field {
        key: "interval",
        label: "Interval",
        hint: "closed counts clear after (0s: never)",
        input: Input::Duration,
    },
    Field {
        key: "timeout",
        label: "Timeout",
        hint: "open, then half-open after",
        input: Input::Duration,
    },
    Field {
        key: "trip",
        label: "Trip threshold",
        hint: "consecutive failures that open it",
        input: Input::Count { min: 1, max: None },
    },
    Field {
        key: "deadline",
        label: "Deadline",
        hint: "per call (grpc-timeout)",
        input: Input::Duration,
    },
    Field {
        key: "retries",
        label: "Retries",
        hint: "on Unavailable / DeadlineExceeded",
        input: Input::Count {
            min: 0,
            max: Some(MAX_RETRIES),
        },
    },
    Field {
        key: "retry_backoff",
        label: "Retry backoff",
        hint: "first retry after, doubled each time",
        input: Input::Duration,
    },
    Field {
        key: "client_errors",
        label: "Client errors",
        hint: "InvalidArgument and the like",
        input: Input::ClientErrors,
    },
];

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
                    {FIELDS.into_iter().map(|field| view! { <SettingField field /> }).collect_view()}
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
fn SettingField(field: Field) -> impl IntoView {
    let state = page().settings;
    let error = RwSignal::new(None::<String>);
    let current = move || state.settings.with(|s| s.get(field.key));
    let on_change = move |ev: leptos::ev::Event| {
        let mut settings = state.settings.get_untracked();
        match settings.set(field.key, &event_target_value(&ev)) {
            Ok(()) => {
                error.set(None);
                state.apply(settings);
            }
            Err(message) => error.set(Some(message)),
        }
    };
    // `EitherOf3`, not `.into_any()`: the page links no `AnyView` at all (see BENCHMARKS.md).
    let input = match field.input {
        Input::Count { min, max } => EitherOf3::A(view! {
            <input type="number" min=min max=max step="1" prop:value=current on:change=on_change />
        }),
        Input::Duration => EitherOf3::B(view! {
            <input type="text" spellcheck="false" autocomplete="off" prop:value=current on:change=on_change />
        }),
        Input::ClientErrors => EitherOf3::C(view! {
            <select on:change=on_change>
                <option value="count" selected=move || current() == "count">
                    "count as failures"
                </option>
                <option value="exclude" selected=move || current() == "exclude">
                    "exclude"
                </option>
            </select>
        }),
    };
    view! {
        <label class="field" data-setting=field.key>
            <span class="label">{field.label}</span>
            {input}
            <span class="hint">{field.hint}</span>
            {move || error.get().map(|message| view! { <span class="error" role="alert">{message}</span> })}
        </label>
    }
}
