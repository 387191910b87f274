//! The JSON format (documented in the README): a stable, versioned document for CI pipelines.
//! Suppressed findings are kept with `suppressed: true`.

use serde::Serialize;
use serde_json::{Value, json};

use super::{Audited, Report, summarize};
use crate::finding::Finding;

/// Format version of this document; bumped on breaking changes.
pub const FORMAT_VERSION: u32 = 1;

/// Renders the report as pretty-printed JSON.
#[must_use]
pub fn render(report: &Report) -> String {
    let deployments: Vec<Value> = report
        .deployments
        .iter()
        .map(|d| {
            json!({
                "files": d.sources.iter().map(|s| json!({
                    "path": s.display,
                    "kind": s.kind.as_str(),
                })).collect::<Vec<_>>(),
                "kratos_version": d.version,
                "findings": d.findings.iter().map(|f| finding(d, f)).collect::<Vec<_>>(),
                "summary": summarize(d.findings.iter(), report.fail_on),
            })
        })
        .collect();
    let doc = json!({
        "format_version": FORMAT_VERSION,
        "tool": { "name": "kratos-harden", "version": env!("CARGO_PKG_VERSION") },
        "profile": report.profile,
        "fail_on": report.fail_on,
        "deployments": deployments,
        "warnings": report.warnings,
        "summary": report.summary(),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// One finding as JSON.
#[must_use]
pub fn finding(d: &Audited, f: &Finding) -> Value {
    #[derive(Serialize)]
    struct Out<'a> {
        rule: &'a str,
        name: &'a str,
        threat: crate::rules::Threat,
        severity: crate::rules::Severity,
        title: &'a str,
        path: &'a str,
        file: &'a str,
        line: Option<u32>,
        column: Option<u32>,
        message: &'a str,
        fix: Option<&'a crate::finding::Fix>,
        source: Source<'a>,
        suppressed: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        suppression_reason: Option<&'a str>,
    }
    /// Where the effective value comes from.
    #[derive(Serialize)]
    struct Source<'a> {
        kind: &'static str,
        file: Option<&'a str>,
        line: Option<u32>,
        column: Option<u32>,
        variable: Option<&'a str>,
        /// The file value this one replaced, when an env variable masks a config key.
        #[serde(skip_serializing_if = "Option::is_none")]
        overrides: Option<Value>,
    }
    let (line, column) = f.line_column().unzip();
    let from = d.provenance(f);
    let in_file = from.source.kind.has_file();
    let source = Source {
        kind: from.kind_at(&f.path),
        file: in_file.then_some(from.source.display.as_str()),
        line: if in_file { line } else { None },
        column: if in_file { column } else { None },
        variable: from.variable,
        overrides: from
            .overrides
            .map(|(s, p)| json!({ "file": s.display, "line": p.line, "column": p.column })),
    };
    serde_json::to_value(Out {
        rule: f.rule.id,
        name: f.rule.name,
        threat: f.rule.threat,
        severity: f.severity,
        title: f.rule.title,
        path: &f.path,
        file: d.file_of(f),
        line,
        column,
        message: &f.message,
        fix: f.fix.as_ref(),
        source,
        suppressed: f.suppressed.is_some(),
        suppression_reason: f.suppressed.as_deref(),
    })
    .unwrap_or(Value::Null)
}
