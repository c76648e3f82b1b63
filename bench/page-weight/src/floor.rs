//! The floor pages (`bench/floor`): the page's stack without the page's own
//! features, built exactly as the page is and weighed, so BENCHMARKS.md can
//! say what the stack costs by itself and what the page adds.

use crate::process::{cmd, run};
use crate::size::page_size;
use anyhow::Context;
use bench_results::Floor;
use bench_results::workspace_root as root;

/// The floor pages, smallest first: their binary in `bench/floor` and what
/// each holds.
pub const FLOORS: [(&str, &str); 3] = [
    ("floor-leptos", "Leptos alone: a counter"),
    (
        "floor-tonic",
        "with one SayHello through tonic's generated client over `tonic-web-wasm-client`",
    ),
    (
        "floor-guarded",
        "with the page's client around it: the breaker, its tower layer, the deadline and the retries",
    ),
];

/// The floor crate's manifest from a floor page's folder,
/// `target/floor/<bin>/` (trunk reads a link's `href` relative to its page).
const FLOOR_MANIFEST: &str = "../../../bench/floor/Cargo.toml";

/// Builds every floor page with trunk (`PATH` must find wasm-opt, as for
/// the page) and weighs it.
pub fn floors() -> anyhow::Result<Vec<Floor>> {
    let page = std::fs::read_to_string(root().join("web/index.html"))?;
    let mut floors = Vec::new();
    for (bin, what) in FLOORS {
        let dir = root().join("target/floor").join(bin);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let html = dir.join("index.html");
        std::fs::write(&html, index_html(&page, bin, FLOOR_MANIFEST)?)?;
        let dist = dir.join("dist");
        println!("building the floor page {bin}");
        run(&mut cmd(
            "trunk",
            &[
                "build",
                "--release",
                "--offline",
                "--dist",
                &dist.to_string_lossy(),
                &html.to_string_lossy(),
            ],
        ))?;
        floors.push(Floor {
            what: what.to_owned(),
            size: page_size(&dist)?,
        });
    }
    Ok(floors)
}

/// The page's `index.html` made to build `bin` of `manifest` instead of the
/// page, with the same profile and wasm-opt flags, and no stylesheet.
fn index_html(page: &str, bin: &str, manifest: &str) -> anyhow::Result<String> {
    let replace = |html: &str, from: &str, to: &str| -> anyhow::Result<String> {
        html.contains(from)
            .then(|| html.replacen(from, to, 1))
            .with_context(|| format!("web/index.html has no `{from}`"))
    };
    let html = replace(page, r#"data-bin="web""#, &format!(r#"data-bin="{bin}""#))?;
    let html = replace(
        &html,
        r#"href="Cargo.toml""#,
        &format!(r#"href="{manifest}""#),
    )?;
    replace(&html, r#"<link data-trunk rel="css" href="style.css">"#, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_floor_page_is_the_page_built_from_another_binary() {
        let page = r#"<link data-trunk rel="css" href="style.css">
<link data-trunk rel="rust" href="Cargo.toml" data-bin="web"
      data-cargo-profile-release="wasm-release" data-wasm-opt="z">"#;
        let html = index_html(page, "floor-leptos", "../w/Cargo.toml").unwrap();
        assert_eq!(
            html,
            r#"
<link data-trunk rel="rust" href="../w/Cargo.toml" data-bin="floor-leptos"
      data-cargo-profile-release="wasm-release" data-wasm-opt="z">"#
        );
    }

    #[test]
    fn a_page_without_the_rust_link_is_refused() {
        let err = index_html("<html></html>", "floor-leptos", "x").unwrap_err();
        assert!(err.to_string().contains("data-bin"), "{err}");
    }
}
