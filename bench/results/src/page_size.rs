//! What the page's wasm weighs, and where its bytes go: written by
//! `page-weight` from the build it measures, and kept in the repo for the
//! page before its size cuts, the baseline of the comparison.

use serde::{Deserialize, Serialize};

/// A file's bytes: as built, and compressed as the server can send it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSize {
    /// As trunk wrote it.
    pub raw: usize,
    /// gzip at the best level.
    pub gzip: usize,
    /// brotli at quality 11, as the server precompresses it: what a browser
    /// that accepts `br` receives.
    pub brotli: usize,
}

impl std::ops::Add for FileSize {
    type Output = FileSize;
    fn add(self, other: FileSize) -> FileSize {
        FileSize {
            raw: self.raw + other.raw,
            gzip: self.gzip + other.gzip,
            brotli: self.brotli + other.brotli,
        }
    }
}

/// A built page's files.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSize {
    /// The `.wasm` module.
    pub wasm: FileSize,
    /// The JS glue.
    pub js: FileSize,
}

/// A floor page (`bench/floor`): the page's stack without its features,
/// built as the page is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Floor {
    /// What it holds.
    pub what: String,
    /// Its files' sizes.
    pub size: PageSize,
}

/// What `page-weight` measured of the release page and the floor pages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageWeight {
    /// The release page's files.
    pub size: PageSize,
    /// Where its wasm's bytes go.
    pub breakdown: SizeBreakdown,
    /// The floor pages, smallest first.
    pub floors: Vec<Floor>,
}

/// Where the shipped wasm's bytes go, from `twiggy top` on the same module
/// with its function names kept (the names themselves not counted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeBreakdown {
    /// The bytes twiggy accounted for: the shipped module's.
    pub total: usize,
    /// Bytes per crate (or per kind of module part), every one, largest first.
    pub crates: Vec<Share>,
    /// The largest single items (functions, data segments), largest first.
    pub items: Vec<Share>,
    /// Bytes of Rust's float printing code (`<f64 as Display>`, `flt2dec`,
    /// `bignum`): zero when nothing in the page prints a float.
    pub float_printing: usize,
}

/// Some bytes of the module, and what they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// A crate, a function, or a part of the module (`(data)`…).
    pub name: String,
    /// Bytes in the module.
    pub bytes: usize,
}

/// The page as one build measured it, kept for comparison with later builds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageSizeRecord {
    /// Which page was built, and how.
    pub how: String,
    /// The `.wasm` file's sizes.
    pub wasm: FileSize,
    /// Where its bytes went.
    pub breakdown: SizeBreakdown,
}

impl PageSizeRecord {
    /// The page before its size cuts, measured once and stored as data
    /// (`data/page-before-size-cuts.json`).
    pub fn before_cuts() -> PageSizeRecord {
        serde_json::from_str(include_str!("../data/page-before-size-cuts.json"))
            .expect("the stored record is a PageSizeRecord")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_record_is_whole() {
        let before = PageSizeRecord::before_cuts();
        assert_eq!(before.wasm.raw, before.breakdown.total);
        let crates: usize = before.breakdown.crates.iter().map(|s| s.bytes).sum();
        assert_eq!(crates, before.breakdown.total, "every byte has a crate");
        assert!(
            before
                .breakdown
                .items
                .windows(2)
                .all(|w| w[0].bytes >= w[1].bytes)
        );
    }
}
