//! Floor 1: Leptos alone, the classic counter (a button and a number).

#[cfg(target_arch = "wasm32")]
fn main() {
    use bench_floor as _;
    use leptos::prelude::*;

    leptos::mount::mount_to_body(|| {
        let (count, set_count) = signal(0u32);
        view! {
            <button on:click=move |_| *set_count.write() += 1>"+1"</button>
            <span>{count}</span>
        }
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    bench_floor::wasm_only()
}
