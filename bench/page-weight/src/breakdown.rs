//! Where the shipped wasm's bytes go.
//!
//! The breakdown is `twiggy top` on the shipped module with its function
//! names kept: the wasm cargo built for trunk, through the same
//! wasm-bindgen and the same wasm-opt level as trunk (read from
//! `web/index.html`), with `--debuginfo` so wasm-opt keeps the name
//! section. Without that section the module must be the shipped one byte
//! for byte, which is checked, so the breakdown describes what the browser
//! downloads.

use crate::process::{cmd, output, run};
use crate::twiggy::{TwiggyRow, summarise};
use crate::wasm_names::without_names;
use anyhow::{Context, bail, ensure};
use bench_results::SizeBreakdown;
use bench_results::workspace_root as root;
use std::path::{Path, PathBuf};

/// Where the bytes of `dist`'s wasm go, after `trunk build --release`.
pub fn breakdown(dist: &Path) -> anyhow::Result<SizeBreakdown> {
    let shipped = crate::size::files(dist)?
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "wasm"))
        .context("dist/ has no .wasm")?;
    let named = named_module()?;
    ensure!(
        without_names(&std::fs::read(&named)?)? == std::fs::read(&shipped)?,
        "{} without its names is not {}: was dist/ built from this tree with `trunk build --release`?",
        named.display(),
        shipped.display()
    );
    let json = output(
        "twiggy",
        &[
            "top",
            "--format",
            "json",
            "-n",
            "1000000",
            &named.to_string_lossy(),
        ],
    )
    .context("twiggy failed (`cargo xtask install --only twiggy`)")?;
    let rows: Vec<TwiggyRow> = serde_json::from_str(&json).context("twiggy's JSON")?;
    let breakdown = summarise(&rows);
    ensure!(
        breakdown.total == std::fs::metadata(&shipped)?.len() as usize,
        "twiggy accounted for {} bytes of the {}-byte module",
        breakdown.total,
        std::fs::metadata(&shipped)?.len()
    );
    Ok(breakdown)
}

/// The page's module as trunk ships it, with its names: cargo's output
/// through wasm-bindgen and wasm-opt as trunk runs them, plus `--debuginfo`.
fn named_module() -> anyhow::Result<PathBuf> {
    let out = root().join("target/page-size");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;
    let built = root().join("target/wasm32-unknown-unknown/wasm-release/web.wasm");
    run(&mut cmd(
        "wasm-bindgen",
        &[
            "--target=web",
            "--no-typescript",
            "--out-name=web",
            &format!("--out-dir={}", out.display()),
            &built.to_string_lossy(),
        ],
    ))?;
    let (level, params) = trunk_wasm_opt(&std::fs::read_to_string(root().join("web/index.html"))?)?;
    let named = out.join("web_named.wasm");
    run(cmd(
        "wasm-opt",
        &[
            &format!("-O{level}"),
            "--debuginfo",
            &out.join("web_bg.wasm").to_string_lossy(),
            "-o",
            &named.to_string_lossy(),
        ],
    )
    .args(params))?;
    Ok(named)
}

/// The wasm-opt level and extra flags trunk uses: the `data-wasm-opt` and
/// `data-wasm-opt-params` of the page's `<link data-trunk rel="rust">`.
fn trunk_wasm_opt(index_html: &str) -> anyhow::Result<(String, Vec<String>)> {
    let start = index_html
        .find("rel=\"rust\"")
        .context("index.html has no rust link")?;
    let link = &index_html[index_html[..start].rfind('<').unwrap_or(0)..];
    let link = &link[..link.find('>').context("an unclosed link")?];
    let attr = |name: &str| {
        let at = link.find(&format!("{name}=\""))? + name.len() + 2;
        Some(link[at..at + link[at..].find('"')?].to_owned())
    };
    let Some(level) = attr("data-wasm-opt") else {
        bail!("the rust link has no data-wasm-opt: the page is not optimised by wasm-opt");
    };
    let params = attr("data-wasm-opt-params")
        .map(|p| p.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    Ok((level, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_flags_are_read_from_the_rust_link() {
        let html = r#"<link data-trunk rel="css" href="style.css">
            <link data-trunk rel="rust" href="Cargo.toml" data-bin="web"
                  data-wasm-opt="z" data-wasm-opt-params="--converge -g">"#;
        assert_eq!(
            trunk_wasm_opt(html).unwrap(),
            (
                "z".to_owned(),
                vec!["--converge".to_owned(), "-g".to_owned()]
            )
        );
        assert!(trunk_wasm_opt(r#"<link data-trunk rel="rust" href="Cargo.toml">"#).is_err());
    }
}
