//! `out/report.md`, written by `experiments all`: a table of the final figures, each run's targets
//! with whether they were met, the pictures, and the peak resident memory of the process.

use crate::record::RunRecord;
use std::fmt::Write as _;
use std::path::Path;

/// Peak resident set size of this process in KiB: `VmHWM` from `/proc/self/status` (Linux only;
/// `None` elsewhere).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_hwm(&status)
}

/// The `VmHWM:   12345 kB` line of a `/proc/<pid>/status` text.
pub fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One target of one run, evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetResult {
    /// `final test acc > 96.00%`.
    pub describe: String,
    /// Where the number comes from.
    pub source: String,
    /// What the run achieved (formatted).
    pub achieved: String,
    /// Met or not.
    pub met: bool,
    /// Whether the run used the hyper-parameters the target was stated for (seed, epochs, learning
    /// rate, data size): only then does a miss count (the exit status, "**no**" in the report).
    pub judged: bool,
}

/// One section of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportEntry {
    /// Heading (`moons`, `line (lr 0.01)`).
    pub title: String,
    /// What the run reproduces, one line.
    pub summary: String,
    /// The history, for training runs.
    pub record: Option<RunRecord>,
    /// Its targets.
    pub targets: Vec<TargetResult>,
    /// Pictures, paths relative to the report (PNG; the SVG sits beside each).
    pub pictures: Vec<String>,
    /// Extra Markdown (the log, the metrics tables).
    pub extra: String,
}

fn opt_pct(v: Option<f64>) -> String {
    v.map_or("—".to_string(), |v| format!("{v:.2}%"))
}

/// Renders the report.
pub fn render(entries: &[ReportEntry], device: &str, peak_rss_kib: Option<u64>) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# tapegrad replays the PyTorch classification tutorial\n");
    let _ = writeln!(md, "Device: `{device}`. Every model is built right after `manual_seed(42)`.\n");
    let _ = writeln!(md, "## Final figures\n");
    let _ = writeln!(
        md,
        "| run | epochs | lr | train loss | train acc | test loss | test acc | train time (s) | µs/epoch |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut total = 0.0;
    for e in entries {
        if let Some(r) = &e.record {
            if let Some(last) = r.last() {
                total += r.train_seconds;
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {:.5} | {} | {:.5} | {} | {:.4} | {:.1} |",
                    e.title,
                    r.epochs,
                    r.lr,
                    last.train_loss,
                    opt_pct(last.train_acc),
                    last.test_loss,
                    opt_pct(last.test_acc),
                    r.train_seconds,
                    r.train_seconds / r.epochs.max(1) as f64 * 1e6
                );
            }
        }
    }
    let _ = writeln!(md, "\nAll training loops together: {total:.4} s.\n");
    let _ = writeln!(md, "## Targets\n");
    let _ = writeln!(md, "| run | target | source | achieved | met |");
    let _ = writeln!(md, "|---|---|---|---:|:---:|");
    for e in entries {
        for t in &e.targets {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                e.title,
                t.describe,
                t.source,
                t.achieved,
                match (t.met, t.judged) {
                    (true, _) => "yes",
                    (false, true) => "**no**",
                    (false, false) => "no (not judged: other hyper-parameters)",
                }
            );
        }
    }
    let met = entries.iter().flat_map(|e| &e.targets).filter(|t| t.met).count();
    let all = entries.iter().flat_map(|e| &e.targets).count();
    let missed = entries.iter().flat_map(|e| &e.targets).filter(|t| t.judged && !t.met).count();
    let _ = writeln!(md, "\n{met} of {all} targets met; {missed} judged target(s) missed.\n");
    match peak_rss_kib {
        Some(k) => {
            let _ = writeln!(md, "Peak RSS of `experiments all` (VmHWM): {k} KiB ({:.1} MiB).\n", k as f64 / 1024.0);
        }
        None => {
            let _ = writeln!(md, "Peak RSS: not available (no /proc/self/status).\n");
        }
    }
    for e in entries {
        let _ = writeln!(md, "## {}\n\n{}\n", e.title, e.summary);
        for p in &e.pictures {
            let name = Path::new(p).file_stem().and_then(|s| s.to_str()).unwrap_or(p);
            let _ = writeln!(md, "![{name}]({p})\n");
        }
        if !e.extra.is_empty() {
            let _ = writeln!(md, "{}\n", e.extra);
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_vm_hwm() {
        let s = "Name:\tx\nVmPeak:\t  100 kB\nVmHWM:\t    2048 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_vm_hwm(s), Some(2048));
        assert_eq!(parse_vm_hwm("VmRSS: 1 kB"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_a_peak_rss() {
        assert!(peak_rss_kib().unwrap() > 0);
    }

    #[test]
    fn report_says_whether_targets_were_met() {
        let e = ReportEntry {
            title: "moons".into(),
            summary: "s".into(),
            record: None,
            targets: vec![TargetResult {
                describe: "d".into(),
                source: "x".into(),
                achieved: "97%".into(),
                met: false,
                judged: true,
            }],
            pictures: vec!["moons_decision_boundary.png".into()],
            extra: String::new(),
        };
        let md = render(&[e], "cpu", Some(1024));
        assert!(md.contains("| moons | d | x | 97% | **no** |"));
        assert!(md.contains("0 of 1 targets met; 1 judged target(s) missed"));
        assert!(md.contains("![moons_decision_boundary](moons_decision_boundary.png)"));
        assert!(md.contains("1024 KiB"));
    }
}
