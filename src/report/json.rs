//! The JSON format (documented in the README): a stable, versioned document for CI pipelines.
//! Suppressed findings are kept with `suppressed: true`.

use serde::Serialize;
use serde_json::{Value, json};

use super::{Audited, Run, Summary, Totals, indented_item, split_at_array, summarize};
use crate::finding::Finding;

/// Format version of this document; bumped on breaking changes.
pub const FORMAT_VERSION: u32 = 1;

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
    summary: Summary,
}

/// The document with its deployments left out: they are streamed into [`MARKER`].
#[derive(Serialize)]
struct Doc<'a> {
    format_version: u32,
    tool: Tool,
    profile: crate::rules::Profile,
    fail_on: Option<crate::rules::Severity>,
    deployments: &'static [u8],
    warnings: &'a [String],
    summary: &'a Summary,
}

/// The empty deployments array in the pretty-printed [`Doc`].
const MARKER: &str = "\"deployments\": []";

/// The document as serde prints it, so the streamed output is byte for byte what printing
/// one whole document would give.
fn skeleton(run: Run, warnings: &[String], summary: &Summary) -> String {
    let doc = Doc {
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: "kratos-harden",
            version: env!("CARGO_PKG_VERSION"),
        },
        profile: run.profile,
        fail_on: run.fail_on,
        deployments: &[],
        warnings,
        summary,
    };
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Everything before the first deployment.
pub(super) fn head(run: Run) -> String {
    let skeleton = skeleton(run, &[], &Summary::default());
    let (before, _) = split_at_array(&skeleton, MARKER);
    format!("{before}\"deployments\": [")
}

/// Everything after the last deployment; `any` when at least one was written.
pub(super) fn end(run: Run, totals: &Totals, any: bool) -> String {
    let warnings: Vec<String> = totals
        .caveats
        .iter()
        .chain(&totals.warnings)
        .cloned()
        .collect();
    let skeleton = skeleton(run, &warnings, &totals.summary);
    let (_, after) = split_at_array(&skeleton, MARKER);
    format!("{}{after}", if any { "\n  ]" } else { "]" })
}

/// One deployment as an item of the `deployments` array. Typed structs all the way down: no
/// intermediate `Value` tree.
pub(super) fn deployment(run: Run, d: &Audited) -> String {
    let deployment = Deployment {
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
        summary: summarize(d.findings.iter(), run.fail_on),
    };
    indented_item(
        &serde_json::to_string_pretty(&deployment).unwrap_or_default(),
        4,
    )
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
