//! The JSON format (documented in the README): a stable, versioned document for CI pipelines.
//! Suppressed findings are kept with `suppressed: true`.

use serde::Serialize;
use serde_json::{Value, json};

use super::{Audited, Report, summarize};
use crate::finding::Finding;

/// Format version of this document; bumped on breaking changes.
pub const FORMAT_VERSION: u32 = 1;

/// Renders the report as pretty-printed JSON. Typed structs all the way down: no
/// intermediate `Value` tree, so memory stays near the size of the output even for thousands
/// of deployments.
#[must_use]
pub fn render(report: &Report) -> String {
    #[derive(Serialize)]
    struct Tool {
        name: &'static str,
        version: &'static str,
    }
    #[derive(Serialize)]
    struct File<'a> {
        path: &'a str,
        kind: &'static str,
    }
    #[derive(Serialize)]
    struct Deployment<'a> {
        files: Vec<File<'a>>,
        kratos_version: crate::config::KratosVersion,
        findings: Vec<Out<'a>>,
        summary: super::Summary,
    }
    #[derive(Serialize)]
    struct Doc<'a> {
        format_version: u32,
        tool: Tool,
        profile: crate::rules::Profile,
        fail_on: Option<crate::rules::Severity>,
        deployments: Vec<Deployment<'a>>,
        warnings: &'a [String],
        summary: super::Summary,
    }
    let deployments = report
        .deployments
        .iter()
        .map(|d| Deployment {
            files: d
                .sources
                .iter()
                .map(|s| File {
                    path: &s.display,
                    kind: s.kind.as_str(),
                })
                .collect(),
            kratos_version: d.version,
            findings: d.findings.iter().map(|f| out(d, f)).collect(),
            summary: summarize(d.findings.iter(), report.fail_on),
        })
        .collect();
    let doc = Doc {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "kratos-harden",
            version: env!("CARGO_PKG_VERSION"),
        },
        profile: report.profile,
        fail_on: report.fail_on,
        deployments,
        warnings: &report.warnings,
        summary: report.summary(),
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// One finding in the document.
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

/// One finding as JSON.
#[must_use]
pub fn finding(d: &Audited, f: &Finding) -> Value {
    serde_json::to_value(out(d, f)).unwrap_or(Value::Null)
}

fn out<'a>(d: &'a Audited, f: &'a Finding) -> Out<'a> {
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
    Out {
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
    }
}
