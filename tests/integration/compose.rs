//! docker compose deployments through the real binary: the quickstart-shaped fixture project
//! (`tests/fixtures/compose/quickstart`) audited with findings placed in the compose file,
//! fixed in place (the golden compose file in `quickstart.fixed`), undone, and the errors of a
//! project that names no single Kratos service.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{bin, run_in, write};

/// A copy of the fixture project in a temporary folder.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/compose/quickstart");
    for name in ["docker-compose.yml", "kratos.env", "kratos/kratos.yml"] {
        let text = std::fs::read_to_string(from.join(name)).expect("fixture");
        std::fs::create_dir_all(dir.path().join(name).parent().expect("parent")).expect("mkdir");
        write(dir.path(), name, &text);
    }
    let compose = dir.path().join("docker-compose.yml");
    (dir, compose)
}

#[test]
fn the_quickstart_project_is_audited_where_its_values_are_set() {
    let (dir, _) = project();
    let out = run_in(dir.path(), &["audit", "--compose", "docker-compose.yml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "docker-compose.yml service `kratos`: kratos/kratos.yml",
        "docker-compose.yml:24:5: CRITICAL KH230 [*] `dev` is true",
        "docker-compose.yml:18:9: CRITICAL KH236 `4434:4434` publishes the admin API",
        "env LOG_LEAK_SENSITIVE_VALUES (from docker-compose.yml:21): HIGH     KH250 [*]",
        "env DSN (from docker-compose.yml:20)",
        "env SECRETS_COOKIE (from kratos.env:1)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // The migrate service's DSN is the same; it is not a second deployment.
    assert!(text.contains("in 1 deployment(s)"), "{text}");
    assert!(!text.contains("Compose-Fixture-Db-Pass"), "{text}");
    let out = run_in(
        dir.path(),
        &[
            "audit",
            "--format",
            "json",
            "--compose",
            "docker-compose.yml",
        ],
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let deployment = &report["deployments"][0];
    assert_eq!(deployment["kind"], "compose");
    assert_eq!(deployment["service"], "kratos");
    let kinds: Vec<(&str, &str)> = deployment["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or(""),
                f["kind"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("kratos/kratos.yml", "config"),
            ("kratos.env", "env-file"),
            ("docker-compose.yml", "compose")
        ]
    );
}

#[test]
fn apply_fixes_the_compose_file_in_place_and_undo_restores_it() {
    let (dir, compose) = project();
    let before = std::fs::read_to_string(&compose).expect("read");
    bin()
        .current_dir(dir.path())
        .args(["apply", "--compose", "docker-compose.yml"])
        .assert()
        .code(0);
    let after = std::fs::read_to_string(&compose).expect("read");
    let golden = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/compose/quickstart.fixed/docker-compose.yml");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &after).expect("golden");
    }
    let want = std::fs::read_to_string(&golden).expect("golden file");
    assert_eq!(after, want, "the compose file after apply");
    // Only the two lines changed; nothing else moved.
    let changed = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(changed, 2, "{after}");
    let out = run_in(dir.path(), &["audit", "--compose", "docker-compose.yml"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("KH230") && !text.contains("KH250"), "{text}");
    assert!(
        text.contains("KH236"),
        "the published port stays, left to the operator"
    );
    bin()
        .current_dir(dir.path())
        .args(["undo", "docker-compose.yml"])
        .assert()
        .code(0);
    assert_eq!(std::fs::read_to_string(&compose).expect("read"), before);
}

#[test]
fn a_project_without_one_kratos_service_is_an_error_naming_the_choice() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "kratos.yml", "version: v1.3.1\n");
    let service = |name: &str| {
        format!(
            "  {name}:\n    image: oryd/kratos:v1.3.1\n    command: serve -c /etc/k/kratos.yml\n    volumes: [\".:/etc/k\"]\n"
        )
    };
    write(
        dir.path(),
        "compose.yaml",
        &format!("services:\n{}{}", service("blue"), service("green")),
    );
    let out = run_in(dir.path(), &["audit", "--compose", "compose.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("several services run `kratos serve` (blue, green); name one with --service"),
        "{err}"
    );
    bin()
        .current_dir(dir.path())
        .args(["audit", "--compose", "compose.yaml", "--service", "green"])
        .assert()
        .code(1);
    let out = run_in(
        dir.path(),
        &["audit", "--compose", "compose.yaml", "--service", "red"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the ones that do: blue, green"));
    write(dir.path(), "compose.yaml", "services:\n  kratos: [\n");
    let out = run_in(dir.path(), &["audit", "--compose", "compose.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("compose.yaml:"), "{err}");
}

/// `audit DIR` finds the compose project and audits its config as part of it, once; a bare
/// config elsewhere in the tree is its own deployment, and a broken compose file is an error
/// in the stream, not a silent skip.
#[test]
fn audit_of_a_folder_finds_compose_services_and_their_configs_once() {
    let (dir, _) = project();
    std::fs::create_dir_all(dir.path().join("other")).expect("mkdir");
    write(
        dir.path(),
        "other/kratos.yml",
        "version: v1.3.1\ndev: true\n",
    );
    let out = run_in(dir.path(), &["audit", "--format", "json", "."]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let deployments: Vec<(String, String)> = report["deployments"]
        .as_array()
        .expect("deployments")
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap_or("").to_owned(),
                d["files"][0]["path"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        deployments,
        [
            ("compose".to_owned(), "./kratos/kratos.yml".to_owned()),
            ("config".to_owned(), "./other/kratos.yml".to_owned()),
        ]
    );
    std::fs::create_dir_all(dir.path().join("broken")).expect("mkdir");
    write(dir.path(), "broken/compose.yaml", "services: [\n");
    let out = run_in(dir.path(), &["audit", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken/compose.yaml:"));
    assert!(String::from_utf8_lossy(&out.stdout).contains("in 2 deployment(s)"));
}

/// `${NAME}` in an `environment:` entry is compose's to fill: from the project's `.env` it is
/// read (and its fix left to that file), otherwise it is named as unknown, never audited as
/// the literal text Kratos would not see.
#[test]
fn dollar_references_are_filled_from_the_project_env_or_left_unknown() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "kratos.yml",
        "version: v1.3.1\nserve:\n  public:\n    base_url: https://auth.acme.test/\n",
    );
    write(
        dir.path(),
        "compose.yaml",
        "services:\n  kratos:\n    image: oryd/kratos:v1.3.1\n    environment:\n      DSN: ${KRATOS_DSN}\n      SECRETS_COOKIE: ${COOKIE:-not-known-here}\n    command: serve -c /etc/k/kratos.yml\n    volumes: [\".:/etc/k\"]\n",
    );
    let audit = || {
        let out = run_in(dir.path(), &["audit", "--compose", "compose.yaml"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let text = audit();
    assert!(!text.contains("KH211"), "{text}");
    assert!(
        text.contains("compose.yaml:5: DSN is filled by compose from its own environment"),
        "{text}"
    );
    write(
        dir.path(),
        ".env",
        "KRATOS_DSN=postgres://kratos:Project-Env-Pass-5521@db/kratos?sslmode=disable\n",
    );
    let text = audit();
    assert!(
        text.contains("env DSN (from compose.yaml:5): HIGH     KH404"),
        "{text}"
    );
    assert!(!text.contains("Project-Env-Pass"), "{text}");
    let out = run_in(
        dir.path(),
        &["apply", "--unsafe-fixes", "--compose", "compose.yaml"],
    );
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("`DSN` in compose.yaml is a `$` reference that compose fills"),
        "{shown}"
    );
    assert!(!shown.contains("Project-Env-Pass"), "{shown}");
    let compose = std::fs::read_to_string(dir.path().join("compose.yaml")).expect("read");
    assert!(compose.contains("DSN: ${KRATOS_DSN}"), "{compose}");
}
