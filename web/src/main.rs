//! Mounts the page (built by trunk for `wasm32-unknown-unknown`).

#[cfg(target_arch = "wasm32")]
fn main() {
    web::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("web is a browser app: run `trunk serve --offline` in the workspace root");
    std::process::exit(2);
}
