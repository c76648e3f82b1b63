//! The page's effects, all through one copy of Leptos' effect machinery.

use leptos::prelude::Effect;

/// Runs `run` now and again after anything it reads changes, for as long
/// as the current owner lives: [`Effect::new`], with `run` boxed. Leptos
/// builds a task per effect closure type (about 0.5 KiB of wasm each);
/// behind one `dyn Fn` every effect of the page shares a single one.
pub(crate) fn effect(run: impl Fn() + 'static) {
    let run: Box<dyn Fn()> = Box::new(run);
    Effect::new(run);
}
