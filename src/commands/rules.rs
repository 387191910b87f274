//! `kratos-harden rules` (the catalog) and `kratos-harden explain ID` (one rule in full).

use std::fmt::Write as _;

use super::print;
use crate::cli::{ExplainArgs, RulesArgs, RulesFormat};
use crate::rules::{self, RULES, RuleMeta, Versions};

/// Prints the catalog.
pub fn list(args: &RulesArgs) -> anyhow::Result<u8> {
    let text = match args.format {
        RulesFormat::Json => {
            let metas: Vec<&RuleMeta> = RULES.iter().map(|r| r.meta()).collect();
            let mut text = serde_json::to_string_pretty(&metas)?;
            text.push('\n');
            text
        }
        RulesFormat::Text => {
            let mut out = String::new();
            for rule in RULES {
                let m = rule.meta();
                let _ = writeln!(
                    out,
                    "{:<6} {:<9} {:<19} {:<7} {:<42} {}",
                    m.id,
                    m.severity.as_str(),
                    m.threat.as_str(),
                    m.fix.applicability.as_str(),
                    m.name,
                    m.title
                );
            }
            let _ = writeln!(
                out,
                "\n{} rules. `kratos-harden explain <ID>` prints one in full.",
                RULES.len()
            );
            out
        }
    };
    print(&text)?;
    Ok(0)
}

/// Prints one rule in full.
pub fn explain(args: &ExplainArgs) -> anyhow::Result<u8> {
    let Some(m) = rules::find(&args.rule) else {
        let needle = args.rule.to_ascii_lowercase();
        let close: Vec<&str> = RULES
            .iter()
            .map(|r| r.meta())
            .filter(|m| m.name.contains(&needle) || m.id.to_ascii_lowercase().starts_with(&needle))
            .map(|m| m.id)
            .take(5)
            .collect();
        let hint = if close.is_empty() {
            "`kratos-harden rules` lists them".to_owned()
        } else {
            format!("did you mean {}?", close.join(", "))
        };
        anyhow::bail!("no rule '{}'; {hint}", args.rule);
    };
    print(&render(m))?;
    Ok(0)
}

/// The full text of one rule.
#[must_use]
pub fn render(m: &RuleMeta) -> String {
    let mut out = String::new();
    let versions = match m.versions {
        Versions::All => "every Kratos version",
        Versions::V1Only => "Kratos v1.x only",
        Versions::V26Only => "Kratos v25/v26 and later only",
    };
    let profiles = if m.production_only {
        "production profile only"
    } else {
        "production and development profiles"
    };
    let _ = writeln!(out, "{} {}: {}", m.id, m.name, m.title);
    let _ = writeln!(
        out,
        "Threat: {} · Severity: {} · Fix: {} · Applies to: {versions}, {profiles}",
        m.threat.as_str(),
        m.severity.as_str(),
        m.fix.applicability.as_str()
    );
    section(&mut out, "Why it matters", m.rationale);
    section(&mut out, "What may break when it is fixed", m.breaks);
    section(
        &mut out,
        &format!("Fix ({})", m.fix.applicability.as_str()),
        m.fix.summary,
    );
    let _ = writeln!(out, "\nReferences");
    for r in m.references {
        let _ = writeln!(out, "  - {r}");
    }
    out
}

fn section(out: &mut String, title: &str, body: &str) {
    let _ = writeln!(out, "\n{title}");
    let mut line = String::from(" ");
    for word in body.split_whitespace() {
        if line.len() + word.len() + 1 > 92 {
            let _ = writeln!(out, "{line}");
            line = String::from(" ");
        }
        line.push(' ');
        line.push_str(word);
    }
    let _ = writeln!(out, "{line}");
}
