//! What the floor pages share: the page's heap, and for the two that call
//! the server, a button that calls and a line that shows the answer. Each
//! floor binary links this crate, so its wasm is built exactly as the
//! page's is, minus the page's own features.

#[cfg(target_arch = "wasm32")]
#[path = "../../../web/src/allocator.rs"]
mod allocator;

/// The page's origin, where the server it came from answers gRPC-Web.
#[cfg(target_arch = "wasm32")]
pub fn origin() -> String {
    leptos::prelude::window()
        .location()
        .origin()
        .unwrap_or_default()
}

/// Mounts a "Say hello" button that runs `call`, and a line showing the
/// text the last call ended with.
#[cfg(target_arch = "wasm32")]
pub fn mount_caller<Call, Answer>(call: Call)
where
    Call: Fn() -> Answer + 'static,
    Answer: Future<Output = String> + 'static,
{
    use leptos::prelude::*;

    leptos::mount::mount_to_body(move || {
        let (shown, set_shown) = signal(String::new());
        let on_click = move |_| {
            let answer = call();
            leptos::task::spawn_local(async move { set_shown.set(answer.await) });
        };
        view! {
            <button on:click=on_click>"Say hello"</button>
            <p>{shown}</p>
        }
    });
}

/// What a floor binary does natively: says it is a page, and exits with 2.
#[cfg(not(target_arch = "wasm32"))]
pub fn wasm_only() -> ! {
    eprintln!("a floor page, built for wasm by `cargo xtask bench --only page`");
    std::process::exit(2);
}
