//! BENCHMARKS.md's breaker overhead block, from criterion's means of the
//! `overhead` benchmark: the breaker beside failsafe and recloser, and its
//! targets.

use crate::verdict;
use std::fmt::Write;

/// One criterion benchmark's mean: (group, function, ns per call).
pub type Mean = (String, String, f64);

/// The group of the single-threaded comparison.
pub const SINGLE: &str = "closed: admit + success, 1 thread";
/// The group of the two-thread comparison.
pub const DOUBLE: &str = "closed: admit + success, 2 threads, one breaker";

/// The mean of `group`'s `function`, NaN when it was not measured.
pub fn ns(overhead: &[Mean], group: &str, function: &str) -> f64 {
    overhead
        .iter()
        .find(|(g, f, _)| g == group && f == function)
        .map_or(f64::NAN, |(_, _, ns)| *ns)
}

/// The block: the comparison table, this crate's other paths, the targets.
pub fn block(overhead: &[Mean]) -> String {
    let mut md = String::new();
    let ns = |group, function| ns(overhead, group, function);
    let core = ns(SINGLE, "breaker (core, &mut)");
    let shared = ns(SINGLE, "breaker (SharedBreaker)");
    let locked = ns(SINGLE, "breaker (SharedBreaker, 10 s interval)");
    let failsafe = ns(SINGLE, "failsafe 1.3");
    let recloser = ns(SINGLE, "recloser 1.4");
    let shared2 = ns(DOUBLE, "breaker (SharedBreaker)");
    let failsafe2 = ns(DOUBLE, "failsafe 1.3");
    let recloser2 = ns(DOUBLE, "recloser 1.4");
    let _ = writeln!(
        md,
        "Admit a call and record its success, closed state, each breaker tripping on failures.\n"
    );
    let _ = writeln!(
        md,
        "| path | breaker | failsafe 1.3 | recloser 1.4 | breaker / failsafe | breaker / recloser |\n|---|---:|---:|---:|---:|---:|"
    );
    let _ = writeln!(
        md,
        "| 1 thread, core (`&mut`) | {core:.1} ns | {failsafe:.1} ns | {recloser:.1} ns | {:.2}x | {:.2}x |",
        core / failsafe,
        core / recloser
    );
    let _ = writeln!(
        md,
        "| 1 thread, `SharedBreaker` | {shared:.1} ns | | | {:.2}x | {:.2}x |",
        shared / failsafe,
        shared / recloser
    );
    let _ = writeln!(
        md,
        "| 1 thread, `SharedBreaker` with a 10 s interval (lock path) | {locked:.1} ns | | | {:.2}x | {:.2}x |",
        locked / failsafe,
        locked / recloser
    );
    let _ = writeln!(
        md,
        "| 2 threads, one `SharedBreaker` | {shared2:.1} ns | {failsafe2:.1} ns | {recloser2:.1} ns | {:.2}x | {:.2}x |\n",
        shared2 / failsafe2,
        shared2 / recloser2
    );
    let _ = writeln!(md, "| path (this crate) | ns per call |\n|---|---:|");
    for (group, function, ns) in overhead.iter().filter(|(g, ..)| g == "breaker paths") {
        let _ = writeln!(md, "| {group}: {function} | {ns:.1} |");
    }
    let _ = writeln!(
        md,
        "\nTargets: core ≤ 0.5× each peer: **{}**; `SharedBreaker` on 1 thread ≤ 0.5× failsafe: \
         **{}**; 2 threads on one `SharedBreaker` ≤ 1.0× the faster peer: **{}**.",
        verdict(core <= 0.5 * failsafe && core <= 0.5 * recloser),
        verdict(shared <= 0.5 * failsafe),
        verdict(shared2 <= failsafe2.min(recloser2))
    );
    md
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Means for every row of the comparison.
    pub(crate) fn overhead() -> Vec<Mean> {
        [
            (SINGLE, "breaker (core, &mut)", 2.0),
            (SINGLE, "breaker (SharedBreaker)", 4.0),
            (SINGLE, "breaker (SharedBreaker, 10 s interval)", 30.0),
            (SINGLE, "failsafe 1.3", 10.0),
            (SINGLE, "recloser 1.4", 9.0),
            (DOUBLE, "breaker (SharedBreaker)", 30.0),
            (DOUBLE, "failsafe 1.3", 35.0),
            (DOUBLE, "recloser 1.4", 40.0),
            ("breaker paths", "open: reject", 1.5),
        ]
        .map(|(g, f, ns)| (g.to_owned(), f.to_owned(), ns))
        .to_vec()
    }

    #[test]
    fn compares_with_the_peers_and_judges_each_target() {
        let md = block(&overhead());
        assert!(md.contains("≤ 0.5× failsafe: **met**"), "{md}");
        assert!(md.contains("lock path) | 30.0 ns | | | 3.00x"), "{md}");
        assert!(md.contains("| breaker paths: open: reject | 1.5 |"), "{md}");
        assert!(!md.contains("NaN"), "{md}");
    }
}
