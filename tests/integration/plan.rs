//! A run's writes are planned and checked whole before the first one: a refusal anywhere
//! writes nothing anywhere, an env file that is also the secrets destination is one edit, and a
//! write that fails half-way says exactly what was and was not written.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::common::{bin, write};

const LEAK: &str = "log:\n  leak_sensitive_values: true\n";
const PLACEHOLDER: &str = "dsn: memory\nsecrets:\n  cookie:\n    - changeme\n";

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

#[test]
fn an_env_file_that_is_also_the_secrets_destination_is_one_edit() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kratos.yml", PLACEHOLDER);
    let env = write(dir.path(), ".env", "LOG_LEAK_SENSITIVE_VALUES=true\n");
    let out = bin()
        .current_dir(dir.path())
        .args(["apply", "-c", "kratos.yml", "--env-file", ".env"])
        .args(["--secrets-to", "env-file:.env"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let text = std::fs::read_to_string(&env).unwrap();
    assert!(
        text.starts_with("LOG_LEAK_SENSITIVE_VALUES=false\n"),
        "{text}"
    );
    for name in ["SECRETS_DEFAULT=", "SECRETS_COOKIE=", "SECRETS_CIPHER="] {
        assert_eq!(text.matches(name).count(), 1, "{text}");
    }
    assert!(
        !std::fs::read_to_string(dir.path().join("kratos.yml"))
            .unwrap()
            .contains("changeme")
    );
    // One write of the env file: one backup of it, holding what it had before.
    let backups: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|n| n.starts_with(".env.bak."))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(&backups[0])).unwrap(),
        "LOG_LEAK_SENSITIVE_VALUES=true\n"
    );
    assert_eq!(
        std::fs::metadata(&env).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn a_refusal_of_any_planned_write_writes_nothing_at_all() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kratos.yml", PLACEHOLDER);
    let overlay = write(dir.path(), "prod.yml", LEAK);
    // The second file cannot be written: before, the secrets file and the first config were
    // written, then the run stopped.
    std::fs::set_permissions(&overlay, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = names(dir.path());
    let out = bin()
        .current_dir(dir.path())
        .args(["apply", "-c", "kratos.yml", "-c", "prod.yml"])
        .args(["--secrets-to", "env-file:secrets.env"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("prod.yml: the file is read-only"),
        "{stderr}"
    );
    assert_eq!(names(dir.path()), before, "a file was created: {stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("kratos.yml")).unwrap(),
        PLACEHOLDER
    );
}

#[test]
fn a_write_that_fails_half_way_names_what_was_written_and_what_was_not() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kratos.yml", PLACEHOLDER);
    write(dir.path(), "prod.yml", LEAK);
    let out = bin()
        .current_dir(dir.path())
        .args(["apply", "-c", "kratos.yml", "-c", "prod.yml"])
        .args(["--secrets-to", "env-file:secrets.env"])
        .env("KRATOS_HARDEN_TEST_FAIL_WRITE", "3")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a write failed after others succeeded"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Written: secrets.env (mode 0600)"),
        "{stderr}"
    );
    assert!(stderr.contains("kratos.yml (backup "), "{stderr}");
    assert!(stderr.contains("Not written: prod.yml"), "{stderr}");
    assert!(!stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("prod.yml")).unwrap(),
        LEAK
    );
    assert!(dir.path().join("secrets.env").exists());
}

#[test]
fn an_env_file_that_is_also_the_secrets_destination_is_written_before_the_config() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kratos.yml", &format!("{LEAK}{PLACEHOLDER}"));
    write(dir.path(), ".env", "LOG_LEVEL=trace\n");
    // The second write fails: the first must have been the env file with the secrets, so the
    // config never loses its secrets before they are somewhere else.
    let out = bin()
        .current_dir(dir.path())
        .args(["apply", "-c", "kratos.yml", "--env-file", ".env"])
        .args(["--secrets-to", "env-file:.env"])
        .env("KRATOS_HARDEN_TEST_FAIL_WRITE", "2")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Written: .env (also the secrets: "),
        "{stderr}"
    );
    assert!(stderr.contains("Not written: kratos.yml"), "{stderr}");
    let env = std::fs::read_to_string(dir.path().join(".env")).unwrap();
    assert!(env.contains("SECRETS_COOKIE="), "{env}");
}
