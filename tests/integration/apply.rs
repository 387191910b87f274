//! `apply` and `undo` through the real binary: dry run, check, write with backup, second run a
//! no-op, undo byte for byte, secrets never printed, secrets moved to an env file or a
//! Kubernetes Secret, and a failed write that leaves the original intact.

use std::os::unix::fs::PermissionsExt as _;

use predicates::prelude::*;
use serde_json::Value;

use crate::common::{bin, write};

fn demo_copy(dir: &std::path::Path) -> std::path::PathBuf {
    kratos_harden::demo::materialize(dir).expect("demo")
}

fn backups(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .expect("list")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().contains(".bak."))
        .collect()
}

#[test]
fn dry_run_and_check_write_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = demo_copy(dir.path());
    let before = std::fs::read(&config).expect("read");
    bin()
        .args(["apply", "--dry-run", "-c"])
        .arg(&config)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--- a/"))
        .stdout(predicate::str::contains("-      debug: true"))
        // The demo's public URL is plain http: turning dev mode off would break its forms.
        .stdout(predicate::str::contains("+dev: false").not())
        .stdout(predicate::str::contains(
            "KH230 dev: The public URL is plain http",
        ))
        .stdout(predicate::str::contains("Dry run: nothing was written."));
    bin()
        .args(["apply", "--check", "-c"])
        .arg(&config)
        .assert()
        .code(1);
    assert_eq!(std::fs::read(&config).expect("read"), before);
    assert!(backups(dir.path()).is_empty());
}

#[test]
fn apply_writes_once_then_is_a_no_op_and_undo_restores() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = demo_copy(dir.path());
    let original = std::fs::read(&config).expect("read");
    bin()
        .args(["apply", "--unsafe-fixes", "-c"])
        .arg(&config)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Wrote"));
    let patched = std::fs::read(&config).expect("read");
    assert_ne!(patched, original);
    assert_eq!(backups(dir.path()).len(), 1);
    // Every comment line of the demo is still there.
    let text = String::from_utf8_lossy(&patched);
    for line in String::from_utf8_lossy(&original)
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
    {
        assert!(text.lines().any(|l| l == line), "comment lost: {line}");
    }
    // The result audits clean of everything a fix could change.
    bin()
        .args(["apply", "--unsafe-fixes", "--check", "-c"])
        .arg(&config)
        .assert()
        .code(0);
    bin()
        .args(["apply", "--unsafe-fixes", "-c"])
        .arg(&config)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Nothing to change."));
    assert_eq!(
        std::fs::read(&config).expect("read"),
        patched,
        "a second apply is a no-op"
    );
    assert_eq!(backups(dir.path()).len(), 1, "a no-op takes no backup");
    bin()
        .arg("undo")
        .arg(&config)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Restored"));
    assert_eq!(
        std::fs::read(&config).expect("read"),
        original,
        "undo restores byte for byte"
    );
}

#[test]
fn generated_and_existing_secrets_are_never_printed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = demo_copy(dir.path());
    let original = std::fs::read_to_string(&config).expect("read");
    let mut outputs = Vec::new();
    for format in ["text", "json"] {
        let copy = dir.path().join(format!("{format}.yml"));
        std::fs::write(&copy, &original).expect("write");
        std::fs::copy(
            dir.path().join("identity.schema.json"),
            dir.path().join("identity.schema.json"),
        )
        .ok();
        let out = bin()
            .args(["apply", "--unsafe-fixes", "--format", format, "-c"])
            .arg(&copy)
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push((copy, [out.stdout, out.stderr].concat()));
    }
    for (copy, output) in &outputs {
        let printed = String::from_utf8_lossy(output);
        let written = std::fs::read_to_string(copy).expect("read");
        let root: kratos_harden::config::node::Node =
            serde_saphyr::from_str(&written).expect("parses");
        let secrets = kratos_harden::mask::existing(&root);
        assert!(
            secrets.len() >= 3,
            "the patched file holds the generated secrets"
        );
        // Short ones (the demo's weak `kratos` client secret) are ordinary words in prose.
        for secret in secrets
            .iter()
            .filter(|s| s.len() >= 10)
            .chain(["PLEASE-CHANGE-ME-I-AM-VERY-INSECURE".to_owned()].iter())
        {
            assert!(
                !printed.contains(secret.as_str()),
                "printed a secret ({} chars)",
                secret.len()
            );
        }
        assert!(printed.contains("<generated: 32 chars>"));
    }
    // --show-secrets is the one way to see them.
    let copy = dir.path().join("shown.yml");
    std::fs::write(&copy, &original).expect("write");
    let out = bin()
        .args(["apply", "--show-secrets", "-c"])
        .arg(&copy)
        .output()
        .expect("runs");
    let written = std::fs::read_to_string(&copy).expect("read");
    let root: kratos_harden::config::node::Node = serde_saphyr::from_str(&written).expect("parses");
    let cookie = root
        .get("secrets.cookie.0")
        .and_then(|n| n.as_str())
        .expect("cookie")
        .to_owned();
    assert!(String::from_utf8_lossy(&out.stdout).contains(&cookie));
}

#[test]
fn secrets_move_to_an_env_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "kratos.yml",
        "# config\nsecrets:\n  cookie:\n    - PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\n  cipher: [Zk3Qw9Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp0Ya]\nlog:\n  level: info\n",
    );
    let env = dir.path().join("kratos.env");
    bin()
        .args(["apply", "-c"])
        .arg(&config)
        .arg("--secrets-to")
        .arg(format!("env-file:{}", env.display()))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("kratos.env (mode 0600)"));
    let yaml = std::fs::read_to_string(&config).expect("read");
    assert!(
        !yaml.contains("secrets"),
        "secrets are removed from the YAML, not overridden:\n{yaml}"
    );
    assert!(yaml.starts_with("# config\n"));
    let env_text = std::fs::read_to_string(&env).expect("env file");
    assert_eq!(
        std::fs::metadata(&env).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    let cookie = env_text
        .lines()
        .find_map(|l| l.strip_prefix("SECRETS_COOKIE='"))
        .expect("cookie var");
    let entries: Vec<&str> = cookie.trim_end_matches('\'').split(',').collect();
    assert_eq!(
        entries.len(),
        2,
        "a new secret and its block key: {}",
        entries.len()
    );
    assert!(
        entries.iter().all(|e| e.len() == 32),
        "every cookie entry is a 32-byte AES key"
    );
    assert!(env_text.contains("SECRETS_CIPHER='Zk3Qw9Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp0Ya'"));
    assert!(!env_text.contains("PLEASE-CHANGE-ME"));
}

#[test]
fn secrets_move_to_a_kubernetes_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "kratos.yml",
        "secrets:\n  default: [q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w]\n",
    );
    let manifest = dir.path().join("secret.yaml");
    bin()
        .args(["apply", "-c"])
        .arg(&config)
        .arg("--secrets-to")
        .arg(format!("k8s-secret:{}", manifest.display()))
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    assert!(
        text.contains("kind: Secret")
            && text.contains("secretsDefault: q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w")
    );
    assert!(text.contains("secretsCookie:") && text.contains("secretsCipher:"));
    let parsed: Value = serde_saphyr::from_str(&text).expect("valid YAML");
    assert_eq!(
        parsed["stringData"]["secretsCipher"].as_str().map(str::len),
        Some(32)
    );
}

#[test]
fn output_json_lists_operations_with_masked_values() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = demo_copy(dir.path());
    let out = bin()
        .args(["apply", "--dry-run", "--format", "json", "-c"])
        .arg(&config)
        .output()
        .expect("runs");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let applied = doc["applied"].as_array().expect("applied");
    assert!(applied.iter().any(|a| a["rule"] == "KH250"));
    let ops: Vec<&Value> = applied
        .iter()
        .flat_map(|a| a["operations"].as_array().into_iter().flatten())
        .collect();
    let cookie = ops
        .iter()
        .find(|o| o["path"] == "secrets.cookie")
        .expect("cookie op");
    assert!(
        cookie["new"]
            .as_str()
            .is_some_and(|v| v.contains("<generated: 32 chars>"))
    );
    assert!(
        cookie["old"]
            .as_str()
            .is_some_and(|v| v.contains("<secret: 35 chars>") && !v.contains("PLEASE"))
    );
    let leak = ops
        .iter()
        .find(|o| o["path"] == "log.leak_sensitive_values")
        .expect("leak op");
    assert_eq!(
        (leak["old"].as_str(), leak["new"].as_str()),
        (Some("true"), Some("false"))
    );
    assert!(
        doc["files"][0]["diff"]
            .as_str()
            .is_some_and(|d| d.contains("+  leak_sensitive_values: false"))
    );
    assert!(
        doc["unsafe_skipped"]
            .as_array()
            .is_some_and(|u| !u.is_empty())
    );
}

#[test]
fn rotate_puts_a_new_secret_first_and_keeps_real_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = "q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w";
    let config = write(
        dir.path(),
        "kratos.yml",
        &format!(
            "# keep me\nsecrets:\n  cookie:\n    - {real}\n    - PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\nsession:\n  lifespan: 12h\n"
        ),
    );
    let before = std::fs::read_to_string(&config).expect("read");
    bin()
        .args(["rotate", "--secret", "cookie", "--dry-run", "-c"])
        .arg(&config)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("+    - <generated: 32 chars>"))
        .stdout(predicate::str::contains("1 earlier secret(s) kept"))
        .stdout(predicate::str::contains("12h"));
    assert_eq!(std::fs::read_to_string(&config).expect("read"), before);
    let out = bin()
        .args(["rotate", "--secret", "cookie", "-c"])
        .arg(&config)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let after = std::fs::read_to_string(&config).expect("read");
    let root: kratos_harden::config::node::Node = serde_saphyr::from_str(&after).expect("parses");
    let new = root
        .get("secrets.cookie.0")
        .and_then(|n| n.as_str())
        .expect("new")
        .to_owned();
    assert_eq!(new.len(), 32);
    assert_eq!(
        root.get("secrets.cookie.1")
            .and_then(|n| n.as_str())
            .map(str::len),
        Some(32),
        "a fresh block key pairs with the new secret"
    );
    assert_eq!(
        root.get("secrets.cookie.2").and_then(|n| n.as_str()),
        Some(real)
    );
    assert!(
        root.get("secrets.cookie.3").is_none(),
        "the placeholder is dropped"
    );
    assert!(after.starts_with("# keep me\n"));
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(&new),
        "the new secret is not printed"
    );
    assert_eq!(
        std::fs::metadata(&config)
            .expect("meta")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
}

/// A secret set by an env file is rotated there: the variable's line changes (its quoting and
/// CRLF kept), the YAML's overridden value does not, and the result reads back as the new list.
#[test]
fn rotate_changes_the_secret_where_its_effective_value_is_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let real = "q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnA";
    let yaml = "dsn: memory\nsecrets:\n  cookie:\n    - overriddenByTheEnvFileXq7Lm2Np4Rt\n";
    let config = write(dir.path(), "kratos.yml", yaml);
    let env = write(
        dir.path(),
        "kratos.env",
        &format!("LOG_LEVEL=info\nSECRETS_COOKIE='{real}'\r\n"),
    );
    let out = bin()
        .args(["rotate", "--secret", "cookie", "-c"])
        .arg(&config)
        .arg("--env-file")
        .arg(&env)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&config).expect("read"), yaml);
    let text = std::fs::read_to_string(&env).expect("read");
    assert!(
        text.starts_with("LOG_LEVEL=info\nSECRETS_COOKIE='"),
        "{text}"
    );
    assert!(text.ends_with("'\r\n"), "{text:?}");
    let list = text
        .trim_end()
        .rsplit_once("SECRETS_COOKIE=")
        .map(|(_, v)| v.trim_matches('\''))
        .expect("value");
    let items: Vec<&str> = list.split(',').collect();
    assert_eq!(
        items.len(),
        3,
        "new secret, block key, the kept one: {list}"
    );
    assert_eq!(items[2], real);
    assert!(
        items[..2].iter().all(|s| s.len() == 32 && *s != real),
        "{list}"
    );
}

#[test]
fn layered_files_each_get_their_own_fixes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = write(
        dir.path(),
        "base.yml",
        "log:\n  level: debug\nhashers:\n  algorithm: bcrypt\n  bcrypt:\n    cost: 12\n",
    );
    let prod = write(
        dir.path(),
        "prod.yml",
        "# production\nlog:\n  leak_sensitive_values: true\n",
    );
    bin()
        .args(["apply", "--only", "KH250,KH251", "-c"])
        .arg(&base)
        .arg("-c")
        .arg(&prod)
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(&base).expect("read"),
        "log:\n  level: info\nhashers:\n  algorithm: bcrypt\n  bcrypt:\n    cost: 12\n"
    );
    assert_eq!(
        std::fs::read_to_string(&prod).expect("read"),
        "# production\nlog:\n  leak_sensitive_values: false\n"
    );
}

/// A list's comments survive its fixes: a block list rewritten for several entries keeps the
/// comments of the entries that stay; a `[...]` list with comments inside is not rewritten,
/// and audit says so before apply does (found by the attacker pass: both lost them).
#[test]
fn comments_in_a_fixed_list_are_kept_or_the_fix_is_left_to_you() {
    let dir = tempfile::tempdir().expect("tempdir");
    let head =
        "version: v1.3.1\nselfservice:\n  default_browser_return_url: https://app.acme.io/\n";
    let block = write(
        dir.path(),
        "block.yml",
        &format!(
            "{head}  allowed_return_urls:\n    # our apps\n    - https://app.acme.io/  # app a\n    - http://legacy.acme.io/ # legacy\n    - https://example.com/ # left from the quickstart\n    # the shop\n    - https://shop.acme.io/ # shop\n"
        ),
    );
    bin()
        .args(["apply", "--unsafe-fixes", "--no-backup", "-c"])
        .arg(&block)
        .assert()
        .code(0);
    let after = std::fs::read_to_string(&block).expect("read");
    let kept = "    # our apps\n    - https://app.acme.io/  # app a\n    - https://legacy.acme.io/ # legacy\n    # the shop\n    - https://shop.acme.io/ # shop\n";
    assert!(after.contains(kept), "{after}");
    assert!(!after.contains("example.com"), "{after}");
    let flow_text = format!(
        "{head}  allowed_return_urls: [\n    https://app.acme.io/,  # app a\n    https://example.com/, # left from the quickstart\n    https://shop.acme.io/ # shop\n  ]\n"
    );
    let flow = write(dir.path(), "flow.yml", &flow_text);
    let out = bin()
        .args(["audit", "--format", "json", "-c"])
        .arg(&flow)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let finding = report["deployments"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "KH104")
        .cloned()
        .expect("KH104");
    assert_eq!(finding["fix"]["applicability"], "manual", "{finding}");
    bin()
        .args(["apply", "--unsafe-fixes", "--no-backup", "-c"])
        .arg(&flow)
        .assert()
        .stdout(predicate::str::contains(
            "holds a comment that rewriting it would drop",
        ));
    let after = std::fs::read_to_string(&flow).expect("read");
    assert!(after.contains(&flow_text[head.len()..]), "{after}");
}
