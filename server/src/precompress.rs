//! Brotli and gzip copies of the page's wasm, JavaScript and CSS, made once
//! at start-up next to each file (`app.wasm.br`, `app.wasm.gz`), for
//! `ServeDir` to send to browsers that accept them.
//!
//! Compressing at the highest levels takes seconds, so it runs on a
//! blocking thread while the server already answers (uncompressed until
//! the copies exist). Copies newer than their file are kept; each is
//! written to a temporary name and renamed, so no reader sees half a file.
//! A file rebuilt while the server runs is sent uncompressed until the next
//! start, never from its older copy ([`has_stale_copy`]).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Extensions of the files compressed.
const COMPRESSED: [&str; 3] = ["wasm", "js", "css"];

/// Makes the compressed copies of every file under `root` in the background.
pub(crate) fn spawn(root: PathBuf) {
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        match compress_dir(&root) {
            Ok(0) => {}
            Ok(made) => tracing::info!(
                "compressed {made} page file(s) (brotli, gzip) in {:?}",
                started.elapsed()
            ),
            Err(error) => tracing::warn!(
                "cannot write compressed copies in {} ({error}): the page is served uncompressed",
                root.display()
            ),
        }
    });
}

/// Whether `file` has a compressed copy older than itself.
pub(crate) async fn has_stale_copy(file: &Path) -> bool {
    if !file
        .extension()
        .is_some_and(|ext| COMPRESSED.iter().any(|c| ext == *c))
    {
        return false;
    }
    let Ok(written) = tokio::fs::metadata(file).await.and_then(|m| m.modified()) else {
        return false;
    };
    for ext in ["br", "gz"] {
        let copy = copy_path(file, ext);
        if let Ok(copy_written) = tokio::fs::metadata(&copy).await.and_then(|m| m.modified())
            && copy_written < written
        {
            return true;
        }
    }
    false
}

/// `<file>.<ext>`.
fn copy_path(file: &Path, ext: &str) -> PathBuf {
    let mut copy = file.as_os_str().to_owned();
    copy.push(".");
    copy.push(ext);
    PathBuf::from(copy)
}

/// Compresses every file of `dir` (not its dotfiles or symlinks) that
/// needs it; how many copies were written.
fn compress_dir(dir: &Path) -> io::Result<usize> {
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
            made += usize::from(write_if_stale(&path, "br", || brotli(&raw))?);
            made += usize::from(write_if_stale(&path, "gz", || gzip(&raw))?);
        }
    }
    Ok(made)
}

/// Writes `compress()` to `<path>.<ext>` unless a copy newer than `path`
/// is there; whether it wrote.
fn write_if_stale(
    path: &Path,
    ext: &str,
    compress: impl FnOnce() -> io::Result<Vec<u8>>,
) -> io::Result<bool> {
    let copy = copy_path(path, ext);
    let source_time = fs::metadata(path)?.modified()?;
    if fs::metadata(&copy)
        .and_then(|m| m.modified())
        .is_ok_and(|copy_time| copy_time >= source_time)
    {
        return Ok(false);
    }
    let bytes = compress()?;
    let mut partial = copy.clone().into_os_string();
    partial.push(".partial");
    fs::write(&partial, bytes)?;
    fs::rename(&partial, &copy)?;
    Ok(true)
}

fn brotli(raw: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(raw.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &raw[..], &mut out, &params)?;
    Ok(out)
}

fn gzip(raw: &[u8]) -> io::Result<Vec<u8>> {
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

    #[tokio::test]
    async fn copies_are_made_once_and_decompress_to_the_file() {
        let dir = std::env::temp_dir().join(format!("server-precompress-{}", std::process::id()));
        fs::create_dir_all(dir.join("sub")).unwrap();
        let js = "console.log('hello');\n".repeat(200);
        fs::write(dir.join("sub/app.js"), &js).unwrap();
        fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        fs::write(dir.join(".hidden.js"), "x").unwrap();

        assert_eq!(compress_dir(&dir).unwrap(), 2);
        assert_eq!(compress_dir(&dir).unwrap(), 0, "fresh copies are kept");
        let app = dir.join("sub/app.js");
        assert!(!has_stale_copy(&app).await);
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&app, &js).unwrap();
        assert!(has_stale_copy(&app).await, "rebuilt after its copies");
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
