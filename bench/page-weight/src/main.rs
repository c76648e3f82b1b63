//! `cargo run -p page-weight`: what the release page in `dist/` weighs (its
//! files raw, gzip and brotli; its wasm broken down by crate with twiggy),
//! beside the floor pages (`bench/floor`) built as it is, written as
//! [`bench_results::PageWeight`] to the run's results
//! (`target/bench/page_weight.json`).
//!
//! `cargo xtask bench` runs it once the page is built, with trunk,
//! wasm-bindgen, wasm-opt and twiggy on `PATH`.

mod breakdown;
mod floor;
mod process;
mod size;
mod twiggy;
mod wasm_names;

use bench_results::{PageWeight, ResultFiles};

fn main() -> anyhow::Result<()> {
    let root = bench_results::workspace_root();
    let floors = floor::floors()?;
    let dist = root.join("dist");
    let weight = PageWeight {
        size: size::page_size(&dist)?,
        breakdown: breakdown::breakdown(&dist)?,
        floors,
    };
    let files = ResultFiles::of_workspace();
    std::fs::create_dir_all(files.dir())?;
    std::fs::write(files.page_weight(), serde_json::to_string_pretty(&weight)?)?;
    println!("wrote {}", files.page_weight().display());
    Ok(())
}
