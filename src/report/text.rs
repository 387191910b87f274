//! The human format. `audit`: per deployment, findings grouped by threat, one line each
//! (`file:line:col: SEVERITY ID [*] message`, clickable in editors; the mark says what `apply`
//! does, as ruff's), then the run's warnings and a summary with the fixable counts. `apply`:
//! the diff on a dry run, what was fixed per threat, what is left, what was written, next steps.

use std::fmt::Write as _;
use std::io;

use super::{Applied, Audited, Reporter, Run, Totals, summarize};
use crate::diff;
use crate::finding::Finding;
use crate::fix::SecretsTo;
use crate::patch::Op;
use crate::rules::{Applicability, Severity, Threat};

/// The text format.
pub struct Text;

impl Reporter for Text {
    fn head(&self, _run: &Run, _out: &mut dyn io::Write) -> io::Result<()> {
        Ok(())
    }

    fn separator(&self) -> &'static [u8] {
        b""
    }

    fn deployment(&self, run: &Run, d: &Audited, out: &mut dyn io::Write) -> io::Result<()> {
        out.write_all(deployment(*run, d).as_bytes())
    }

    fn end(
        &self,
        run: &Run,
        totals: &Totals,
        _any: bool,
        out: &mut dyn io::Write,
    ) -> io::Result<()> {
        out.write_all(end(*run, totals).as_bytes())
    }

    fn apply(&self, applied: &Applied<'_>, out: &mut dyn io::Write) -> io::Result<()> {
        out.write_all(apply(applied).as_bytes())
    }
}

/// The mark after the rule id: `[*]` when `apply` fixes the finding, `[!]` when only
/// `apply --unsafe-fixes` does, none when it is left to the operator.
fn mark(f: &Finding) -> &'static str {
    match f.fix.as_ref().map(|x| x.applicability) {
        Some(Applicability::Safe) => " [*]",
        Some(Applicability::Unsafe) => " [!]",
        Some(Applicability::Manual) | None => "",
    }
}

/// The end: the run's warnings, then the summary lines.
fn end(run: Run, totals: &Totals) -> String {
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
    if s.fixable_safe + s.fixable_unsafe + s.manual > 0 {
        let _ = writeln!(
            out,
            "{} {} fixable with `apply` [*], {} more with `apply --unsafe-fixes` [!], {} manual.",
            paint.bold("Fixes:"),
            s.fixable_safe,
            s.fixable_unsafe,
            s.manual,
        );
    }
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
fn deployment(run: Run, d: &Audited) -> String {
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
            let mut line = format!(
                "    {location}: {severity} {}{} {}",
                f.rule.id,
                mark(f),
                f.message
            );
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

/// `apply`'s report.
fn apply(a: &Applied<'_>) -> String {
    let (outcome, diffs, masker) = (a.outcome, a.diffs, a.masker);
    let mut out = String::new();
    if a.dry_run {
        for (_, lines) in diffs {
            out.push_str(&diff::unified(lines, a.color));
        }
        if !diffs.is_empty() {
            out.push('\n');
        }
    }
    let finding = |i: usize| &outcome.findings[i];
    let changed: usize = diffs
        .iter()
        .map(|(_, l)| diff::stats(l).1.max(diff::stats(l).0))
        .sum();
    let label = crate::config::label(&a.deployment.sources);
    let _ = writeln!(
        out,
        "{label}: {} fix(es) {}, {changed} line(s) changed; {} left for you; {} unsafe fix(es) not applied.",
        outcome.plan.applied.len(),
        if a.planned_only() {
            "planned"
        } else {
            "applied"
        },
        outcome.plan.manual.len(),
        outcome.plan.unsafe_skipped.len(),
    );
    for threat in Threat::ALL {
        let applied: Vec<&(usize, Vec<Op>)> = outcome
            .plan
            .applied
            .iter()
            .filter(|(i, _)| finding(*i).rule.threat == threat)
            .collect();
        if applied.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n  {} — fixed", threat.title());
        for (i, _) in applied {
            let f = finding(*i);
            let summary = f
                .fix
                .as_ref()
                .map_or(String::new(), |x| x.summary.to_string());
            let _ = writeln!(
                out,
                "    {} {}: {}",
                f.rule.id,
                f.path,
                masker.apply(&summary)
            );
        }
    }
    left_for_you(&mut out, a);
    added(&mut out, a);
    if !a.written.is_empty() {
        let _ = writeln!(out, "\n  Wrote");
        for line in a.written {
            let _ = writeln!(out, "    {line}");
        }
    } else if a.check && a.pending() {
        let _ = writeln!(out, "\n  Changes are pending (--check wrote nothing).");
    } else if a.dry_run {
        let _ = writeln!(out, "\n  Dry run: nothing was written.");
    } else if outcome.changes.is_empty() {
        let _ = writeln!(out, "\n  Nothing to change.");
    }
    next_steps(&mut out, a);
    out
}

/// What the result has that the input had not (the result is audited again before writing).
fn added(out: &mut String, a: &Applied<'_>) {
    let (outcome, masker) = (a.outcome, a.masker);
    if outcome.added.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n  Added by these fixes (the result was audited again before writing)"
    );
    for f in &outcome.added {
        let _ = writeln!(
            out,
            "    {} {}: {}",
            f.rule.id,
            f.path,
            masker.apply(&f.message)
        );
    }
}

/// The manual fixes, the unsafe fixes not applied and the generated secrets.
fn left_for_you(out: &mut String, a: &Applied<'_>) {
    let (outcome, masker) = (a.outcome, a.masker);
    let finding = |i: usize| &outcome.findings[i];
    if !outcome.plan.manual.is_empty() {
        let _ = writeln!(out, "\n  Left for you (manual)");
        for (i, why) in &outcome.plan.manual {
            let f = finding(*i);
            let _ = writeln!(out, "    {} {}: {}", f.rule.id, f.path, masker.apply(why));
        }
    }
    if !outcome.plan.unsafe_skipped.is_empty() {
        let _ = writeln!(
            out,
            "\n  Not applied: unsafe fixes (they change behaviour users notice; re-run with --unsafe-fixes)"
        );
        for i in &outcome.plan.unsafe_skipped {
            let f = finding(*i);
            let _ = writeln!(out, "    {} {}: {}", f.rule.id, f.path, f.breaks());
        }
    }
    if !outcome.generated.is_empty() {
        let _ = writeln!(out, "\n  Secrets generated (from the OS random generator)");
        for (path, secret) in &outcome.generated {
            let shown = if a.show_secrets {
                secret.expose().to_owned()
            } else {
                secret.masked()
            };
            let _ = writeln!(out, "    {path}: {shown}");
        }
    }
}

/// What to do after the fixes (restart, re-sign-in, where moved secrets go, the proxy).
fn next_steps(out: &mut String, a: &Applied<'_>) {
    let outcome = a.outcome;
    let mut steps = Vec::new();
    if !outcome.changes.is_empty() {
        steps.push(
            "restart Kratos: `serve`, `log`, `secrets` and hashing settings are read at start"
                .to_owned(),
        );
    }
    if outcome
        .generated
        .iter()
        .any(|(p, _)| p.starts_with("secrets.cookie") || p.starts_with("secrets.default"))
    {
        steps.push("sessions signed with removed secrets end: users sign in again once".to_owned());
    }
    match &outcome.secrets_to {
        SecretsTo::EnvFile(path) if !outcome.moved.is_empty() => steps.push(format!(
            "give Kratos the variables in {} (docker compose `env_file:`, systemd `EnvironmentFile=`)",
            path.display()
        )),
        SecretsTo::K8sSecret(path) if !outcome.moved.is_empty() => steps.push(format!(
            "`kubectl apply -f {}` and point the Helm chart at it (`secret.nameOverride: kratos`, `secret.enabled: false`)",
            path.display()
        )),
        _ => {}
    }
    steps.push(
        "open-source Kratos has no rate limiting: put per-IP limits in the reverse proxy"
            .to_owned(),
    );
    if !a.deployment.chart.cleanup_scheduled {
        steps.push("schedule `kratos cleanup sql --keep-last 6h` (for example hourly)".to_owned());
    }
    let _ = writeln!(out, "\n  Next steps");
    for step in steps {
        let _ = writeln!(out, "    - {step}");
    }
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
