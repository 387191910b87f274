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
pub struct Fixture {
    pub cases: Vec<Case>,
}

#[derive(Deserialize)]
pub struct Case {
    pub name: String,
    /// Paths the rule must report, exactly; empty = the rule must stay silent.
    pub expect: Vec<String>,
    pub config: String,
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    /// An identity schema written next to the config as `identity.schema.json`.
    #[serde(default)]
    pub schema: Option<String>,
    /// The config after applying this rule's fixes (unsafe ones included) to `config`.
    #[serde(default)]
    pub fixed: Option<String>,
    /// Severity every reported finding must have.
    #[serde(default)]
    severity: Option<String>,
    /// The fix class every reported finding must have here (`safe`, `unsafe`, `manual`, or
    /// `none` for a finding with nothing to change).
    #[serde(default)]
    applicability: Option<String>,
    /// The config is an Ory Helm chart values file (`--helm-values`).
    #[serde(default)]
    helm: bool,
    /// A docker compose file written beside the config as `compose.yaml`: the deployment is
    /// its Kratos service (its `-c` must name `/etc/config/kratos/kratos.yml`, mounted from `.`).
    #[serde(default)]
    pub compose: Option<String>,
    /// The compose file after this rule's fixes.
    #[serde(default)]
    fixed_compose: Option<String>,
    /// Phrases each of which some finding's message, fix summary or breaks text must contain.
    #[serde(default)]
    says: Vec<String>,
}

/// A loaded case: the folder its files live in (kept alive), the deployment, profile, version.
pub struct Loaded {
    pub _dir: tempfile::TempDir,
    pub deployment: Deployment,
    pub profile: Profile,
    pub version: Option<KratosVersion>,
}

/// Writes a case's files to a temporary folder and loads it.
pub fn load_case(case: &Case) -> Result<Loaded, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    if let Some(schema) = &case.schema {
        std::fs::write(dir.path().join("identity.schema.json"), schema)
            .map_err(|e| e.to_string())?;
    }
    let path: PathBuf = dir.path().join("kratos.yml");
    let files = vec![(path.clone(), "kratos.yml".into(), case.config.clone())];
    let deployment = if let Some(compose) = &case.compose {
        std::fs::write(&path, &case.config).map_err(|e| e.to_string())?;
        let file = dir.path().join("compose.yaml");
        std::fs::write(&file, compose).map_err(|e| e.to_string())?;
        kratos_harden::config::compose::service(&file, None)
            .and_then(|service| kratos_harden::config::compose::load(&service))
    } else if case.helm {
        Deployment::from_helm_values(files)
    } else {
        Deployment::from_texts(files)
    }
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
    Ok(Loaded {
        _dir: dir,
        deployment,
        profile,
        version,
    })
}

/// Every fixture file, as `(rule id, fixture)`.
pub fn fixtures() -> Vec<(&'static str, Result<Fixture, String>)> {
    RULES
        .iter()
        .map(|rule| {
            let id = rule.meta().id;
            let file = root().join("tests/rules").join(format!("{id}.yml"));
            let fixture = std::fs::read_to_string(&file)
                .map_err(|_| format!("no fixture file {}", file.display()))
                .and_then(|text| {
                    serde_saphyr::from_str(&text)
                        .map_err(|e| format!("fixture does not parse: {e}"))
                });
            (id, fixture)
        })
        .collect()
}

/// Applies only rule `id`'s fixes (unsafe included) and compares with `fixed`.
fn check_fixed(id: &str, case: &Case, loaded: &Loaded) -> Result<(), String> {
    if case.fixed.is_none() && case.fixed_compose.is_none() {
        return Ok(());
    }
    let options = kratos_harden::harden::Options {
        profile: loaded.profile,
        version: loaded.version,
        selection: kratos_harden::fix::Selection {
            unsafe_fixes: true,
            only: vec![id.to_owned()],
            skip: Vec::new(),
        },
        answers: None,
    };
    let mut rng = kratos_harden::secret::OsSecrets;
    let mut env = kratos_harden::fix::FixEnv::new(&mut rng, kratos_harden::fix::SecretsTo::Inline);
    let outcome = kratos_harden::harden::run(&loaded.deployment, &options, &mut env)
        .map_err(|e| format!("fix failed: {e}"))?;
    let text_of = |kind: kratos_harden::config::SourceKind, unchanged: &str| {
        loaded
            .deployment
            .sources
            .iter()
            .position(|s| s.kind == kind)
            .and_then(|i| outcome.changes.iter().find(|c| usize::from(c.file) == i))
            .map_or_else(|| unchanged.to_owned(), |c| c.after.clone())
    };
    if let (Some(want), Some(compose)) = (&case.fixed_compose, &case.compose) {
        let got = text_of(kratos_harden::config::SourceKind::Compose, compose);
        if got != *want {
            return Err(format!(
                "fixed compose file differs:\n--- got ---\n{got}--- want ---\n{want}"
            ));
        }
    }
    let after = text_of(
        if case.helm {
            kratos_harden::config::SourceKind::HelmValues
        } else {
            kratos_harden::config::SourceKind::Config
        },
        &case.config,
    );
    if let Some(fixed) = &case.fixed
        && after != *fixed
    {
        return Err(format!(
            "fixed text differs:\n--- got ---\n{after}--- want ---\n{fixed}"
        ));
    }
    Ok(())
}

fn run_case(id: &str, case: &Case) -> Result<(), String> {
    let loaded = load_case(case)?;
    check_fixed(id, case, &loaded)?;
    let cx = Context::new(&loaded.deployment, loaded.profile, loaded.version);
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
    if let Some(want) = &case.applicability {
        for f in &findings {
            let got = f.fix.as_ref().map_or("none", |x| x.applicability.as_str());
            if got != want {
                return Err(format!("expected a {want} fix at {}, got {got}", f.path));
            }
        }
    }
    for phrase in &case.says {
        let said = findings.iter().any(|f| {
            let summary = f.fix.as_ref().map_or("", |x| x.summary.as_ref());
            [f.message.as_str(), summary, f.breaks()]
                .iter()
                .any(|t| t.contains(phrase.as_str()))
        });
        if !said {
            let texts: Vec<String> = findings
                .iter()
                .map(|f| {
                    format!(
                        "{} / {:?} / {}",
                        f.message,
                        f.fix.as_ref().map(|x| &x.summary),
                        f.breaks()
                    )
                })
                .collect();
            return Err(format!("no finding says {phrase:?}: {texts:?}"));
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
    for (id, fixture) in fixtures() {
        if !only.is_empty() && !only.iter().any(|p| id.starts_with(p.as_str())) {
            continue;
        }
        let fixture = match fixture {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("{id}: {e}"));
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
