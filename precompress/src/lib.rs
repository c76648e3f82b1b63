//! Brotli and gzip copies of a built page's wasm, JavaScript and CSS, next
//! to each file (`app.wasm.br`, `app.wasm.gz`), which the server's
//! `ServeDir` sends to browsers that accept them.
//!
//! Made once, when the page is built (a trunk `post_build` hook runs the
//! `precompress` binary on trunk's staging directory), so the server never
//! compresses anything and a new build always comes with its own copies.
//!
//! ```
//! let dir = std::env::temp_dir().join(format!("precompress-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("app.js"), "console.log('hello');\n".repeat(100)).unwrap();
//! assert_eq!(precompress::compress_dir(&dir).unwrap(), 2);
//! assert!(dir.join("app.js.br").is_file() && dir.join("app.js.gz").is_file());
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Extensions of the files compressed: what is large and compresses well.
pub const COMPRESSED: [&str; 3] = ["wasm", "js", "css"];

/// Writes `<file>.br` and `<file>.gz` for every file of `dir` (and its
/// subdirectories, not its dotfiles or symlinks) whose extension is in
/// [`COMPRESSED`]; returns how many copies were written.
pub fn compress_dir(dir: &Path) -> io::Result<usize> {
    let mut made = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if entry.file_name().to_string_lossy().starts_with('.') || kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            made += compress_dir(&path)?;
        } else if path
            .extension()
            .is_some_and(|ext| COMPRESSED.iter().any(|c| ext == *c))
        {
            let raw = fs::read(&path)?;
            write_whole(&copy_path(&path, "br"), &brotli(&raw)?)?;
            write_whole(&copy_path(&path, "gz"), &gzip(&raw)?)?;
            made += 2;
        }
    }
    Ok(made)
}

/// `<file>.<ext>`.
fn copy_path(file: &Path, ext: &str) -> PathBuf {
    let mut copy = file.as_os_str().to_owned();
    copy.push(".");
    copy.push(ext);
    PathBuf::from(copy)
}

/// Writes `bytes` to `path` under a temporary name, then renames it, so
/// no reader ever sees half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    fs::write(&partial, bytes)?;
    fs::rename(&partial, path)
}

/// `raw` compressed with brotli at its highest quality.
pub fn brotli(raw: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &raw[..], &mut out, &params)?;
    Ok(out)
}

/// `raw` compressed with gzip at its highest level.
pub fn gzip(raw: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(raw.len() / 3),
        flate2::Compression::best(),
    );
    encoder.write_all(raw)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_decompress_to_the_file_and_skip_the_rest() {
        let dir = std::env::temp_dir().join(format!("precompress-test-{}", std::process::id()));
        fs::create_dir_all(dir.join("sub")).unwrap();
        let js = "console.log('hello');\n".repeat(200);
        fs::write(dir.join("sub/app.js"), &js).unwrap();
        fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        fs::write(dir.join(".hidden.js"), "x").unwrap();

        assert_eq!(compress_dir(&dir).unwrap(), 2);
        assert!(!dir.join("index.html.br").exists());
        assert!(!dir.join(".hidden.js.br").exists());

        let gz = fs::read(dir.join("sub/app.js.gz")).unwrap();
        let mut unzipped = String::new();
        io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut unzipped)
            .unwrap();
        assert_eq!(unzipped, js);
        let br = fs::read(dir.join("sub/app.js.br")).unwrap();
        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut unbrotli).unwrap();
        assert_eq!(unbrotli, js.as_bytes());
        assert!(br.len() < js.len() / 10);
        fs::remove_dir_all(&dir).unwrap();
    }
}
