//! Putting the app into a page.

use crate::Config;
use crate::components::App;
use leptos::prelude::*;

/// The app mounted by [`mount_with`]; dropping it unmounts the app and
/// stops its timers.
#[must_use = "the app is unmounted when this is dropped"]
pub struct Mounted {
    _handle: Box<dyn std::any::Any>,
}

/// Mounts the app into the page's body for good, configured from the
/// page's address: the server is the page's own origin unless the query
/// says `server=…`, and the query may override every setting.
pub fn mount() {
    let location = window().location();
    let origin = location.origin().unwrap_or_default();
    let query = location.search().unwrap_or_default();
    let config = Config::from_query(&query, &origin);
    leptos::mount::mount_to_body(move || view! { <App config /> });
    // The page can be used from here on: a mark for measuring (BENCHMARKS.md).
    if let Some(performance) = window().performance() {
        let _ = performance.mark("demo-ready");
    }
}

/// Mounts the app with `config` into `parent` (tests mount it into their
/// own page, against their own server).
pub fn mount_with(parent: web_sys::HtmlElement, config: Config) -> Mounted {
    let handle = leptos::mount::mount_to(parent, move || view! { <App config /> });
    Mounted {
        _handle: Box::new(handle),
    }
}
