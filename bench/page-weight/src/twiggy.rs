//! `twiggy top`'s rows summed by crate: the breakdown's figures.

use bench_results::{Share, SizeBreakdown};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Single items kept in a breakdown.
const TOP_ITEMS: usize = 12;

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
}
