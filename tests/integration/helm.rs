//! `audit --helm-values`: the Ory Helm chart's values as a deployment (config under
//! `kratos.config`, secrets the chart generates, `kratos.development`, `extraEnv`, cleanup).

use serde_json::Value;

use crate::common::{bin, shared, skip, write};

fn audit_json(args: &[&std::path::Path]) -> Value {
    let mut cmd = bin();
    cmd.args(["audit", "--format", "json", "--fail-on", "none"]);
    for path in args {
        cmd.arg("--helm-values").arg(path);
    }
    let out = cmd.output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn rules(doc: &Value) -> Vec<String> {
    crate::common::rule_ids(doc)
}

/// `apply --helm-values values` with `args`, which must succeed.
fn apply_values(values: &std::path::Path, args: &[&str]) {
    let out = bin()
        .arg("apply")
        .args(args)
        .arg("--helm-values")
        .arg(values)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Secrets missing or not set (KH201–KH203) are false alarms when the chart generates them.
const MISSING_SECRET: [&str; 3] = ["KH201", "KH202", "KH203"];

#[test]
fn the_chart_values_do_not_report_secrets_the_chart_generates() {
    let Some(kratos) = shared() else {
        skip("../shared/kratos is not present; the Helm values test did not run");
        return;
    };
    let values = kratos.join("corpus/08-ory-k8s-helm-kratos-values.yaml");
    let doc = audit_json(&[&values]);
    let found = rules(&doc);
    for id in MISSING_SECRET {
        assert!(
            !found.contains(&id.to_owned()),
            "{id} is a false alarm: {found:?}"
        );
    }
    assert!(
        found.contains(&"KH303".to_owned()),
        "cleanup is off by default in the chart"
    );

    // A second values file pinning the quickstart placeholder: found, in that file.
    let dir = tempfile::tempdir().unwrap();
    let pinned = write(
        dir.path(),
        "prod.yaml",
        "kratos:\n  config:\n    secrets:\n      cookie:\n        - PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\ncleanup:\n  enabled: true\n",
    );
    let doc = audit_json(&[&values, &pinned]);
    let findings = doc["deployments"][0]["findings"].as_array().unwrap();
    let placeholder = findings
        .iter()
        .find(|f| f["rule"] == "KH205")
        .expect("placeholder found");
    assert_eq!(placeholder["source"]["kind"], "helm");
    assert_eq!(placeholder["line"], 5);
    assert!(placeholder["file"].as_str().unwrap().ends_with("prod.yaml"));
    assert!(
        !rules(&doc).contains(&"KH303".to_owned()),
        "cleanup.enabled schedules it"
    );
}

#[test]
fn development_extra_env_and_positions_come_from_the_values_file() {
    let dir = tempfile::tempdir().unwrap();
    let values = write(
        dir.path(),
        "values.yaml",
        "kratos:\n  development: true\n  config:\n    serve:\n      public:\n        base_url: https://auth.acme.io/\ndeployment:\n  extraEnv:\n    - name: LOG_LEAK_SENSITIVE_VALUES\n      value: \"true\"\n    - name: DSN\n      valueFrom:\n        secretKeyRef: {name: kratos, key: dsn}\n",
    );
    let doc = audit_json(&[&values]);
    let findings = doc["deployments"][0]["findings"].as_array().unwrap();
    let by_rule = |id: &str| {
        findings
            .iter()
            .find(|f| f["rule"] == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    assert_eq!(by_rule("KH230")["line"], 2, "kratos.development adds --dev");
    assert_eq!(by_rule("KH250")["line"], 10, "the extraEnv value");
    assert_eq!(by_rule("KH250")["source"]["kind"], "helm");
    for id in MISSING_SECRET {
        assert!(!findings.iter().any(|f| f["rule"] == id), "{id}");
    }
    // Without the chart's secret, the pods read an operator-made Secret: still not missing.
    let external = write(
        dir.path(),
        "external.yaml",
        "secret:\n  enabled: false\n  nameOverride: mine\n",
    );
    let doc = audit_json(&[&values, &external]);
    for id in MISSING_SECRET {
        assert!(!rules(&doc).contains(&id.to_owned()), "{id}");
    }
    // The same file given with -c is judged as a plain config, with a caveat naming the flag.
    let out = bin()
        .args(["audit", "--fail-on", "none", "-c"])
        .arg(&values)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--helm-values"), "{text}");
}

fn finding<'a>(doc: &'a Value, id: &str) -> Vec<&'a Value> {
    doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == id)
        .collect()
}

/// The chart fills empty secrets with `randAlphaNum 32` in a `pre-install, pre-upgrade` hook:
/// KH213 on each upgrade-regenerated secret, gone when the hook keeps the Secret made at
/// install or when the operator brings their own Secret.
#[test]
fn secrets_the_chart_regenerates_on_upgrade_are_high_findings() {
    let dir = tempfile::tempdir().unwrap();
    let base = "kratos:\n  config:\n    secrets:\n      cipher: [Zk3Qw9Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp0Ya]\n    serve:\n      public:\n        base_url: https://auth.acme.io/\n";
    let values = write(dir.path(), "values.yaml", base);
    let doc = audit_json(&[&values]);
    let paths: Vec<&str> = finding(&doc, "KH213")
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["secrets.default", "secrets.cookie"],
        "cipher is set"
    );
    assert!(
        finding(&doc, "KH213")
            .iter()
            .all(|f| f["severity"] == "high")
    );
    // Inline secrets in values are KH210, as in a config file.
    assert_eq!(finding(&doc, "KH210").len(), 1);

    let keep = write(
        dir.path(),
        "keep.yaml",
        "secret:\n  secretAnnotations:\n    helm.sh/hook: \"pre-install\"\n",
    );
    assert!(finding(&audit_json(&[&values, &keep]), "KH213").is_empty());
    let both = write(
        dir.path(),
        "both.yaml",
        "secret:\n  secretAnnotations:\n    helm.sh/hook: \"pre-install,pre-upgrade\"\n",
    );
    assert_eq!(finding(&audit_json(&[&values, &both]), "KH213").len(), 2);
    // No hook annotations at all: a release resource, rendered anew on every upgrade.
    let plain = write(
        dir.path(),
        "plain.yaml",
        "secret:\n  enableDefaultAnnotations: false\n",
    );
    assert_eq!(finding(&audit_json(&[&values, &plain]), "KH213").len(), 2);
    let own = write(dir.path(), "own.yaml", "secret:\n  enabled: false\n");
    assert!(finding(&audit_json(&[&values, &own]), "KH213").is_empty());
}

/// Under the chart the kubelet probes the admin port: never loopback, manual advice instead.
#[test]
fn the_admin_host_is_never_bound_to_loopback_under_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let text = "kratos:\n  config:\n    serve:\n      admin:\n        port: 4434\n      public:\n        base_url: https://auth.acme.io/\n";
    let values = write(dir.path(), "values.yaml", text);
    let doc = audit_json(&[&values]);
    let admin = finding(&doc, "KH231");
    assert_eq!(admin.len(), 1);
    assert_eq!(admin[0]["fix"]["applicability"], "manual");
    let summary = admin[0]["fix"]["summary"].as_str().unwrap();
    assert!(
        summary.contains("NetworkPolicy") && summary.contains("probes"),
        "{summary}"
    );
    apply_values(&values, &["--unsafe-fixes", "--only", "KH231"]);
    assert_eq!(std::fs::read_to_string(&values).unwrap(), text);
}

/// An umbrella chart nests the Kratos chart under its alias: read and fixed there, and the
/// report says which subtree it read. Values with no Kratos config are an error, not an
/// audit of an empty tree.
#[test]
fn umbrella_values_are_read_at_the_alias_and_empty_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = "global:\n  domain: acme.io\nidentity:\n  kratos:\n    config:\n      log:\n        leak_sensitive_values: true\n";
    let values = write(dir.path(), "values.yaml", text);
    let doc = audit_json(&[&values]);
    assert_eq!(finding(&doc, "KH250").len(), 1);
    let warnings = doc["warnings"].to_string();
    assert!(warnings.contains("`identity.kratos.config`"), "{warnings}");
    apply_values(&values, &["--only", "KH250"]);
    assert_eq!(
        std::fs::read_to_string(&values).unwrap(),
        text.replace(
            "leak_sensitive_values: true",
            "leak_sensitive_values: false"
        )
    );

    let empty = write(dir.path(), "empty.yaml", "image:\n  tag: v1.3.1\n");
    for command in ["audit", "apply"] {
        let out = bin()
            .args([command, "--helm-values"])
            .arg(&empty)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("no Kratos config in these Helm values"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty(), "{command}: nothing reported");
    }
    assert_eq!(
        std::fs::read_to_string(&empty).unwrap(),
        "image:\n  tag: v1.3.1\n"
    );
}
