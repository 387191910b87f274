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
    doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or("").to_owned())
        .collect()
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
