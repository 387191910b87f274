//! `apply` when values come from an env file, a Helm values file or the process environment:
//! each fix edits the source of its value (only the lines it must), the result reads back, a
//! second run has nothing to do, and a process variable is left to the operator by name.

use std::os::unix::fs::PermissionsExt as _;

use crate::common::{bin, write};

const CONFIG: &str = "serve:\n  public:\n    base_url: https://auth.acme.io/\nlog:\n  level: info\n  leak_sensitive_values: false\nsecrets:\n  cookie:\n    - q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w\n";
const ENV: &str = "# deploy\r\nexport LOG_LEAK_SENSITIVE_VALUES=true\r\nSECRETS_COOKIE=\"q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w,PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\"\r\nDSN='postgres://kratos:Sup3r-Long-Database-Passw0rd@db:5432/kratos?sslmode=verify-full'\r\n";

fn changed_lines(before: &str, after: &str) -> Vec<usize> {
    let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    assert_eq!(b.len(), a.len(), "no line added or removed:\n{after}");
    (0..b.len())
        .filter(|i| b[*i] != a[*i])
        .map(|i| i + 1)
        .collect()
}

#[test]
fn a_fix_for_an_env_value_edits_that_line_of_the_env_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", CONFIG);
    let env = write(dir.path(), "kratos.env", ENV);
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o600)).unwrap();
    let apply = |extra: &[&str]| {
        bin()
            .args(["apply", "-c"])
            .arg(&config)
            .arg("--env-file")
            .arg(&env)
            .args(["--only", "KH250,KH205"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = apply(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("PLEASE-CHANGE-ME"),
        "the placeholder is masked in the diff"
    );
    let after = std::fs::read_to_string(&env).unwrap();
    assert_eq!(changed_lines(ENV, &after), [2, 3]);
    assert!(
        after.contains("export LOG_LEAK_SENSITIVE_VALUES=false\r\n"),
        "CRLF and export kept"
    );
    assert!(!after.contains("PLEASE-CHANGE-ME"));
    assert!(
        after.contains(",q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w\"\r\n"),
        "the old secret stays second"
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        CONFIG,
        "the config is untouched"
    );
    assert_eq!(
        std::fs::metadata(&env).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let backups = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("kratos.env.bak.")
        })
        .count();
    assert_eq!(backups, 1);
    // The result reads back clean, and a second run has nothing to do.
    assert_eq!(apply(&["--check"]).status.code(), Some(0));
    let audit = bin()
        .args(["audit", "--fail-on", "none", "--format", "json", "-c"])
        .arg(&config)
        .arg("--env-file")
        .arg(&env)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let ids: Vec<&str> = doc["deployments"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(
        !ids.contains(&"KH250") && !ids.contains(&"KH205"),
        "{ids:?}"
    );
}

#[test]
fn a_fix_for_a_helm_value_edits_kratos_config_in_the_values_file() {
    let dir = tempfile::tempdir().unwrap();
    let values_text = "# prod values\nimage:\n  tag: v1.3.1\nkratos:\n  config:\n    log:\n      leak_sensitive_values: true   # debugging, remove\n    serve:\n      public:\n        base_url: https://auth.acme.io/\ncleanup:\n  enabled: true\n";
    let values = write(dir.path(), "values.yaml", values_text);
    let apply = |extra: &[&str]| {
        bin()
            .args(["apply", "--helm-values"])
            .arg(&values)
            .args(["--only", "KH250"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = apply(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = std::fs::read_to_string(&values).unwrap();
    assert_eq!(changed_lines(values_text, &after), [7]);
    assert!(
        after.contains("      leak_sensitive_values: false   # debugging, remove\n"),
        "comment kept"
    );
    assert_eq!(
        apply(&["--check"]).status.code(),
        Some(0),
        "a second run is a no-op"
    );
}

#[test]
fn a_process_variable_is_left_to_the_operator_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", CONFIG);
    let out = bin()
        .env("LOG_LEAK_SENSITIVE_VALUES", "true")
        .args(["apply", "--use-env", "--only", "KH250", "-c"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("set by the environment variable LOG_LEAK_SENSITIVE_VALUES"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        CONFIG,
        "nothing written"
    );
}

/// A variable Kratos casts differently from its text is reported where it is written: an
/// invalid boolean turns a setting off (here `LOG_LEAK_SENSITIVE_VALUES=yes` is false).
#[test]
fn an_env_value_kratos_casts_otherwise_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", CONFIG);
    let env = write(
        dir.path(),
        "kratos.env",
        "# ops\nLOG_LEAK_SENSITIVE_VALUES=yes\n",
    );
    let out = bin()
        .args(["audit", "--format", "json", "--fail-on", "none", "-c"])
        .arg(&config)
        .arg("--env-file")
        .arg(&env)
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let warnings = doc["warnings"].to_string();
    assert!(
        warnings.contains("kratos.env:2: LOG_LEAK_SENSITIVE_VALUES is not a boolean")
            && warnings.contains("takes it as false"),
        "{warnings}"
    );
}

/// An operation two findings share, replayed from answers, is written once, to the first
/// finding's file: the cipher secret KH208 (base) and KH220 (overlay) both need went into both
/// layered files.
#[test]
fn a_shared_fix_is_written_to_one_layered_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = crate::common::write(
        dir.path(),
        "base.yml",
        "dsn: memory\nsecrets:\n  cookie:\n    - Qm9vN2RhZ3V5c2R1aXl0ZWRmZ2hqa2xvaXV5dHJlZA\n  cipher:\n    - short-cipher\n",
    );
    let overlay = crate::common::write(
        dir.path(),
        "overlay.yml",
        "ciphers:\n  algorithm: noop\nsecrets:\n  default:\n    - Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eGFh\n",
    );
    let answers = crate::common::write(
        dir.path(),
        "answers.yml",
        "answers:\n  - rule: KH220\n    path: ciphers.algorithm\n    decision: accept\n",
    );
    let out = crate::common::bin()
        .args([
            "apply",
            "--unsafe-fixes",
            "--only",
            "KH205,KH208,KH220",
            "--answers",
        ])
        .arg(&answers)
        .arg("-c")
        .arg(&base)
        .arg("-c")
        .arg(&overlay)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let base = std::fs::read_to_string(&base).expect("read");
    let overlay = std::fs::read_to_string(&overlay).expect("read");
    assert!(!base.contains("short-cipher"), "{base}");
    assert!(
        !overlay.contains("cipher:\n"),
        "once, in the first file:\n{overlay}"
    );
    assert!(
        overlay.contains("algorithm: xchacha20-poly1305"),
        "{overlay}"
    );
}
