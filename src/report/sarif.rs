//! SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps): the whole rule
//! catalog as `tool.driver.rules` (with `helpUri`), one result per finding with a physical
//! location (a region when the key exists) and the config path as a logical location.

use serde_json::{Value, json};

use super::{Audited, indented_item, split_at_array};
use crate::rules::{RULES, RuleMeta, Severity};

/// The empty results array in the pretty-printed log.
const MARKER: &str = "\"results\": []";

/// The log with no results, as serde prints it (the catalog does not depend on the run).
fn skeleton() -> String {
    let rules: Vec<Value> = RULES.iter().map(|r| rule(r.meta())).collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "kratos-harden",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://www.ory.sh/docs/kratos/guides/production",
                "rules": rules,
            }},
            "results": [],
            "columnKind": "unicodeCodePoints",
        }],
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Everything before the first result: the tool and the whole rule catalog.
pub(super) fn head() -> String {
    let skeleton = skeleton();
    let (before, _) = split_at_array(&skeleton, MARKER);
    format!("{before}\"results\": [")
}

/// Everything after the last result; `any` when at least one was written.
pub(super) fn end(any: bool) -> String {
    let skeleton = skeleton();
    let (_, after) = split_at_array(&skeleton, MARKER);
    format!("{}{after}", if any { "\n      ]" } else { "]" })
}

/// One deployment's findings as items of the `results` array (empty without findings).
pub(super) fn results(d: &Audited) -> String {
    let items: Vec<String> = d
        .findings
        .iter()
        .map(|f| {
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
            indented_item(
                &serde_json::to_string_pretty(&result).unwrap_or_default(),
                8,
            )
        })
        .collect();
    items.join(",")
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
