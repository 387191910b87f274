//! The JSON format (documented in the README): stable, versioned documents for CI pipelines.
//! `audit`'s is streamed a deployment at a time, each piece serialized by serde where the
//! whole document would put it ([`Pretty`]); suppressed findings are kept with
//! `suppressed: true`. `apply`'s is one document: operations with masked values, manual
//! fixes, the diff.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter as _;
use serde_json::{Value, json};

use super::pretty::Pretty;
use super::{Applied, Audited, Reporter, Run, Summary, Totals, summarize};
use crate::config::Deployment as Config;
use crate::diff;
use crate::finding::Finding;
use crate::mask::Masker;
use crate::patch::Op;

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
    /// `config`, `helm` or `compose`.
    kind: &'static str,
    /// The compose service, for a compose deployment.
    #[serde(skip_serializing_if = "Option::is_none")]
    service: Option<&'a str>,
    files: Vec<File<'a>>,
    kratos_version: crate::config::KratosVersion,
    findings: Vec<Out<'a>>,
    summary: Summary,
}

/// The JSON format.
pub struct Json;

impl Reporter for Json {
    /// The members before `deployments`, then its `[` (the document's top object open).
    fn head(&self, run: &Run, out: &mut dyn Write) -> io::Result<()> {
        let tool = Tool {
            name: "kratos-harden",
            version: env!("CARGO_PKG_VERSION"),
        };
        let mut doc = Pretty::at(0, false);
        doc.begin_object(out)?;
        doc.member(out, true, "format_version", &FORMAT_VERSION)?;
        doc.member(out, false, "tool", &tool)?;
        doc.member(out, false, "profile", &run.profile)?;
        doc.member(out, false, "fail_on", &run.fail_on)?;
        doc.key(out, false, "deployments")?;
        doc.begin_array(out)
    }

    fn separator(&self) -> &'static [u8] {
        b","
    }

    /// One deployment as an item of the `deployments` array. Typed structs all the way
    /// down: no intermediate `Value` tree.
    fn deployment(&self, run: &Run, d: &Audited, out: &mut dyn Write) -> io::Result<()> {
        let deployment = Deployment {
            kind: d.kind(),
            service: d.service.as_deref(),
            files: d
                .sources
                .iter()
                .map(|s| File {
                    path: &s.display,
                    kind: s.kind.as_str(),
                })
                .collect(),
            kratos_version: d.version,
            findings: d.findings.iter().map(|f| out_of(d, f)).collect(),
            summary: summarize(d.findings.iter(), run.fail_on),
        };
        // The first item: the writer puts the separator before every other.
        Pretty::at(2, false).item(out, true, &deployment)
    }

    /// `]` of `deployments`, the warnings (caveats first) and the totals.
    fn end(&self, _run: &Run, totals: &Totals, any: bool, out: &mut dyn Write) -> io::Result<()> {
        let warnings: Vec<&String> = totals.caveats.iter().chain(&totals.warnings).collect();
        let mut doc = Pretty::at(2, any);
        doc.end_array(out)?;
        doc.end_object_value(out)?;
        doc.member(out, false, "warnings", &warnings)?;
        doc.member(out, false, "summary", &totals.summary)?;
        doc.end_object(out)?;
        out.write_all(b"\n")
    }

    fn apply(&self, applied: &Applied<'_>, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &apply(applied))?;
        out.write_all(b"\n")
    }
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

fn out_of<'a>(d: &'a Audited, f: &'a Finding) -> Out<'a> {
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

/// One operation with its old and new values as JSON text, secrets masked.
fn op_json(op: &Op, deployment: &Config, masker: &Masker) -> Value {
    let (action, value) = match op {
        Op::Set { value, .. } => ("set", Some(value)),
        Op::Prepend { value, .. } => ("prepend", Some(value)),
        Op::Remove { .. } => ("remove", None),
    };
    let old = deployment
        .root
        .get(op.path())
        .map(|n| masker.apply(&n.to_json().to_string()));
    let new = value.map(|v| masker.apply(&v.to_string()));
    json!({ "path": op.path(), "action": action, "old": old, "new": new })
}

/// `apply`'s document (its shape is in the README).
fn apply(a: &Applied<'_>) -> Value {
    let (deployment, outcome, masker) = (a.deployment, a.outcome, a.masker);
    let finding = |i: usize| &outcome.findings[i];
    json!({
        "format_version": 1,
        "dry_run": a.planned_only(),
        "applied": outcome.plan.applied.iter().map(|(i, ops)| json!({
            "rule": finding(*i).rule.id,
            "path": finding(*i).path,
            "edited": outcome.edited.contains(i),
            "operations": ops.iter().map(|op| op_json(op, deployment, masker)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "manual": outcome.plan.manual.iter().map(|(i, why)| json!({
            "rule": finding(*i).rule.id, "path": finding(*i).path, "reason": masker.apply(why),
        })).collect::<Vec<_>>(),
        "unsafe_skipped": outcome.plan.unsafe_skipped.iter().map(|i| json!({
            "rule": finding(*i).rule.id,
            "path": finding(*i).path,
            "summary": finding(*i).fix.as_ref().map(|f| f.summary.to_string()),
        })).collect::<Vec<_>>(),
        "generated": outcome.generated.iter().map(|(path, s)| json!({
            "path": path,
            "value": if a.show_secrets { s.expose().to_owned() } else { s.masked() },
        })).collect::<Vec<_>>(),
        "moved": outcome.moved.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "files": a.diffs.iter().map(|(name, lines)| json!({
            "path": name,
            "diff": diff::unified(lines, false),
        })).collect::<Vec<_>>(),
        "written": a.written,
        "warnings": outcome.notes,
        "added_findings": outcome.added.iter().map(|f| json!({
            "rule": f.rule.id, "path": f.path, "severity": f.severity, "message": masker.apply(&f.message),
        })).collect::<Vec<_>>(),
        "config_files": deployment.sources.iter().map(|s| &s.display).collect::<Vec<_>>(),
    })
}
