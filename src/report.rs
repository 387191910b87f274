//! The result of an audit as data, and the formats it is written in (one file per format).
//!
//! An [`Audited`] deployment holds its findings (suppressed ones included, marked). A report
//! is written as a stream: a [`Run`] renders each deployment's part on its own (worker threads
//! do it in parallel), a [`Writer`] puts the parts in order between the format's beginning and
//! its end ([`Totals`]: counts and the run's warnings). Memory therefore does not grow with the
//! number of deployments. No format prints a secret value, because findings never hold one.

pub mod json;
pub mod sarif;
pub mod text;

use std::io::Write;

use serde::Serialize;

use crate::config::{KratosVersion, Source};
use crate::finding::Finding;
use crate::rules::{Profile, Severity};

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
    /// One deployment's part of the report. Pure, so worker threads render their own
    /// deployments and only the text is kept: memory stays flat however many there are.
    #[must_use]
    pub fn deployment(&self, d: &Audited) -> String {
        match self.format {
            Format::Text => text::deployment(*self, d),
            Format::Json => json::deployment(*self, d),
            Format::Sarif => sarif::results(d),
        }
    }

    /// The whole report for `deployments` at once (the streaming [`Writer`] underneath).
    #[must_use]
    pub fn render(&self, deployments: &[Audited], warnings: Vec<String>) -> String {
        let caveats = deployments
            .iter()
            .filter_map(|d| d.caveat.clone())
            .collect();
        let mut writer = Writer::new(*self, Vec::new());
        let mut summary = Summary::default();
        for d in deployments {
            summary.add(&summarize(d.findings.iter(), self.fail_on));
            // Writing to a `Vec` cannot fail.
            let _ = writer.push(&self.deployment(d));
        }
        let totals = Totals {
            deployments: deployments.len(),
            summary,
            caveats,
            warnings,
        };
        let bytes = writer.finish(&totals).unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
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
        if self.parts > 0 && self.run.format != Format::Text {
            self.out.write_all(b",")?;
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
        let end = match self.run.format {
            Format::Text => text::end(self.run, totals),
            Format::Json => json::end(self.run, totals, self.parts > 0),
            Format::Sarif => sarif::end(self.parts > 0),
        };
        self.out.write_all(end.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn start(&mut self) -> std::io::Result<()> {
        if !self.started {
            self.started = true;
            let head = match self.run.format {
                Format::Text => String::new(),
                Format::Json => json::head(self.run),
                Format::Sarif => sarif::head(),
            };
            self.out.write_all(head.as_bytes())?;
        }
        Ok(())
    }
}

/// `text` as the item of a pretty-printed JSON array at `depth` spaces: a line break, then
/// every line indented (strings never hold a raw line break, so lines are JSON lines).
fn indented_item(text: &str, depth: usize) -> String {
    let pad = " ".repeat(depth);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in text.lines() {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(line);
    }
    out
}

/// `skeleton` (a pretty-printed document with `marker` as an empty array) split around it:
/// the text up to the array's `[`, and the text after its `]`.
fn split_at_array<'a>(skeleton: &'a str, marker: &str) -> (&'a str, &'a str) {
    skeleton.split_once(marker).unwrap_or((skeleton, ""))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Deployment;
    use crate::rules::{Context, check_all};

    fn audited(text: &str, name: &str) -> Audited {
        let deployment =
            Deployment::from_texts(vec![(name.into(), name.into(), text.into())]).expect("loads");
        let cx = Context::new(&deployment, Profile::Production, None);
        Audited {
            version: cx.version,
            findings: check_all(&cx),
            caveat: None,
            hidden: deployment.hidden,
            sources: deployment.sources,
        }
    }

    fn run(format: Format) -> Run {
        Run {
            format,
            profile: Profile::Production,
            fail_on: Some(Severity::High),
            color: false,
        }
    }

    /// The streamed JSON is one valid document, whatever the number of deployments, with the
    /// deployments in order and the totals at the end.
    #[test]
    fn streamed_json_is_one_document() {
        let clean = audited("dsn: memory\n", "a/kratos.yml");
        let demo = audited(crate::demo::CONFIG, "b/kratos.yml");
        for deployments in [
            vec![],
            vec![demo],
            vec![clean, audited(crate::demo::CONFIG, "c")],
        ] {
            let text = run(Format::Json).render(&deployments, vec!["w".into()]);
            let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            let listed = doc["deployments"].as_array().expect("deployments");
            assert_eq!(listed.len(), deployments.len());
            for (out, d) in listed.iter().zip(&deployments) {
                assert_eq!(out["files"][0]["path"], d.sources[0].display.as_str());
                assert_eq!(
                    out["findings"].as_array().map(Vec::len),
                    Some(d.findings.len())
                );
            }
            let total: usize = deployments.iter().map(|d| d.findings.len()).sum();
            assert_eq!(doc["summary"]["total"], total);
            assert_eq!(doc["warnings"], serde_json::json!(["w"]));
            assert!(text.ends_with("}\n"));
        }
    }

    /// The streamed SARIF holds one result per finding, deployments without findings adding
    /// no stray separator.
    #[test]
    fn streamed_sarif_is_one_log() {
        for deployments in [
            vec![],
            vec![audited("dsn: memory\n", "a")],
            vec![
                audited(crate::demo::CONFIG, "b"),
                audited("dsn: memory\n", "a"),
                audited(crate::demo::CONFIG, "c"),
            ],
        ] {
            let text = run(Format::Sarif).render(&deployments, Vec::new());
            let doc: serde_json::Value = serde_json::from_str(&text).expect("valid SARIF JSON");
            let total: usize = deployments.iter().map(|d| d.findings.len()).sum();
            let results = doc["runs"][0]["results"].as_array().map(Vec::len);
            assert_eq!(results, Some(total));
            assert_eq!(doc["runs"][0]["columnKind"], "unicodeCodePoints");
        }
    }
}
