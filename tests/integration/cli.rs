//! The real binary: exit codes, formats, colour, `--fail-on`, `--ignore-file`, layering,
//! folder search, `rules`/`explain`, and bad input (exit 2 with file:line:column).

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{bin, hardened_config, write};

/// Values in the demo config that must never be printed.
const DEMO_SECRETS: &[&str] = &[
    "PLEASE-CHANGE-ME-I-AM-VERY-INSECURE",
    "32-LONG-SECRET-NOT-SECURE-AT-ALL",
    "test:test@",
    "postgres:postgres@",
    "acme-kratos-2023",
    "GOCSPX-k3Jd8sLq0Wm2Rt5Yx7Vb9Nc4",
    "9sK2mQ7vX4nB8cR1tY6wZ3pL5hJ0dF2gA7eU4iO1kM=",
    "value: changeme",
];

fn json_of(cmd: &mut Command) -> Value {
    let out = cmd.output().expect("runs");
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn demo_fails_at_high_and_lists_rules_grouped_by_threat() {
    let out = bin().args(["audit", "--demo"]).assert().code(1);
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for heading in [
        "Flow-configuration bypass",
        "Service compromise",
        "Denial of service",
        "Weak credentials",
    ] {
        assert!(text.contains(heading), "missing heading {heading}:\n{text}");
    }
    assert!(text.contains("demo/kratos.yml:"), "{text}");
    assert!(text.contains("Summary:"), "{text}");
}

#[test]
fn fail_on_moves_the_threshold() {
    bin()
        .args(["audit", "--demo", "--fail-on", "none"])
        .assert()
        .code(0);
    bin()
        .args(["audit", "--demo", "--fail-on", "critical"])
        .assert()
        .code(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let clean = write(dir.path(), "kratos.yml", &hardened_config());
    bin().arg("audit").arg(&clean).assert().code(0);
    bin()
        .arg("audit")
        .arg(&clean)
        .args(["--fail-on", "info"])
        .assert()
        .code(1);
}

#[test]
fn secrets_never_appear_in_any_format() {
    for format in ["text", "json", "sarif"] {
        let out = bin()
            .args(["audit", "--demo", "--format", format])
            .output()
            .expect("runs");
        let all = [out.stdout, out.stderr].concat();
        let text = String::from_utf8_lossy(&all);
        for secret in DEMO_SECRETS {
            assert!(!text.contains(secret), "{format} output leaks {secret}");
        }
    }
}

#[test]
fn json_has_the_documented_fields() {
    let doc = json_of(bin().args(["audit", "--demo", "--format", "json"]));
    assert_eq!(doc["format_version"], 1);
    let findings = doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings");
    assert!(findings.len() > 20, "the demo trips most rules");
    for f in findings {
        for key in [
            "rule",
            "name",
            "threat",
            "severity",
            "path",
            "file",
            "line",
            "column",
            "message",
            "fix",
            "suppressed",
        ] {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
    }
    let missing = findings
        .iter()
        .find(|f| f["rule"] == "KH231" && f["path"] == "serve.admin.host")
        .expect("missing admin host");
    assert!(missing["line"].is_null() && missing["column"].is_null());
    let present = findings
        .iter()
        .find(|f| f["rule"] == "KH205")
        .expect("placeholder");
    assert_eq!(present["file"], "demo/kratos.yml");
    assert!(present["line"].as_u64().is_some_and(|l| l > 1));
    assert_eq!(present["fix"]["applicability"], "safe");
    assert!(doc["summary"]["failing"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(doc["fail_on"], "high");
}

#[test]
fn sarif_is_structurally_valid() {
    let doc = json_of(bin().args(["audit", "--demo", "--format", "sarif"]));
    assert_eq!(doc["version"], "2.1.0");
    assert!(
        doc["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif-2.1.0"))
    );
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(run["tool"]["driver"]["name"], "kratos-harden");
    for rule in rules {
        assert!(rule["id"].is_string() && rule["shortDescription"]["text"].is_string());
        assert!(
            rule["helpUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://")),
            "{rule}"
        );
    }
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let index = usize::try_from(r["ruleIndex"].as_u64().expect("ruleIndex")).expect("fits");
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap_or("")));
        assert!(r["message"]["text"].is_string());
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"].is_string());
        if let Some(region) = loc.get("region") {
            assert!(region["startLine"].as_u64().is_some_and(|l| l >= 1));
        }
    }
}

#[test]
fn no_color_and_color_flags() {
    let esc = predicate::str::contains("\u{1b}[");
    bin()
        .args(["audit", "--demo"])
        .env("CLICOLOR_FORCE", "1")
        .env_remove("NO_COLOR")
        .assert()
        .stdout(esc.clone());
    bin()
        .args(["audit", "--demo"])
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .assert()
        .stdout(esc.clone().not());
    bin()
        .args(["audit", "--demo", "--color", "always"])
        .env("NO_COLOR", "1")
        .assert()
        .stdout(esc.clone());
    bin()
        .args(["audit", "--demo", "--color", "never"])
        .env("CLICOLOR_FORCE", "1")
        .assert()
        .stdout(esc.not());
}

#[test]
fn ignore_file_suppresses_and_expires() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ignore = write(
        dir.path(),
        "ignore.yml",
        "ignore:\n  - rule: KH205\n    path: secrets.cookie.0\n    reason: rotated by the deploy job\n    expires: 2999-01-01\n  - rule: dev-mode-enabled\n    reason: old waiver\n    expires: 2000-01-01\n",
    );
    let out = bin()
        .args(["audit", "--demo", "--format", "json", "--ignore-file"])
        .arg(&ignore)
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings");
    let cookie = findings
        .iter()
        .find(|f| f["path"] == "secrets.cookie.0")
        .expect("cookie");
    assert_eq!(cookie["suppressed"], true);
    assert_eq!(cookie["suppression_reason"], "rotated by the deploy job");
    let cipher = findings
        .iter()
        .find(|f| f["path"] == "secrets.cipher.0")
        .expect("cipher");
    assert_eq!(cipher["suppressed"], false);
    let dev = findings.iter().find(|f| f["rule"] == "KH230").expect("dev");
    assert_eq!(dev["suppressed"], false, "expired entries stop suppressing");
    let warnings = doc["warnings"].as_array().expect("warnings");
    assert!(warnings.iter().any(|w| {
        w.as_str()
            .is_some_and(|w| w.contains("expired on 2000-01-01"))
    }));
    assert_eq!(doc["summary"]["suppressed"], 1);

    // A suppressed finding does not count for --fail-on.
    let ignore_all = write(
        dir.path(),
        "all.yml",
        "ignore:\n  - rule: KH205\n    reason: accepted\n  - rule: KH230\n    reason: accepted\n",
    );
    bin()
        .args(["audit", "--demo", "--fail-on", "critical", "--ignore-file"])
        .arg(&ignore_all)
        .assert()
        .code(0);
    let bad = write(
        dir.path(),
        "bad.yml",
        "ignore:\n  - rule: KH999\n    reason: x\n",
    );
    bin()
        .args(["audit", "--demo", "--ignore-file"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.yml:2:5: unknown rule 'KH999'",
        ));
}

#[test]
fn layered_files_report_where_the_value_came_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = write(
        dir.path(),
        "base.yml",
        "log:\n  level: info\n  leak_sensitive_values: false\n",
    );
    let over = write(
        dir.path(),
        "prod.yml",
        "# override\nlog:\n  leak_sensitive_values: true\n",
    );
    let doc = json_of(
        bin()
            .arg("audit")
            .arg("-c")
            .arg(&base)
            .arg("-c")
            .arg(&over)
            .args(["--format", "json"]),
    );
    let files = doc["deployments"][0]["files"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    let leak = doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "KH250")
        .cloned()
        .expect("leak finding");
    assert!(
        leak["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("prod.yml"))
    );
    assert_eq!(leak["line"], 3);
}

#[test]
fn folders_are_searched_and_reported_in_a_stable_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("b")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("a/deep")).expect("mkdir");
    write(&dir.path().join("b"), "kratos.yml", "dev: true\n");
    write(
        &dir.path().join("a/deep"),
        "kratos.json",
        "{\"dev\": true}\n",
    );
    write(dir.path(), "other.yml", "dev: true\n");
    let doc = json_of(
        bin()
            .arg("audit")
            .arg(dir.path())
            .args(["--format", "json"]),
    );
    let labels: Vec<String> = doc["deployments"]
        .as_array()
        .expect("deployments")
        .iter()
        .map(|d| d["files"][0]["path"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(
        labels[0].ends_with("a/deep/kratos.json") && labels[1].ends_with("b/kratos.yml"),
        "{labels:?}"
    );
    let empty = tempfile::tempdir().expect("tempdir");
    bin()
        .arg("audit")
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no kratos.yml"));
}

fn bad_input(name: &str, content: &[u8], expected: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write");
    let before = std::fs::read(&path).expect("read");
    bin()
        .arg("audit")
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(expected));
    assert_eq!(
        std::fs::read(&path).expect("read"),
        before,
        "the file must not change"
    );
}

#[test]
fn bad_input_is_one_clear_error_with_position() {
    bad_input(
        "kratos.yml",
        b"log:\n  level: info\nlog:\n  level: debug\n",
        "kratos.yml:3:1: this key is already set above in the same mapping",
    );
    bad_input(
        "kratos.yml",
        b"serve:\n  public: [1, 2\n",
        "kratos.yml:2:11: invalid YAML/JSON: unclosed bracket",
    );
    bad_input(
        "kratos.json",
        b"{\n  \"dsn\": \"memory\",\n  \"log\": {\n}",
        "kratos.json:4:1: invalid JSON: EOF while parsing an object",
    );
    bad_input(
        "kratos.yml",
        b"dsn: memory\nname: \xff\xfe\n",
        "kratos.yml:2:7: the file is not valid UTF-8",
    );
    bad_input(
        "kratos.yml",
        b"- a\n- b\n",
        "kratos.yml:1:1: the top level is a list",
    );
    bad_input("kratos.yml", b"", "an empty document");
    bad_input(
        "kratos.toml",
        b"dsn = \"memory\"\n",
        "TOML configs are not supported yet",
    );
    bad_input("kratos.yml", b"a: 1\n---\nb: 2\n", "several YAML documents");
    let big = vec![b'#'; 10 * 1024 * 1024 + 1];
    bad_input("kratos.yml", &big, "configs over 10 MB are refused");
    bin()
        .args(["audit", "/nonexistent/kratos.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/nonexistent/kratos.yml: cannot read the file",
        ));
}

#[test]
fn bad_usage_exits_2() {
    bin().args(["audit", "--format", "xml"]).assert().code(2);
    bin()
        .args(["audit", "--demo", "-c", "x.yml"])
        .assert()
        .code(2);
    bin().assert().code(2);
}

#[test]
fn rules_and_explain() {
    let doc = json_of(bin().args(["rules", "--format", "json"]));
    let rules = doc.as_array().expect("array");
    assert_eq!(rules.len(), kratos_harden::rules::RULES.len());
    bin()
        .args(["rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("KH205"));
    bin()
        .args(["explain", "KH205"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Why it matters"))
        .stdout(predicate::str::contains("What may break"))
        .stdout(predicate::str::contains("References"));
    bin()
        .args(["explain", "secret-placeholder"])
        .assert()
        .code(0);
    bin()
        .args(["explain", "KH999"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule 'KH999'"));
}

#[test]
fn helm_values_files_are_flagged_not_silently_misjudged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let values = write(
        dir.path(),
        "values.yaml",
        "image:\n  tag: v1.3.1\ncourier:\n  enabled: true\nkratos:\n  config:\n    serve:\n      public:\n        base_url: https://auth.acme.io/\n",
    );
    let doc = json_of(bin().arg("audit").arg(&values).args(["--format", "json"]));
    let warnings = doc["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .is_some_and(|w| w.contains("Helm chart's values file"))),
        "{warnings:?}"
    );
    let plain = write(
        dir.path(),
        "kratos.yml",
        "serve:\n  public:\n    base_url: https://auth.acme.io/\n",
    );
    let doc = json_of(bin().arg("audit").arg(&plain).args(["--format", "json"]));
    assert_eq!(doc["warnings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn default_path_is_kratos_yml_in_the_current_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    bin()
        .current_dir(dir.path())
        .arg("audit")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("kratos.yml: cannot read the file"));
    write(dir.path(), "kratos.yml", &hardened_config());
    bin().current_dir(dir.path()).arg("audit").assert().code(0);
    assert!(Path::new(&dir.path().join("kratos.yml")).exists());
}

#[test]
fn env_files_layer_over_the_config_element_wise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "kratos.yml",
        "secrets:\n  cookie:\n    - q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w\n    - PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\n",
    );
    let env = write(
        dir.path(),
        "kratos.env",
        "# deploy\nSECRETS_DEFAULT=Hs3JdYb6GeTnAuR5wq8Vt2mZr7LxN4pWc9Kf\nSECRETS_COOKIE=Zk3Qw9Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp0YaQWERTY12\n",
    );
    let doc = json_of(
        bin()
            .arg("audit")
            .arg(&config)
            .arg("--env-file")
            .arg(&env)
            .args(["--format", "json"]),
    );
    let findings = doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings");
    assert!(
        !findings.iter().any(|f| f["rule"] == "KH201"),
        "secrets.default comes from the env file"
    );
    // SECRETS_COOKIE replaces index 0 only: the placeholder at index 1 stays valid.
    let placeholder = findings
        .iter()
        .find(|f| f["rule"] == "KH205")
        .expect("placeholder still found");
    assert_eq!(placeholder["path"], "secrets.cookie.1");
    assert!(
        placeholder["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("kratos.yml"))
    );
    let files = doc["deployments"][0]["files"].as_array().expect("files");
    assert!(files.iter().any(|f| f["kind"] == "env-file"));
}

#[test]
fn oidc_providers_from_an_env_file_are_judged_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "kratos.yml",
        "selfservice:\n  methods:\n    oidc:\n      enabled: true\n",
    );
    let providers = r#"[{"id":"google","provider":"google","client_id":"abc","client_secret":"changeme","mapper_url":"file://m.jsonnet"},{"id":"github","provider":"github","client_id":"Iv1.x","client_secret":"0123456789abcdef0123456789abcdef01234567","mapper_url":"file://m.jsonnet"}]"#;
    let env = write(
        dir.path(),
        "kratos.env",
        &format!("# providers\nSELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS='{providers}'\n"),
    );
    let doc = json_of(
        bin()
            .arg("audit")
            .arg(&config)
            .arg("--env-file")
            .arg(&env)
            .args(["--format", "json", "--fail-on", "none"]),
    );
    let findings = doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings");
    let weak = findings
        .iter()
        .find(|f| f["rule"] == "KH431")
        .expect("the placeholder secret in the env file is found");
    assert_eq!(
        weak["path"],
        "selfservice.methods.oidc.config.providers.0.client_secret"
    );
    assert!(
        weak["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("kratos.env"))
    );
    assert_eq!(weak["line"], 2);
    assert!(
        !findings.iter().any(|f| f["rule"] == "KH430"),
        "secrets in the env file are not 'inline in the config'"
    );
    assert!(!doc.to_string().contains("0123456789abcdef0123456789abcdef"));
}

/// `--use-env` reads the process environment (only when asked), and every report says where
/// each value came from: file position, env-file variable, or process variable.
#[test]
fn provenance_names_the_file_or_the_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "kratos.yml",
        "serve:\n  public:\n    base_url: https://auth.acme.io/\nlog:\n  level: info\n  leak_sensitive_values: false\n",
    );
    let env = write(
        dir.path(),
        "kratos.env",
        "# deploy\nLOG_LEAK_SENSITIVE_VALUES=true\n",
    );
    let run = |use_env: bool, format: &str| {
        let mut cmd = bin();
        cmd.env("DSN", "memory")
            .arg("audit")
            .arg(&config)
            .arg("--env-file")
            .arg(&env)
            .args(["--format", format, "--fail-on", "none"]);
        if use_env {
            cmd.arg("--use-env");
        }
        cmd.output().expect("runs")
    };
    let text = String::from_utf8(run(true, "text").stdout).expect("UTF-8");
    assert!(
        text.contains(&format!(
            "env LOG_LEAK_SENSITIVE_VALUES (from {}:2) [overrides {}:6:3]: HIGH     KH250",
            env.display(),
            config.display()
        )),
        "{text}"
    );
    assert!(text.contains("env DSN: HIGH     KH401"), "{text}");

    let doc: Value = serde_json::from_slice(&run(true, "json").stdout).expect("JSON");
    let findings = doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings");
    let by_rule = |id: &str| findings.iter().find(|f| f["rule"] == id).expect(id);
    assert_eq!(
        by_rule("KH250")["source"],
        serde_json::json!({"kind": "env-file", "file": env.display().to_string(), "line": 2, "column": 1, "variable": "LOG_LEAK_SENSITIVE_VALUES",
            "overrides": {"file": config.display().to_string(), "line": 6, "column": 3}})
    );
    assert_eq!(
        by_rule("KH401")["source"],
        serde_json::json!({"kind": "env", "file": null, "line": null, "column": null, "variable": "DSN"})
    );
    let from_file = findings
        .iter()
        .find(|f| f["source"]["kind"] == "config")
        .expect("a finding on the file");
    let missing = by_rule("KH122");
    assert_eq!(
        missing["source"]["kind"], "default",
        "a missing key: Kratos's default"
    );
    let secret = by_rule("KH202");
    assert_eq!(
        secret["source"]["kind"], "fallback",
        "a missing secret: Kratos falls back"
    );
    assert!(
        from_file["source"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("kratos.yml"))
    );

    let sarif: Value = serde_json::from_slice(&run(true, "sarif").stdout).expect("SARIF");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let dsn = results
        .iter()
        .find(|r| r["ruleId"] == "KH401")
        .expect("KH401");
    assert!(
        dsn["locations"][0].get("physicalLocation").is_none(),
        "no file for a process variable"
    );
    assert_eq!(dsn["locations"][0]["logicalLocations"][1]["name"], "DSN");
    let leak = results
        .iter()
        .find(|r| r["ruleId"] == "KH250")
        .expect("KH250");
    assert!(
        leak["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("kratos.env"))
    );

    // Without --use-env the machine's DSN is not the deployment's.
    let doc: Value = serde_json::from_slice(&run(false, "json").stdout).expect("JSON");
    let findings = doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings");
    assert!(!findings.iter().any(|f| f["rule"] == "KH401"));
}

/// A config rendered by envsubst or Terraform: a hint names `--template` when most values are
/// `${…}`, and with it those values count as set elsewhere (no KH211, no admin-host guess).
#[test]
fn template_configs_get_a_hint_and_the_template_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "kratos.yml",
        "dsn: ${DSN}\nserve:\n  public:\n    base_url: ${PUBLIC_URL}\n  admin:\n    host: ${ADMIN_HOST}\nsecrets:\n  cookie: [\"${COOKIE}\"]\ncourier:\n  smtp:\n    connection_uri: ${SMTP_URI}\n",
    );
    let rules_of = crate::common::rule_ids;
    let plain = json_of(bin().arg("audit").arg(&config).args(["--format", "json"]));
    assert!(plain["warnings"].to_string().contains("`--template`"));
    assert_eq!(rules_of(&plain).iter().filter(|r| *r == "KH211").count(), 5);
    let template =
        json_of(
            bin()
                .arg("audit")
                .arg(&config)
                .args(["--template", "--format", "json"]),
        );
    assert_eq!(template["warnings"].as_array().map(Vec::len), Some(0));
    let found = rules_of(&template);
    assert!(
        !found.iter().any(|r| r == "KH211" || r == "KH231"),
        "{found:?}"
    );
}
