//! Where one run keeps its results: the files `cargo xtask bench` has each
//! benchmark write and `bench-report` reads, so BENCHMARKS.md can be
//! rewritten from the last run without measuring again.

use std::path::{Path, PathBuf};

/// The workspace root, where BENCHMARKS.md, `dist/` and `target/` are.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("bench-results lives in the workspace's bench/")
        .to_path_buf()
}

/// The result files of the last run under one cargo target directory.
///
/// ```
/// use bench_results::ResultFiles;
/// use std::path::Path;
///
/// let files = ResultFiles::under(Path::new("target"));
/// assert_eq!(files.load(), Path::new("target/bench/load.json"));
/// assert_eq!(files.criterion(), Path::new("target/criterion"));
/// ```
#[derive(Debug, Clone)]
pub struct ResultFiles {
    target: PathBuf,
}

impl ResultFiles {
    /// The results kept in the workspace's `target/`.
    pub fn of_workspace() -> Self {
        Self::under(&workspace_root().join("target"))
    }

    /// The results kept under `target`, a cargo target directory.
    pub fn under(target: &Path) -> Self {
        ResultFiles {
            target: target.to_path_buf(),
        }
    }

    /// The folder of the files below.
    pub fn dir(&self) -> PathBuf {
        self.target.join("bench")
    }

    /// Criterion's own results of the breaker overhead benchmark.
    pub fn criterion(&self) -> PathBuf {
        self.target.join("criterion")
    }

    /// The machine the run measured on ([`Machine`](crate::Machine)).
    pub fn machine(&self) -> PathBuf {
        self.dir().join("machine.json")
    }

    /// What `loadtest` measured ([`LoadReport`](crate::LoadReport)).
    pub fn load(&self) -> PathBuf {
        self.dir().join("load.json")
    }

    /// What the `shared_state` benchmark measured
    /// ([`SharedStateReport`](crate::SharedStateReport)).
    pub fn shared_state(&self) -> PathBuf {
        self.dir().join("shared_state.json")
    }

    /// What e2e's `page_timing` test measured ([`PageTiming`](crate::PageTiming)).
    pub fn page_timing(&self) -> PathBuf {
        self.dir().join("page.json")
    }

    /// What `versus-go` measured ([`VersusGoReport`](crate::VersusGoReport)).
    pub fn versus_go(&self) -> PathBuf {
        self.dir().join("versus_go.json")
    }

    /// What `page-weight` measured ([`PageWeight`](crate::PageWeight)).
    pub fn page_weight(&self) -> PathBuf {
        self.dir().join("page_weight.json")
    }
}
