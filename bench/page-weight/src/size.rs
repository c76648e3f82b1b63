//! What a built page's files weigh: raw, and compressed as the server
//! sends them.

use anyhow::Context;
use bench_results::{FileSize, PageSize};
use std::path::{Path, PathBuf};

/// The sizes of the built page's `.wasm` and JS glue in `dist`.
pub fn page_size(dist: &Path) -> anyhow::Result<PageSize> {
    let mut size = PageSize::default();
    for path in files(dist)? {
        let bytes = std::fs::read(&path)?;
        let file = FileSize {
            raw: bytes.len(),
            // Compressed as the page build compresses them for the server.
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
pub fn files(dist: &Path) -> anyhow::Result<Vec<PathBuf>> {
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
