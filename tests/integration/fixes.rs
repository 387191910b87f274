//! Fixes reach a fixpoint in one run and add nothing: after `apply --unsafe-fixes`, the proof
//! refuses no decision and finds no new finding, auditing the result leaves nothing with a
//! safe or unsafe fix that is not reported as manual, and a second run changes nothing. Checked on every rule fixture case, the demo and the corpus; on the corpus every
//! comment line of the input must also still be there. `audit`'s fixable counts are what
//! `apply` and `apply --unsafe-fixes` then fix, in the library and through the binary.

use kratos_harden::config::Deployment;
use kratos_harden::fix::{FixEnv, SecretsTo, Selection};
use kratos_harden::harden::{self, Options};
use kratos_harden::rules::Profile;
use kratos_harden::secret::OsSecrets;

use crate::common::{bin, shared, skip};
use crate::rules::{fixtures, load_case};

fn options(profile: Profile, version: Option<kratos_harden::config::KratosVersion>) -> Options {
    Options {
        profile,
        version,
        selection: Selection {
            unsafe_fixes: true,
            ..Selection::default()
        },
        answers: None,
    }
}

/// Runs twice; returns a description of what is wrong, if anything.
fn fixpoint(deployment: &Deployment, options: &Options) -> Result<harden::Outcome, String> {
    let mut rng = OsSecrets;
    let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
    let mut first =
        harden::run(deployment, options, &mut env).map_err(|e| format!("first run: {e}"))?;
    harden::prove(deployment, options, &mut first).map_err(|e| format!("proof: {e}"))?;
    let refused: Vec<String> = first
        .plan
        .manual
        .iter()
        .filter(|(_, why)| why.starts_with("not applied: the result would add"))
        .map(|(i, why)| {
            format!(
                "{} at {}: {why}",
                first.findings[*i].rule.id, first.findings[*i].path
            )
        })
        .collect();
    if !refused.is_empty() || !first.added.is_empty() {
        let added: Vec<String> = first
            .added
            .iter()
            .map(|f| format!("{} at {}", f.rule.id, f.path))
            .collect();
        return Err(format!(
            "fixes add findings: refused {refused:?}, added {added:?}"
        ));
    }
    let after = harden::reload(deployment, &first.changes)
        .map_err(|e| format!("result does not load: {e}"))?;
    let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
    let second = harden::run(&after, options, &mut env).map_err(|e| format!("second run: {e}"))?;
    if !second.changes.is_empty() || !second.plan.applied.is_empty() {
        let left: Vec<String> = second
            .plan
            .applied
            .iter()
            .map(|(i, ops)| {
                format!(
                    "{} at {} ({} ops)",
                    second.findings[*i].rule.id,
                    second.findings[*i].path,
                    ops.len()
                )
            })
            .collect();
        return Err(format!("a second run still fixes: {left:?}"));
    }
    Ok(first)
}

#[test]
fn every_fixture_case_reaches_a_fixpoint() {
    let mut failures = Vec::new();
    for (id, fixture) in fixtures() {
        let Ok(fixture) = fixture else { continue };
        for case in &fixture.cases {
            let loaded = match load_case(case) {
                Ok(l) => l,
                Err(e) => {
                    failures.push(format!("{id} / {}: {e}", case.name));
                    continue;
                }
            };
            if let Err(e) = fixpoint(&loaded.deployment, &options(loaded.profile, loaded.version)) {
                failures.push(format!("{id} / {}: {e}", case.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_demo_reaches_a_fixpoint_and_changes_something() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = kratos_harden::demo::materialize(dir.path()).expect("demo");
    let deployment = Deployment::load(&[path]).expect("loads");
    let outcome = fixpoint(&deployment, &options(Profile::Production, None))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!outcome.changes.is_empty());
    assert!(
        !outcome.generated.is_empty(),
        "the demo's placeholder secrets are replaced"
    );
}

#[test]
fn corpus_files_reach_a_fixpoint_and_keep_their_comments() {
    let Some(kratos) = shared() else {
        skip("../shared/kratos/corpus is not present; the corpus fix test did not run");
        return;
    };
    let mut failures = Vec::new();
    for (name, path) in corpus_configs(&kratos) {
        let deployment = Deployment::load(std::slice::from_ref(&path)).expect("loads");
        match fixpoint(&deployment, &options(Profile::Production, None)) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok(outcome) => {
                for change in &outcome.changes {
                    for line in change
                        .before
                        .lines()
                        .filter(|l| l.trim_start().starts_with('#'))
                    {
                        if !change.after.lines().any(|l| l == line) {
                            failures.push(format!("{name}: comment line lost: {line}"));
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The corpus's config files (identity schemas and notes left out), with their names.
fn corpus_configs(kratos: &std::path::Path) -> Vec<(String, std::path::PathBuf)> {
    let mut configs = Vec::new();
    for entry in std::fs::read_dir(kratos.join("corpus")).expect("corpus") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let markdown = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"));
        if !name.starts_with("id-") && !markdown {
            configs.push((name, path));
        }
    }
    configs.sort();
    configs
}

/// What `audit` attaches to each finding is what `apply --unsafe-fixes` then does with it: an
/// automatic fix (safe or unsafe, as the finding says) is applied, a manual one is left to the
/// operator with the same reason. Returns the mismatches.
fn audit_matches_apply(deployment: &Deployment, options: &Options) -> Vec<String> {
    let cx = kratos_harden::rules::Context::new(deployment, options.profile, options.version);
    let mut audited = kratos_harden::rules::check_all(&cx);
    harden::attach_fixes(deployment, &cx, &mut audited).expect("plans");
    let mut rng = OsSecrets;
    let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
    let mut outcome = harden::run(deployment, options, &mut env).expect("runs");
    harden::prove(deployment, options, &mut outcome).expect("proves");
    let mut wrong = Vec::new();
    for (index, finding) in audited.iter().enumerate() {
        let Some(fix) = &finding.fix else { continue };
        let applied = outcome.plan.applied.iter().any(|(i, _)| *i == index);
        let manual = outcome.plan.manual.iter().find(|(i, _)| *i == index);
        let said = fix.applicability.as_str();
        let did = match (applied, manual) {
            (true, _) => "applied",
            (false, Some((_, why))) if *why == fix.summary => "manual",
            (false, Some((_, why))) => {
                wrong.push(format!(
                    "{} at {}: audit says `{}`, apply says `{why}`",
                    finding.rule.id, finding.path, fix.summary
                ));
                continue;
            }
            (false, None) => "nothing",
        };
        let agrees = matches!(
            (said, did),
            ("safe" | "unsafe", "applied") | ("manual", "manual")
        );
        if !agrees {
            wrong.push(format!(
                "{} at {}: audit says {said}, apply did {did}",
                finding.rule.id, finding.path
            ));
        }
    }
    wrong
}

#[test]
fn audit_tells_per_finding_what_apply_does() {
    let mut failures = Vec::new();
    for (id, fixture) in fixtures() {
        let Ok(fixture) = fixture else { continue };
        for case in &fixture.cases {
            let Ok(loaded) = load_case(case) else {
                continue;
            };
            let options = options(loaded.profile, loaded.version);
            for wrong in audit_matches_apply(&loaded.deployment, &options) {
                failures.push(format!("{id} / {}: {wrong}", case.name));
            }
        }
    }
    if let Some(kratos) = shared() {
        for (name, path) in corpus_configs(&kratos) {
            let deployment = Deployment::load(std::slice::from_ref(&path)).expect("loads");
            for wrong in audit_matches_apply(&deployment, &options(Profile::Production, None)) {
                failures.push(format!("{name}: {wrong}"));
            }
        }
    } else {
        skip("../shared/kratos/corpus is not present; audit-versus-apply ran on fixtures only");
    }
    assert!(
        failures.is_empty(),
        "{} mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `audit`'s counts against what `apply` (safe fixes) and `apply --unsafe-fixes` fix, each run
/// proved as `apply` proves it. Returns the mismatch, if any.
fn counts_match_apply(deployment: &Deployment, options: &Options) -> Option<String> {
    let cx = kratos_harden::rules::Context::new(deployment, options.profile, options.version);
    let mut audited = kratos_harden::rules::check_all(&cx);
    harden::attach_fixes(deployment, &cx, &mut audited).expect("plans");
    let counts = kratos_harden::report::summarize(audited.iter(), None);
    let fixed = |unsafe_fixes: bool| {
        let mut options = options.clone();
        options.selection.unsafe_fixes = unsafe_fixes;
        let mut rng = OsSecrets;
        let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
        let mut outcome = harden::run(deployment, &options, &mut env).expect("runs");
        harden::prove(deployment, &options, &mut outcome).expect("proves");
        outcome.plan.applied.len()
    };
    let (safe, all) = (fixed(false), fixed(true));
    let said = (counts.fixable_safe, counts.fixable_unsafe, counts.manual);
    let did = (safe, all - safe, audited.len() - all);
    (said != did)
        .then(|| format!("audit counts (safe, unsafe, manual) {said:?}, apply fixes {did:?}"))
}

#[test]
fn audit_counts_what_apply_fixes() {
    let mut failures = Vec::new();
    for (id, fixture) in fixtures() {
        let Ok(fixture) = fixture else { continue };
        for case in &fixture.cases {
            let Ok(loaded) = load_case(case) else {
                continue;
            };
            let options = options(loaded.profile, loaded.version);
            if let Some(wrong) = counts_match_apply(&loaded.deployment, &options) {
                failures.push(format!("{id} / {}: {wrong}", case.name));
            }
        }
    }
    if let Some(kratos) = shared() {
        for (name, path) in corpus_configs(&kratos) {
            let deployment = Deployment::load(std::slice::from_ref(&path)).expect("loads");
            if let Some(wrong) =
                counts_match_apply(&deployment, &options(Profile::Production, None))
            {
                failures.push(format!("{name}: {wrong}"));
            }
        }
    } else {
        skip(
            "../shared/kratos/corpus is not present; the fix counts were checked on fixtures only",
        );
    }
    assert!(
        failures.is_empty(),
        "{} mismatch(es):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Through the binary on the demo: the JSON summary's counts and the text's `[*]`/`[!]` marks
/// equal the fixes `apply --dry-run` and `apply --dry-run --unsafe-fixes` report.
#[test]
fn the_demo_counts_and_marks_match_apply() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = kratos_harden::demo::materialize(dir.path()).expect("demo");
    let json = |args: &[&str]| -> serde_json::Value {
        let out = bin().args(args).arg(&path).output().expect("runs");
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let audit = json(&["audit", "--format", "json", "-c"]);
    let safe = json(&["apply", "--dry-run", "--format", "json", "-c"]);
    let all = json(&[
        "apply",
        "--dry-run",
        "--unsafe-fixes",
        "--format",
        "json",
        "-c",
    ]);
    let applied = |doc: &serde_json::Value| doc["applied"].as_array().map_or(0, Vec::len);
    let summary = &audit["summary"];
    let total =
        summary["total"].as_u64().unwrap_or(0) + summary["suppressed"].as_u64().unwrap_or(0);
    let (safe, all) = (applied(&safe) as u64, applied(&all) as u64);
    assert!(
        safe > 0 && all > safe && total > all,
        "the demo has every kind"
    );
    assert_eq!(summary["fixable_safe"], safe);
    assert_eq!(summary["fixable_unsafe"], all - safe);
    assert_eq!(summary["manual"], total - all);
    let text = bin()
        .args(["audit", "--color", "never", "-c"])
        .arg(&path)
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&text.stdout);
    let marked = |mark: &str| text.lines().filter(|l| l.contains(mark)).count() as u64;
    assert_eq!(marked("[*] "), safe, "one line per safe fix\n{text}");
    assert_eq!(
        marked("[!] "),
        all - safe,
        "one line per unsafe fix\n{text}"
    );
    let line = format!(
        "Fixes: {safe} fixable with `apply` [*], {} more with `apply --unsafe-fixes` [!], {} manual.",
        all - safe,
        total - all
    );
    assert!(text.contains(&line), "{text}");
}
