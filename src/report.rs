//! The result of an audit as data, and the formats it is written in (one file per format).
//!
//! A [`Report`] holds every audited deployment with its findings (suppressed ones included,
//! marked), the warnings about the run itself (expired ignore entries…) and the `--fail-on`
//! threshold. Formats render it to text; none of them prints a secret value, because findings
//! never hold one.

pub mod json;
pub mod sarif;
pub mod text;

use serde::Serialize;

use crate::config::{KratosVersion, Source};
use crate::finding::Finding;
use crate::rules::{Profile, Severity};

/// Output format for `audit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Grouped by threat, one line per finding, then a summary.
    #[default]
    Text,
    /// Machine-readable findings (documented in the README).
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
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
}

impl Audited {
    /// The config file names joined with ` + ` (the deployment's label).
    #[must_use]
    pub fn label(&self) -> String {
        crate::config::label(&self.sources)
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

/// Everything one `audit` run found.
#[derive(Debug)]
pub struct Report {
    /// Audited deployments in a stable order.
    pub deployments: Vec<Audited>,
    /// Problems with the run itself that are not findings (expired ignore entries…).
    pub warnings: Vec<String>,
    /// The profile judged against.
    pub profile: Profile,
    /// `--fail-on`; `None` for `none`.
    pub fail_on: Option<Severity>,
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
}

impl Report {
    /// Every finding with the deployment it belongs to.
    pub fn findings(&self) -> impl Iterator<Item = (&Audited, &Finding)> {
        self.deployments
            .iter()
            .flat_map(|d| d.findings.iter().map(move |f| (d, f)))
    }

    /// The summary over all deployments.
    #[must_use]
    pub fn summary(&self) -> Summary {
        summarize(self.findings().map(|(_, f)| f), self.fail_on)
    }

    /// True when some finding is at or above `--fail-on`.
    #[must_use]
    pub fn failed(&self) -> bool {
        self.summary().failing > 0
    }
}

/// Counts findings.
pub fn summarize<'a>(
    findings: impl Iterator<Item = &'a Finding>,
    fail_on: Option<Severity>,
) -> Summary {
    let mut s = Summary::default();
    for f in findings {
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
