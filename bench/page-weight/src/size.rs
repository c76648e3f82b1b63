//! What a built page's files weigh: raw, and compressed as the server
//! sends them.

use anyhow::Context;
use bench_results::{FileSize, PageSize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The sizes of the built page's `.wasm` and JS glue in `dist`.
pub fn page_size(dist: &Path) -> anyhow::Result<PageSize> {
    let mut size = PageSize::default();
    for path in files(dist)? {
        let bytes = std::fs::read(&path)?;
        let file = FileSize {
            raw: bytes.len(),
            gzip: gzipped_len(&bytes)?,
            brotli: brotli_len(&bytes)?,
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

/// Length of `bytes` compressed with gzip at the best level.
fn gzipped_len(bytes: &[u8]) -> anyhow::Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    Ok(encoder.finish()?.len())
}

/// Length of `bytes` compressed with brotli at quality 11, as the server
/// precompresses the page.
fn brotli_len(bytes: &[u8]) -> anyhow::Result<usize> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out.len())
}
