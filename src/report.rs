//! The results of `audit` and `apply` as data, the [`Reporter`] trait every format implements,
//! and the dispatch to it (one file per format: `text`, `json`, `sarif`).
//!
//! An [`Audited`] deployment holds its findings (suppressed ones included, marked). A report
//! is written as a stream: a [`Run`] renders each deployment's part on its own (worker threads
//! do it in parallel), a [`Writer`] puts the parts in order between the format's beginning and
//! its end ([`Totals`]: counts and the run's warnings). Memory therefore does not grow with the
//! number of deployments. An [`Applied`] run is reported in one piece. No format prints a
//! secret value: findings never hold one, and `apply`'s values go through its [`Masker`].

pub mod json;
mod pretty;
pub mod sarif;
#[cfg(test)]
mod tests;
pub mod text;

use std::io::{self, Write};

use serde::Serialize;

use crate::config::{Deployment, KratosVersion, Source};
use crate::diff;
use crate::finding::Finding;
use crate::harden::Outcome;
use crate::mask::Masker;
use crate::rules::{Applicability, Profile, Severity};

/// Output format for `audit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Grouped by threat, one line per finding, then a summary.
    #[default]
    Text,
    /// Machine-readable findings (documented in the README).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
}

impl Format {
    /// The format's implementation.
    #[must_use]
    pub fn reporter(self) -> &'static dyn Reporter {
        match self {
            Format::Text => &text::Text,
            Format::Json => &json::Json,
            Format::Sarif => &sarif::Sarif,
        }
    }
}

/// One report format. An audit report is streamed: [`head`](Reporter::head), each
/// deployment's part (rendered apart, on any thread, so it cannot know its neighbours: the
/// [`Writer`] puts the [`separator`](Reporter::separator) between parts), then
/// [`end`](Reporter::end). `apply`'s report is written whole.
pub trait Reporter: Sync {
    /// Everything before the first deployment.
    ///
    /// # Errors
    /// When the output cannot be written.
    fn head(&self, run: &Run, out: &mut dyn Write) -> io::Result<()>;

    /// Written between two parts that are not empty.
    fn separator(&self) -> &'static [u8];

    /// One deployment's part, as the first item wherever it goes; nothing at all when the
    /// format has nothing to say about it (SARIF, for a deployment without findings).
    ///
    /// # Errors
    /// When the output cannot be written.
    fn deployment(&self, run: &Run, d: &Audited, out: &mut dyn Write) -> io::Result<()>;

    /// Everything after the last deployment; `any` when some part was not empty.
    ///
    /// # Errors
    /// When the output cannot be written.
    fn end(&self, run: &Run, totals: &Totals, any: bool, out: &mut dyn Write) -> io::Result<()>;

    /// The report of an `apply` run.
    ///
    /// # Errors
    /// When the output cannot be written, or the format has no `apply` report.
    fn apply(&self, applied: &Applied<'_>, out: &mut dyn Write) -> io::Result<()>;

    /// A whole audit report at once (the streaming [`Writer`] underneath).
    ///
    /// # Errors
    /// When the output cannot be written.
    fn audit(
        &self,
        run: &Run,
        deployments: &[Audited],
        warnings: Vec<String>,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let caveats = deployments
            .iter()
            .filter_map(|d| d.caveat.clone())
            .collect();
        let mut writer = Writer::new(*run, out);
        let mut summary = Summary::default();
        for d in deployments {
            summary.add(&summarize(d.findings.iter(), run.fail_on));
            writer.push(&run.deployment(d))?;
        }
        let totals = Totals {
            deployments: deployments.len(),
            summary,
            caveats,
            warnings,
        };
        writer.finish(&totals).map(drop)
    }
}

/// What an `apply` run did, and how its report is to show it.
#[allow(clippy::struct_excessive_bools)] // one field per `apply` switch the report follows
pub struct Applied<'a> {
    /// The deployment as it was read.
    pub deployment: &'a Deployment,
    /// The plan, the changes, the generated secrets and what the proof found.
    pub outcome: &'a Outcome,
    /// Each changed file's name and its masked diff.
    pub diffs: &'a [(String, Vec<diff::Line>)],
    /// What was written (files and backups), one line each; empty when nothing was.
    pub written: &'a [String],
    /// Masks the run's secrets in every value shown.
    pub masker: &'a Masker,
    /// `--dry-run`: the diff is shown and nothing written.
    pub dry_run: bool,
    /// `--check`: nothing written; pending changes are the exit code.
    pub check: bool,
    /// `--show-secrets`: generated secrets are shown in clear.
    pub show_secrets: bool,
    /// ANSI colours (text only).
    pub color: bool,
}

impl Applied<'_> {
    /// True when the run only planned (`--dry-run`, `--check`).
    #[must_use]
    pub fn planned_only(&self) -> bool {
        self.dry_run || self.check
    }

    /// True when the fixes change a file or move a secret out of it.
    #[must_use]
    pub fn pending(&self) -> bool {
        !self.outcome.changes.is_empty() || !self.outcome.moved.is_empty()
    }
}

/// One audited deployment (one `-c` stack, or one file found on the command line).
#[derive(Debug)]
pub struct Audited {
    /// Config files then identity schemas, as loaded.
    pub sources: Vec<Source>,
    /// The Kratos version the rules assumed.
    pub version: KratosVersion,
    /// Findings in wizard order.
    pub findings: Vec<Finding>,
    /// Why these findings may not describe the deployment (e.g. a Helm values file).
    pub caveat: Option<String>,
    /// File values that environment variables replaced.
    pub hidden: Vec<crate::config::env::Hidden>,
    /// The docker compose service the deployment is, when read from a compose file.
    pub service: Option<String>,
}

impl Audited {
    /// The config file names joined with ` + ` (the deployment's label), after the compose
    /// service when there is one.
    #[must_use]
    pub fn label(&self) -> String {
        let files = crate::config::label(&self.sources);
        let compose = self.sources.iter().find(|s| {
            matches!(
                s.kind,
                crate::config::SourceKind::Compose | crate::config::SourceKind::Manifest
            )
        });
        match (&self.service, compose) {
            (Some(service), Some(compose)) => {
                format!("{} service `{service}`: {files}", compose.display)
            }
            _ => files,
        }
    }

    /// What the deployment is read from: `config`, `helm`, `compose` or `kubernetes`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        use crate::config::SourceKind;
        if self.sources.iter().any(|s| s.kind == SourceKind::Compose) {
            "compose"
        } else if self.sources.iter().any(|s| s.kind == SourceKind::Manifest) {
            "kubernetes"
        } else if self
            .sources
            .iter()
            .any(|s| s.kind == SourceKind::HelmValues)
        {
            "helm"
        } else {
            "config"
        }
    }

    /// Where the finding's value comes from (file position or environment variable).
    #[must_use]
    pub fn provenance(&self, finding: &Finding) -> crate::config::Provenance<'_> {
        let index = usize::from(finding.file).min(self.sources.len().saturating_sub(1));
        let mut from = crate::config::Provenance::new(&self.sources[index], finding.pos);
        from.overrides = self
            .hidden
            .iter()
            .find(|h| h.path == finding.path)
            .and_then(|h| Some((self.sources.get(usize::from(h.pos.file))?, h.pos)));
        from
    }

    /// The display name of the file a finding points into.
    #[must_use]
    pub fn file_of(&self, finding: &Finding) -> &str {
        let index = usize::from(finding.file).min(self.sources.len().saturating_sub(1));
        self.sources.get(index).map_or("", |s| s.display.as_str())
    }
}

/// How a report is written: the format and what every part of it needs to know.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// Text, JSON or SARIF.
    pub format: Format,
    /// The profile judged against.
    pub profile: Profile,
    /// `--fail-on`; `None` for `none`.
    pub fail_on: Option<Severity>,
    /// ANSI colours (text only).
    pub color: bool,
}

impl Run {
    /// The format's implementation.
    #[must_use]
    pub fn reporter(&self) -> &'static dyn Reporter {
        self.format.reporter()
    }

    /// One deployment's part of the report. Pure, so worker threads render their own
    /// deployments and only the text is kept: memory stays flat however many there are.
    #[must_use]
    pub fn deployment(&self, d: &Audited) -> String {
        let mut out = Vec::new();
        // Writing to a `Vec` cannot fail, and every format writes UTF-8.
        let _ = self.reporter().deployment(self, d, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// The whole report for `deployments` at once ([`Reporter::audit`]).
    #[must_use]
    pub fn render(&self, deployments: &[Audited], warnings: Vec<String>) -> String {
        let mut out = Vec::new();
        let _ = self.reporter().audit(self, deployments, warnings, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// What the end of a report says: counts over every deployment and the run's warnings.
#[derive(Debug, Default)]
pub struct Totals {
    /// Deployments audited (failed ones excluded).
    pub deployments: usize,
    /// Findings over all deployments.
    pub summary: Summary,
    /// Why some deployments' findings may not describe them (a Helm values file…), in
    /// deployment order. Text shows each in its deployment; JSON lists them first in `warnings`.
    pub caveats: Vec<String>,
    /// Problems with the run itself that are not findings (expired ignore entries…).
    pub warnings: Vec<String>,
}

/// Writes a report part by part as deployments arrive, in the order they are pushed: the
/// beginning on the first part, separators between parts, the end with the totals.
pub struct Writer<W: Write> {
    run: Run,
    out: W,
    started: bool,
    parts: usize,
}

impl<W: Write> Writer<W> {
    /// A writer that has written nothing yet.
    pub fn new(run: Run, out: W) -> Self {
        Self {
            run,
            out,
            started: false,
            parts: 0,
        }
    }

    /// Writes one deployment's part (from [`Run::deployment`]).
    ///
    /// # Errors
    /// When the output cannot be written.
    pub fn push(&mut self, part: &str) -> std::io::Result<()> {
        self.start()?;
        if part.is_empty() {
            return Ok(());
        }
        if self.parts > 0 {
            self.out.write_all(self.run.reporter().separator())?;
        }
        self.parts += 1;
        self.out.write_all(part.as_bytes())
    }

    /// Writes the end of the report and hands the output back.
    ///
    /// # Errors
    /// When the output cannot be written.
    pub fn finish(mut self, totals: &Totals) -> std::io::Result<W> {
        self.start()?;
        let run = self.run;
        run.reporter()
            .end(&run, totals, self.parts > 0, &mut self.out)?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn start(&mut self) -> std::io::Result<()> {
        if !self.started {
            self.started = true;
            let run = self.run;
            run.reporter().head(&run, &mut self.out)?;
        }
        Ok(())
    }
}

/// Counts for the summary line and JSON.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Findings, suppressed ones excluded.
    pub total: usize,
    /// Per severity (suppressed excluded).
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Info.
    pub info: usize,
    /// Suppressed by the ignore file.
    pub suppressed: usize,
    /// Findings at or above `--fail-on`.
    pub failing: usize,
    /// Findings `apply` fixes (safe fixes). Suppressed ones count in these three: `apply`
    /// does not read the ignore file.
    pub fixable_safe: usize,
    /// Findings `apply --unsafe-fixes` fixes on top of those.
    pub fixable_unsafe: usize,
    /// Findings `apply` leaves to the operator (a manual fix, or nothing to change).
    pub manual: usize,
}

impl Summary {
    /// Adds another deployment's counts.
    pub fn add(&mut self, other: &Summary) {
        self.total += other.total;
        self.critical += other.critical;
        self.high += other.high;
        self.medium += other.medium;
        self.low += other.low;
        self.info += other.info;
        self.suppressed += other.suppressed;
        self.failing += other.failing;
        self.fixable_safe += other.fixable_safe;
        self.fixable_unsafe += other.fixable_unsafe;
        self.manual += other.manual;
    }

    /// True when some finding is at or above `--fail-on`.
    #[must_use]
    pub fn failed(&self) -> bool {
        self.failing > 0
    }
}

/// Counts findings.
pub fn summarize<'a>(
    findings: impl Iterator<Item = &'a Finding>,
    fail_on: Option<Severity>,
) -> Summary {
    let mut s = Summary::default();
    for f in findings {
        match f.fix.as_ref().map(|x| x.applicability) {
            Some(Applicability::Safe) => s.fixable_safe += 1,
            Some(Applicability::Unsafe) => s.fixable_unsafe += 1,
            Some(Applicability::Manual) | None => s.manual += 1,
        }
        if f.suppressed.is_some() {
            s.suppressed += 1;
            continue;
        }
        s.total += 1;
        match f.severity {
            Severity::Critical => s.critical += 1,
            Severity::High => s.high += 1,
            Severity::Medium => s.medium += 1,
            Severity::Low => s.low += 1,
            Severity::Info => s.info += 1,
        }
        if f.counts(fail_on) {
            s.failing += 1;
        }
    }
    s
}
