//! The breaker overhead benchmark's means, read from what criterion keeps
//! of its last run.

use crate::overhead::Mean;
use anyhow::Context;
use serde::Deserialize;
use std::path::Path;

/// What criterion 0.5 writes in a benchmark's `benchmark.json` (the fields read here).
#[derive(Debug, Deserialize)]
struct BenchmarkId {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
}

/// What criterion 0.5 writes in a benchmark's `estimates.json` (the fields read here).
#[derive(Debug, Deserialize)]
struct Estimates {
    mean: Estimate,
}

/// One of criterion's estimates.
#[derive(Debug, Deserialize)]
struct Estimate {
    /// In ns per iteration.
    point_estimate: f64,
}

/// Each criterion benchmark's mean, in ns: (group, function, ns).
pub fn means(dir: &Path) -> anyhow::Result<Vec<Mean>> {
    let mut means = Vec::new();
    for group in std::fs::read_dir(dir).context("no criterion results: did the benchmark run?")? {
        let group = group?.path();
        for bench in std::fs::read_dir(&group)? {
            let new = bench?.path().join("new");
            let (Ok(id), Ok(estimates)) = (
                std::fs::read_to_string(new.join("benchmark.json")),
                std::fs::read_to_string(new.join("estimates.json")),
            ) else {
                continue;
            };
            let id: BenchmarkId = serde_json::from_str(&id)?;
            let estimates: Estimates = serde_json::from_str(&estimates)?;
            means.push((
                id.group_id,
                // A benchmark named by parameter has it as its value instead.
                id.function_id.or(id.value_str).unwrap_or_default(),
                estimates.mean.point_estimate,
            ));
        }
    }
    means.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(means)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes one benchmark's files as criterion 0.5 does.
    fn bench(dir: &Path, folder: &str, id: &str, mean: f64) {
        let new = dir.join(folder).join("new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join("benchmark.json"), id).unwrap();
        let estimate = format!(
            r#"{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":{mean},"upper_bound":{mean}}},"point_estimate":{mean},"standard_error":0.1}}"#
        );
        std::fs::write(
            new.join("estimates.json"),
            format!(
                r#"{{"mean":{estimate},"median":{estimate},"median_abs_dev":{estimate},"slope":null,"std_dev":{estimate}}}"#
            ),
        )
        .unwrap();
    }

    #[test]
    fn reads_criterion_means_by_function_or_parameter() {
        let dir =
            std::env::temp_dir().join(format!("bench-report-criterion-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        bench(
            &dir,
            "g/f",
            r#"{"group_id":"g","function_id":"f","value_str":null,"throughput":null,"full_id":"g/f","directory_name":"g/f","title":"g/f"}"#,
            2.5,
        );
        bench(
            &dir,
            "g/64",
            r#"{"group_id":"g","function_id":null,"value_str":"64","throughput":null,"full_id":"g/64","directory_name":"g/64","title":"g/64"}"#,
            7.0,
        );
        std::fs::create_dir_all(dir.join("report")).unwrap();
        let means = means(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            means.unwrap(),
            vec![
                ("g".to_owned(), "64".to_owned(), 7.0),
                ("g".to_owned(), "f".to_owned(), 2.5),
            ]
        );
    }
}
