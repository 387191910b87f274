//! Runs each rule's fixture file: `tests/rules/<ID>.yml` holds cases, each a small config (and
//! optionally an identity schema) with the exact set of paths the rule must report. Every rule
//! needs at least one case where it fires and one where it stays silent.

use std::collections::BTreeSet;
use std::path::PathBuf;

use kratos_harden::config::{Deployment, KratosVersion};
use kratos_harden::rules::{Context, Profile, RULES, check_all};
use serde::Deserialize;

use crate::common::root;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    /// Paths the rule must report, exactly; empty = the rule must stay silent.
    expect: Vec<String>,
    config: String,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    version: Option<String>,
    /// An identity schema written next to the config as `identity.schema.json`.
    #[serde(default)]
    schema: Option<String>,
    /// Severity every reported finding must have.
    #[serde(default)]
    severity: Option<String>,
}

fn run_case(id: &str, case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    if let Some(schema) = &case.schema {
        std::fs::write(dir.path().join("identity.schema.json"), schema)
            .map_err(|e| e.to_string())?;
    }
    let path: PathBuf = dir.path().join("kratos.yml");
    let deployment = Deployment::from_texts(vec![(path, "kratos.yml".into(), case.config.clone())])
        .map_err(|e| format!("config does not load: {e}"))?;
    let profile = match case.profile.as_deref() {
        Some("development") => Profile::Development,
        _ => Profile::Production,
    };
    let version = match case.version.as_deref() {
        Some("v26") => Some(KratosVersion::V26),
        Some("v1") => Some(KratosVersion::V1),
        _ => None,
    };
    let cx = Context::new(&deployment, profile, version);
    let findings: Vec<_> = check_all(&cx)
        .into_iter()
        .filter(|f| f.rule.id == id)
        .collect();
    let got: BTreeSet<&str> = findings.iter().map(|f| f.path.as_str()).collect();
    let want: BTreeSet<&str> = case.expect.iter().map(String::as_str).collect();
    if got != want {
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        return Err(format!("expected {want:?}, got {got:?} ({messages:?})"));
    }
    if let Some(severity) = &case.severity {
        for f in &findings {
            if f.severity.as_str() != severity {
                return Err(format!(
                    "expected severity {severity}, got {}",
                    f.severity.as_str()
                ));
            }
        }
    }
    for f in &findings {
        if f.message.is_empty() {
            return Err("empty message".into());
        }
    }
    Ok(())
}

#[test]
fn every_rule_has_fixtures_that_pass() {
    // `KH_RULES=KH205,KH3` narrows the run to ids with these prefixes while writing fixtures.
    let only: Vec<String> = std::env::var("KH_RULES")
        .map(|v| v.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let mut failures = Vec::new();
    for rule in RULES {
        let id = rule.meta().id;
        if !only.is_empty() && !only.iter().any(|p| id.starts_with(p.as_str())) {
            continue;
        }
        let file = root().join("tests/rules").join(format!("{id}.yml"));
        let Ok(text) = std::fs::read_to_string(&file) else {
            failures.push(format!("{id}: no fixture file {}", file.display()));
            continue;
        };
        let fixture: Fixture = match serde_saphyr::from_str(&text) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{id}: fixture does not parse: {e}"));
                continue;
            }
        };
        if !fixture.cases.iter().any(|c| !c.expect.is_empty()) {
            failures.push(format!("{id}: no case where the rule fires"));
        }
        if !fixture.cases.iter().any(|c| c.expect.is_empty()) {
            failures.push(format!("{id}: no case where the rule stays silent"));
        }
        for case in &fixture.cases {
            if let Err(e) = run_case(id, case) {
                failures.push(format!("{id} / {}: {e}", case.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
