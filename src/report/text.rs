//! The human format: per deployment, findings grouped by threat, one line each
//! (`file:line:col: SEVERITY ID message`, clickable in editors), then the run's warnings and
//! a summary.

use std::fmt::Write as _;

use super::{Audited, Run, Totals, summarize};
use crate::finding::Finding;
use crate::rules::{Severity, Threat};

/// The end: the run's warnings, then the summary line.
pub(super) fn end(run: Run, totals: &Totals) -> String {
    let paint = Paint(run.color);
    let mut out = String::new();
    for warning in &totals.warnings {
        let _ = writeln!(out, "{} {warning}", paint.yellow("warning:"));
    }
    if !totals.warnings.is_empty() {
        out.push('\n');
    }
    let s = &totals.summary;
    let threshold = run.fail_on.map_or("none", Severity::as_str);
    let _ = writeln!(
        out,
        "{} {} finding(s) in {} deployment(s): {} critical, {} high, {} medium, {} low, {} info; \
         {} suppressed. {} at or above --fail-on {threshold}.",
        paint.bold("Summary:"),
        s.total,
        totals.deployments,
        s.critical,
        s.high,
        s.medium,
        s.low,
        s.info,
        s.suppressed,
        s.failing,
    );
    if s.total > 0 {
        let _ = writeln!(
            out,
            "Run `kratos-harden explain <ID>` for why a rule matters and how to fix it."
        );
    }
    out
}

/// One deployment: its header, why its findings may not fit (a Helm values file…), then its
/// findings grouped by threat.
pub(super) fn deployment(run: Run, d: &Audited) -> String {
    let paint = Paint(run.color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} (Kratos {}, profile {})",
        paint.bold(&d.label()),
        match d.version {
            crate::config::KratosVersion::V1 => "v1",
            crate::config::KratosVersion::V26 => "v26",
        },
        match run.profile {
            crate::rules::Profile::Production => "production",
            crate::rules::Profile::Development => "development",
        }
    );
    if let Some(caveat) = &d.caveat {
        let _ = writeln!(out, "  {} {caveat}", paint.yellow("warning:"));
    }
    for threat in Threat::ALL {
        let findings: Vec<&Finding> = d
            .findings
            .iter()
            .filter(|f| f.rule.threat == threat)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let s = summarize(findings.iter().copied(), run.fail_on);
        let _ = writeln!(
            out,
            "\n  {} ({} finding(s))",
            paint.bold(threat.title()),
            s.total
        );
        for f in findings {
            let location = d.provenance(f).describe();
            let severity = paint.severity(f.severity);
            let mut line = format!("    {location}: {severity} {} {}", f.rule.id, f.message);
            if let Some(reason) = &f.suppressed {
                line = paint.dim(&format!("{line} [suppressed: {reason}]"));
            }
            let _ = writeln!(out, "{line}");
        }
    }
    if d.findings.is_empty() {
        let _ = writeln!(out, "  no findings");
    }
    out.push('\n');
    out
}

/// ANSI styling, or none.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
    fn yellow(self, text: &str) -> String {
        self.wrap("33", text)
    }
    fn severity(self, severity: Severity) -> String {
        let label = format!("{:<8}", severity.as_str().to_ascii_uppercase());
        let code = match severity {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.wrap(code, &label)
    }
}
