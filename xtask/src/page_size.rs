//! What the built page weighs, and where the wasm's bytes go.
//!
//! The breakdown is `twiggy top` on the shipped module with its function
//! names kept: the wasm cargo built for trunk, through the same
//! wasm-bindgen and the same wasm-opt level as trunk (read from
//! `web/index.html`), with `--debuginfo` so wasm-opt keeps the name
//! section. Without that section the module must be the shipped one byte
//! for byte, which is checked, so the breakdown describes what the browser
//! downloads.

use crate::process::{cmd, output, root, run};
use anyhow::{Context, bail, ensure};
use bench_results::{FileSize, Share, SizeBreakdown};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built page's files.
#[derive(Debug, Default)]
pub struct PageSize {
    /// The `.wasm` module.
    pub wasm: FileSize,
    /// The JS glue.
    pub js: FileSize,
}

/// Single items kept in a breakdown.
const TOP_ITEMS: usize = 12;

/// The sizes of the built page's `.wasm` and JS glue in `dist`.
pub fn page_size(dist: &Path) -> anyhow::Result<PageSize> {
    let mut size = PageSize::default();
    for path in files(dist)? {
        let bytes = std::fs::read(&path)?;
        let file = FileSize {
            raw: bytes.len(),
            // As the page build compresses them for the server to send.
            gzip: precompress::gzip(&bytes)?.len(),
            brotli: precompress::brotli(&bytes)?.len(),
        };
        match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => size.wasm = file,
            _ => size.js = size.js + file,
        }
    }
    Ok(size)
}

/// The `.wasm` and `.js` files in `dist`.
fn files(dist: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dist).context("no dist/: build the page first")? {
        let path = entry?.path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "js")
        ) {
            files.push(path);
        }
    }
    Ok(files)
}

/// Where the bytes of `dist`'s wasm go, after `trunk build --release`.
pub fn breakdown(dist: &Path) -> anyhow::Result<SizeBreakdown> {
    let shipped = files(dist)?
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
    let mut wasm_opt = cmd(
        "wasm-opt",
        &[
            &format!("-O{level}"),
            "--debuginfo",
            &out.join("web_bg.wasm").to_string_lossy(),
            "-o",
            &named.to_string_lossy(),
        ],
    );
    wasm_opt
        .args(params)
        .env("PATH", crate::steps::path_with(&crate::tools::wasm_opt()?));
    run(&mut wasm_opt)?;
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

/// `module` without its `name` custom section.
fn without_names(module: &[u8]) -> anyhow::Result<Vec<u8>> {
    ensure!(module.starts_with(b"\0asm"), "not a wasm module");
    let mut out = module[..8].to_vec();
    let mut at = 8;
    while at < module.len() {
        let start = at;
        let id = module[at];
        let (len, body) = leb128(module, at + 1)?;
        let end = body + len;
        ensure!(end <= module.len(), "a section runs past the module's end");
        let is_names = id == 0 && {
            let (name_len, name) = leb128(module, body)?;
            module.get(name..name + name_len) == Some(b"name")
        };
        if !is_names {
            out.extend_from_slice(&module[start..end]);
        }
        at = end;
    }
    Ok(out)
}

/// The unsigned LEB128 number at `at`, and where what follows it starts.
fn leb128(bytes: &[u8], mut at: usize) -> anyhow::Result<(usize, usize)> {
    let mut value = 0usize;
    for shift in (0..35).step_by(7) {
        let byte = *bytes
            .get(at)
            .context("a number runs past the module's end")?;
        at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok((value, at));
        }
    }
    bail!("a number longer than 5 bytes")
}

/// One row of `twiggy top --format json`.
#[derive(Debug, Deserialize)]
pub struct TwiggyRow {
    /// The item: a demangled function name, `data segment ".rodata"`, …
    pub name: String,
    /// Its own bytes.
    pub shallow_size: usize,
}

/// Sums `rows` by crate, leaving out the names (not shipped).
pub fn summarise(rows: &[TwiggyRow]) -> SizeBreakdown {
    let shipped: Vec<&TwiggyRow> = rows.iter().filter(|r| !is_names(&r.name)).collect();
    let mut by_crate = BTreeMap::<String, usize>::new();
    for row in &shipped {
        *by_crate.entry(crate_of(&row.name)).or_default() += row.shallow_size;
    }
    let mut crates: Vec<Share> = by_crate
        .into_iter()
        .map(|(name, bytes)| Share { name, bytes })
        .collect();
    crates.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
    let mut items: Vec<Share> = shipped
        .iter()
        .map(|r| Share {
            name: readable(&r.name),
            bytes: r.shallow_size,
        })
        .collect();
    items.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
    items.truncate(TOP_ITEMS);
    SizeBreakdown {
        total: shipped.iter().map(|r| r.shallow_size).sum(),
        crates,
        items,
        float_printing: shipped
            .iter()
            .filter(|r| is_float_printing(&r.name))
            .map(|r| r.shallow_size)
            .sum(),
    }
}

/// Whether the item is part of Rust's float printing.
fn is_float_printing(name: &str) -> bool {
    let name = readable(name);
    [
        "core::num::flt2dec::",
        "core::num::bignum::",
        "core::fmt::float::",
    ]
    .iter()
    .any(|module| name.contains(module))
        || ["<f64 as core::fmt::", "<f32 as core::fmt::"]
            .iter()
            .any(|imp| name.starts_with(imp))
}

/// Whether twiggy's row is part of the name section.
fn is_names(name: &str) -> bool {
    (name.starts_with('"') && name.ends_with("subsection"))
        || name == "custom section 'name' headers"
}

/// The crate a demangled item belongs to, or the part of the module for
/// what is not code of a crate.
pub fn crate_of(name: &str) -> String {
    if name.starts_with("data segment") {
        return "(data: strings, tables, vtables)".into();
    }
    if name.starts_with("code[") {
        return "(functions without a name)".into();
    }
    if name.starts_with("import ") || name.starts_with("export ") {
        return "(imports and exports)".into();
    }
    if name.contains(" section")
        || name.starts_with("elem[")
        || name.starts_with("table[")
        || name == "wasm magic bytes"
    {
        return "(module structure)".into();
    }
    if ["__wbg", "__wbindgen", "__externref"]
        .iter()
        .any(|p| name.starts_with(p))
    {
        // wasm-bindgen's generated glue and shims.
        return "wasm_bindgen".into();
    }
    // `<T as Trait>::f` belongs to T's crate, or to the trait's when T is a
    // primitive (`<f64 as core::fmt::Display>::fmt`) or generic.
    let self_type = name.trim_start_matches(['<', '&', '*', '(', '[']);
    let self_type = ["dyn ", "mut ", "const "]
        .iter()
        .fold(self_type, |t, p| t.strip_prefix(p).unwrap_or(t));
    let first = path_root(self_type);
    let owned_by_type =
        self_type.contains("::") && first.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    let root = if owned_by_type && !first.is_empty() {
        first
    } else if let Some(at) = name.find(" as ") {
        path_root(&name[at + 4..])
    } else {
        first
    };
    match root {
        "" => "(other)".into(),
        root => root.to_owned(),
    }
}

/// The first segment of a path (`core[1a2b]::fmt` → `core`), if it is one.
fn path_root(path: &str) -> &str {
    let end = path
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(path.len());
    let root = &path[..end];
    // A lone segment (`f64`, `T`, `main`) is not a crate path.
    let rest = &path[end..];
    if rest.starts_with("::") || rest.starts_with('[') {
        root
    } else {
        ""
    }
}

/// `name` without rustc's hashes (`::h0123…`, `[0123…]`) and wasm-opt's
/// copy numbers, shortened to fit a table.
pub fn readable(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find(['[', ':', '.']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let hex = |s: &str, n: usize| s.len() >= n && s[..n].chars().all(|c| c.is_ascii_hexdigit());
        if let Some(h) = tail
            .strip_prefix('[')
            .filter(|h| hex(h, 16) && h[16..].starts_with(']'))
        {
            rest = &h[17..];
        } else if let Some(h) = tail.strip_prefix("::h").filter(|h| hex(h, 16)) {
            rest = &h[16..];
        } else if let Some(n) = tail
            .strip_prefix('.')
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        {
            rest = &n[n.len()..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    const LONGEST: usize = 110;
    if out.chars().count() > LONGEST {
        out = out.chars().take(LONGEST - 1).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_belong_to_the_crate_of_their_type_or_trait() {
        for (name, krate) in [
            ("web::main::h85be250ad411525e", "web"),
            ("<f64 as core[c5930c85a12de822]::fmt::Display>::fmt", "core"),
            (
                "<tonic_web_wasm_client::response_body::ResponseBody as http_body::Body>::poll_frame::h93dece28e9e18fb4",
                "tonic_web_wasm_client",
            ),
            ("<&T as core::fmt::Debug>::fmt::h2d5140f24ab88361", "core"),
            (
                "<dlmalloc[e24a27700634d609]::dlmalloc::Dlmalloc<dlmalloc[e24a27700634d609]::sys::System>>::malloc",
                "dlmalloc",
            ),
            ("<[u8] as core[c5930c85a12de822]::fmt::Debug>::fmt", "core"),
            (
                "core::ptr::drop_in_place<http::header::map::HeaderMap>::hfa07",
                "core",
            ),
            (
                "data segment \".rodata\"",
                "(data: strings, tables, vtables)",
            ),
            ("code[1837]", "(functions without a name)"),
            (
                "export \"__wbg_intounderlyingsink_free\"",
                "(imports and exports)",
            ),
            ("custom section 'producers'", "(module structure)"),
            ("elem[0]", "(module structure)"),
            ("__wbindgen_malloc", "wasm_bindgen"),
            ("main", "(other)"),
        ] {
            assert_eq!(crate_of(name), krate, "{name}");
        }
    }

    #[test]
    fn names_lose_their_hashes() {
        assert_eq!(
            readable("<f64 as core[c5930c85a12de822]::fmt::Display>::fmt"),
            "<f64 as core::fmt::Display>::fmt"
        );
        assert_eq!(
            readable("http::header::name::HeaderName::as_str::h47684fd87dcb86a7.2686"),
            "http::header::name::HeaderName::as_str"
        );
        assert_eq!(
            readable("data segment \".rodata.56\""),
            "data segment \".rodata.56\""
        );
    }

    #[test]
    fn a_breakdown_sums_shipped_bytes_by_crate() {
        let row = |name: &str, shallow_size| TwiggyRow {
            name: name.into(),
            shallow_size,
        };
        let rows = [
            row("\"function names\" subsection", 9000),
            row("custom section 'name' headers", 5),
            row("web::main::h85be250ad411525e", 300),
            row(
                "web::state::calls::Calls::send::{{closure}}::h46dca41d0eb08123",
                100,
            ),
            row("<f64 as core[c5930c85a12de822]::fmt::Display>::fmt", 200),
            row("data segment \".rodata\"", 50),
            row(
                "core[c5930c85a12de822]::num::flt2dec::digits_to_dec_str",
                30,
            ),
            row(
                "<f64 as tachys::html::attribute::value::AttributeValue>::build::hf3ec",
                7,
            ),
        ];
        let breakdown = summarise(&rows);
        assert_eq!(breakdown.total, 687);
        assert_eq!(breakdown.float_printing, 230);
        assert_eq!(
            breakdown.crates,
            [
                ("web", 400),
                ("core", 230),
                ("(data: strings, tables, vtables)", 50),
                ("tachys", 7),
            ]
            .map(|(name, bytes)| Share {
                name: name.into(),
                bytes
            })
        );
        assert_eq!(breakdown.items[0].name, "web::main");
    }

    #[test]
    fn the_name_section_alone_is_dropped() {
        // Magic and version, a custom "name" section, a custom "producers" one.
        let mut module = b"\0asm\x01\0\0\0".to_vec();
        module.extend([0, 6, 4]);
        module.extend(b"name\xAA");
        let producers = [&[0u8, 10, 9][..], b"producers"].concat();
        module.extend(&producers);
        let stripped = without_names(&module).unwrap();
        assert_eq!(stripped, [&b"\0asm\x01\0\0\0"[..], &producers].concat());
    }

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
