//! Env files as docker compose reads them, and as kratos-harden writes them: every value the
//! quoting function writes reads back byte-exact in python-dotenv, in bash (`set -a; . FILE`)
//! and in our own parser, and edits through the binary keep every other byte of the file.
//!
//! Docker compose's own Go parser cannot run here (no Go toolchain), so our parser stands in
//! for it; it follows compose-go v2.13.0 `dotenv/parser.go`
//! (<https://github.com/compose-spec/compose-go/blob/v2.13.0/dotenv/parser.go>), and its unit
//! tests hold compose's cases. python-dotenv and bash are required under `CI=true`; elsewhere a
//! missing one is one skip line.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use kratos_harden::config::env::dotenv;

use crate::common::{bin, skip, write};

/// Values with every character the readers treat specially, alone and together.
const CARRIED: &[&str] = &[
    "q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnA+/=",
    "",
    "with space",
    "  leading and trailing  ",
    "it's",
    "'",
    "\"",
    r#"say "hi""#,
    "$HOME $$ $1 cost$ a${b",
    "#hash # and#",
    "=",
    "a=b=c",
    r"back\slash \n \t \$ \x",
    r"two\\back\\\slashes",
    "new\nline",
    "tab\there",
    "`tick` $(not run)",
    "ünïcödé ✓",
    r#"it's "quoted" \ # = and more"#,
    r#"'single' and "double" and \\ two"#,
];

/// Values no common quoting carries: refused, never written differently.
const REFUSED: &[&str] = &["it's $5", "it's `x`", "x${HOME}y", r"ends\", "a\rb"];

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// True when `program args` runs successfully; otherwise a skip line (a failure under CI).
fn available(what: &str, program: &str, args: &[&str]) -> bool {
    let ok = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok || !ci(),
        "{what} is required under CI=true (see .ci/run)"
    );
    if !ok {
        skip(&format!("{what} is not installed"));
    }
    ok
}

/// What python-dotenv's `dotenv_values` (defaults: interpolation on) reads for `names`.
fn python(file: &Path, names: &[String]) -> Vec<String> {
    let script = "import json, sys\nfrom dotenv import dotenv_values\n\
                  v = dotenv_values(sys.argv[1])\nprint(json.dumps([v.get(n) for n in sys.argv[2:]]))";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(file)
        .args(names)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "python-dotenv: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let values: Vec<Option<String>> = serde_json::from_slice(&out.stdout).expect("JSON");
    values.into_iter().map(Option::unwrap_or_default).collect()
}

/// What bash sets for `names` after `set -a; . FILE; set +a`.
fn bash(file: &Path, names: &[String]) -> Vec<String> {
    let out = Command::new("bash")
        .arg("-c")
        .arg(r#"set -a; . "$1"; set +a; shift; for n; do printf '%s\0' "${!n}"; done"#)
        .arg("bash")
        .arg(file)
        .args(names)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "bash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    let mut values: Vec<String> = text.split('\0').map(str::to_owned).collect();
    values.pop();
    values
}

/// What our parser (compose's rules) reads for `names`.
fn ours(text: &str, names: &[String]) -> Vec<String> {
    let parsed =
        dotenv::parse(text).unwrap_or_else(|e| panic!("{}:{}: {}", e.line, e.column, e.message));
    let in_force = parsed.in_force();
    names
        .iter()
        .map(|n| {
            in_force
                .iter()
                .find(|(s, _)| s.name == *n)
                .map_or_else(|| panic!("{n} is not set"), |(s, _)| s.value.clone())
        })
        .collect()
}

fn readers_available() -> bool {
    available("python-dotenv", "python3", &["-c", "import dotenv"])
        && available("bash", "bash", &["-c", "true"])
}

#[test]
fn every_quoted_value_reads_back_the_same_in_python_dotenv_bash_and_compose_rules() {
    if !readers_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..CARRIED.len()).map(|i| format!("V{i}")).collect();
    let mut text = String::from("# written by the quoting function\n");
    for (name, value) in names.iter().zip(CARRIED) {
        let quoted = dotenv::quote(value).unwrap_or_else(|e| panic!("{value:?}: {e}"));
        let _ = writeln!(text, "{name}={quoted}");
    }
    let file = write(dir.path(), "values.env", &text);
    let want: Vec<String> = CARRIED.iter().map(|v| (*v).to_owned()).collect();
    assert_eq!(python(&file, &names), want, "python-dotenv:\n{text}");
    assert_eq!(bash(&file, &names), want, "bash:\n{text}");
    assert_eq!(ours(&text, &names), want, "compose rules:\n{text}");
    for value in REFUSED {
        let refused = dotenv::quote(value).expect_err("no quoting carries it");
        assert!(!refused.to_string().contains(value), "{refused}");
    }
}

const CONFIG: &str = "serve:\n  public:\n    base_url: https://auth.acme.io/\nlog:\n  level: info\n  leak_sensitive_values: false\nsecrets:\n  cookie:\n    - q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w\n";

#[test]
fn secrets_with_quotes_spaces_and_backslashes_move_to_an_env_file_every_reader_agrees_on() {
    if !readers_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let default = r"Zk3'Qw9 Lm2#Rt7=Xv4\Bn8Hc6Jd1Fg5Sp0Ya";
    let cookie = r"Ab$cD ef#gh=ij\kl9Mn2Pq7Rs4Tu6Vw8Xy1Z";
    let config = write(
        dir.path(),
        "kratos.yml",
        &format!(
            "secrets:\n  default:\n    - {}\n  cookie:\n    - {}\n",
            serde_json::Value::from(default),
            serde_json::Value::from(cookie)
        ),
    );
    let env = dir.path().join("kratos.env");
    let out = apply_secrets_to(&config, &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&env).unwrap();
    let names = ["SECRETS_DEFAULT".to_owned(), "SECRETS_COOKIE".to_owned()];
    let want = [default.to_owned(), cookie.to_owned()];
    assert_eq!(python(&env, &names), want);
    assert_eq!(bash(&env, &names), want);
    assert_eq!(ours(&text, &names), want);
}

#[test]
fn a_secret_no_quoting_carries_stops_apply_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "secrets:\n  default:\n    - \"Zk3'Qw9$Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp0Ya\"\n";
    let config = write(dir.path(), "kratos.yml", yaml);
    let env = dir.path().join("kratos.env");
    let out = apply_secrets_to(&config, &env);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SECRETS_DEFAULT") && stderr.contains("Nothing was written"),
        "{stderr}"
    );
    assert!(!stderr.contains("Lm2Rt7"), "never the secret: {stderr}");
    assert!(!env.exists());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), yaml);
}

#[test]
fn an_edit_keeps_mixed_line_endings_and_multi_line_values_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", CONFIG);
    let before = "# deploy\r\nNOTE='two\r\nlines'\nexport LOG_LEAK_SENSITIVE_VALUES = true # was on\n\
                  DSN='postgres://kratos:Sup3r-Long-Database-Passw0rd@db:5432/kratos?sslmode=verify-full'\r\n\
                  OTHER=\"a\nb\"";
    let env = write(dir.path(), "kratos.env", before);
    let out = bin()
        .args(["apply", "--no-backup", "--only", "KH250", "-c"])
        .arg(&config)
        .arg("--env-file")
        .arg(&env)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = std::fs::read_to_string(&env).unwrap();
    assert_eq!(
        after,
        before.replace("VALUES = true #", "VALUES = false #"),
        "only the value changed"
    );
}

#[test]
fn a_variable_set_twice_is_a_warning_naming_both_lines_and_the_later_value_wins() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", CONFIG);
    let env = write(
        dir.path(),
        "kratos.env",
        "LOG_LEAK_SENSITIVE_VALUES=true\n# later\nLOG_LEAK_SENSITIVE_VALUES=false\n",
    );
    let out = bin()
        .args(["audit", "--fail-on", "none", "-c"])
        .arg(&config)
        .arg("--env-file")
        .arg(&env)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "kratos.env:3: LOG_LEAK_SENSITIVE_VALUES is set again (first at line 1); the later \
             value is used"
        ),
        "{stdout}"
    );
    assert!(
        !stdout.contains("KH250"),
        "the later value (false) is in force:\n{stdout}"
    );
}

#[test]
fn a_malformed_env_file_is_exit_2_with_its_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "secrets:\n  default: [q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w]\n";
    let config = write(dir.path(), "kratos.yml", yaml);
    let bad = "A=1\nB='s3cr3t-never-closed\nC=2\n";
    let env = write(dir.path(), "bad.env", bad);
    let out = apply_secrets_to(&config, &env);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.env:2:3: "), "{stderr}");
    assert!(!stderr.contains("s3cr3t"), "never the value: {stderr}");
    assert_eq!(std::fs::read_to_string(&env).unwrap(), bad);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), yaml);
}

/// `audit --env-file` refuses a malformed env file as `apply` does (`Deployment::add_env_file`
/// checks it before layering it).
#[test]
fn a_malformed_env_file_given_to_audit_is_exit_2_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", CONFIG);
    let env = write(dir.path(), "bad.env", "A=1\nINVALID LINE\n");
    let out = bin()
        .args(["audit", "-c"])
        .arg(&config)
        .arg("--env-file")
        .arg(&env)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.env:2:1: "));
}

#[test]
fn a_value_kratos_cannot_cast_is_reported_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "kratos.yml",
        &format!("{CONFIG}hashers:\n  algorithm: bcrypt\n"),
    );
    let env = write(dir.path(), "kratos.env", "HASHERS_BCRYPT_COST=abc\n");
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
        warnings
            .contains("kratos.env:1: HASHERS_BCRYPT_COST is not an integer: Kratos takes it as 0"),
        "{warnings}"
    );
    let findings = doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings");
    let cost = findings
        .iter()
        .find(|f| f["path"] == "hashers.bcrypt.cost")
        .expect("the cost Kratos ends up with is judged");
    assert_eq!(cost["source"]["variable"], "HASHERS_BCRYPT_COST");
}

/// `apply -c CONFIG --secrets-to env-file:ENV`.
fn apply_secrets_to(config: &std::path::Path, env: &std::path::Path) -> std::process::Output {
    bin()
        .args(["apply", "-c"])
        .arg(config)
        .arg("--secrets-to")
        .arg(format!("env-file:{}", env.display()))
        .output()
        .unwrap()
}
