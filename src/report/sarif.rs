//! SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps): the whole rule
//! catalog as `tool.driver.rules` (with `helpUri`), one result per finding with a physical
//! location (a region when the key exists), the config path as a logical location and the
//! fix `apply` would make in `properties.fix`. The log is streamed: [`Pretty`] serializes
//! each result where the whole log would put it.

use std::io::{self, Write};

use serde_json::ser::Formatter as _;
use serde_json::{Value, json};

use super::pretty::Pretty;
use super::{Applied, Audited, Reporter, Run, Totals};
use crate::rules::{RULES, RuleMeta, Severity};

/// The SARIF format.
pub struct Sarif;

/// Depth of the `results` array's items: top object, `runs`, the run, `results`.
const RESULTS: usize = 4;

impl Reporter for Sarif {
    /// The log up to the `results` array's `[`: the tool and the whole rule catalog.
    fn head(&self, _run: &Run, out: &mut dyn Write) -> io::Result<()> {
        let rules: Vec<Value> = RULES.iter().map(|r| rule(r.meta())).collect();
        let tool = json!({ "driver": {
            "name": "kratos-harden",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": "https://www.ory.sh/docs/kratos/guides/production",
            "rules": rules,
        }});
        let mut doc = Pretty::at(0, false);
        doc.begin_object(out)?;
        doc.member(
            out,
            true,
            "$schema",
            "https://json.schemastore.org/sarif-2.1.0.json",
        )?;
        doc.member(out, false, "version", "2.1.0")?;
        doc.key(out, false, "runs")?;
        doc.begin_array(out)?;
        doc.begin_array_value(out, true)?;
        doc.begin_object(out)?;
        doc.member(out, true, "tool", &tool)?;
        doc.key(out, false, "results")?;
        doc.begin_array(out)
    }

    fn separator(&self) -> &'static [u8] {
        b","
    }

    /// The deployment's findings as items of `results` (nothing without findings).
    fn deployment(&self, _run: &Run, d: &Audited, out: &mut dyn Write) -> io::Result<()> {
        let mut results = Pretty::at(RESULTS, false);
        for (i, f) in d.findings.iter().enumerate() {
            results.item(out, i == 0, &result(d, f))?;
        }
        Ok(())
    }

    /// `]` of `results`, then the rest of the run and of the log.
    fn end(&self, _run: &Run, _totals: &Totals, any: bool, out: &mut dyn Write) -> io::Result<()> {
        let mut doc = Pretty::at(RESULTS, any);
        doc.end_array(out)?;
        doc.end_object_value(out)?;
        doc.member(out, false, "columnKind", "unicodeCodePoints")?;
        doc.end_object(out)?;
        doc.end_array_value(out)?;
        doc.end_array(out)?;
        doc.end_object_value(out)?;
        doc.end_object(out)?;
        out.write_all(b"\n")
    }

    /// SARIF describes findings; what `apply` did is a text or JSON report.
    fn apply(&self, _applied: &Applied<'_>, _out: &mut dyn Write) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "apply has no SARIF report: use text or JSON",
        ))
    }
}

/// One finding as a SARIF result. The fix `apply` would make (applicability and summary) is
/// in `properties`: SARIF's own `fixes` need the exact replacement bytes (`artifactChanges`),
/// which only `apply` computes.
fn result(d: &Audited, f: &crate::finding::Finding) -> Value {
    let index = RULES.iter().position(|r| r.meta().id == f.rule.id);
    let from = d.provenance(f);
    let mut physical = json!({ "artifactLocation": { "uri": uri(d.file_of(f)) } });
    if let Some((line, column)) = f.line_column() {
        physical["region"] = json!({ "startLine": line, "startColumn": column });
    }
    // A value from the process environment or the chart has no file to point at.
    let physical = from.source.kind.has_file().then_some(physical);
    let mut result = json!({
        "ruleId": f.rule.id,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": { "text": f.message },
        "locations": [location(physical, &f.path, from.variable)],
        "properties": {
            "severity": f.severity.as_str(),
            "threat": f.rule.threat.as_str(),
            "fix": f.fix,
        },
    });
    if let Some(reason) = &f.suppressed {
        result["suppressions"] = json!([{ "kind": "external", "justification": reason }]);
    }
    result
}

fn rule(meta: &RuleMeta) -> Value {
    let mut value = json!({
        "id": meta.id,
        "name": meta.name,
        "shortDescription": { "text": meta.title },
        "fullDescription": { "text": meta.rationale },
        "help": { "text": format!(
            "{}\n\nFix ({}): {}\n\nWhat may break: {}\n\nReferences: {}",
            meta.rationale,
            meta.fix.applicability.as_str(),
            meta.fix.summary,
            meta.breaks,
            meta.references.join(", ")
        )},
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "tags": ["security", meta.threat.as_str()],
            "security-severity": security_severity(meta.severity),
        },
    });
    if let Some(url) = meta.references.iter().find(|r| r.starts_with("https://")) {
        value["helpUri"] = json!(url);
    }
    value
}

/// SARIF levels: critical/high are errors, medium warnings, low/info notes.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's numeric `security-severity` bands.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// One SARIF location: the file region when there is one, the config path as a logical
/// location, and the environment variable that set the value, if any.
fn location(physical: Option<Value>, path: &str, variable: Option<&str>) -> Value {
    let mut logical = vec![json!({ "fullyQualifiedName": path, "kind": "member" })];
    if let Some(variable) = variable {
        logical.push(json!({ "name": variable, "kind": "variable" }));
    }
    let mut location = json!({ "logicalLocations": logical });
    if let Some(physical) = physical {
        location["physicalLocation"] = physical;
    }
    location
}

/// A relative path with forward slashes, or a `file://` URI for an absolute one.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    if path.starts_with('/') {
        format!("file://{path}")
    } else {
        path.trim_start_matches("./").to_owned()
    }
}
