//! `undo` as a history: one step back per call, the mode and owner the file had, `--to` any
//! backup (an undo's own copy too), `--list`, and `--keep` pruning that says what it removed.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::common::{bin, write};

const V0: &str = "log:\n  leak_sensitive_values: true\n  level: trace\n";

fn run(args: &[&str], dir: &Path) -> String {
    let out = bin().current_dir(dir).args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{args:?}: {text}");
    text
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn undo_walks_back_one_write_per_call_and_restores_the_mode() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", V0);
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    run(
        &["apply", "--only", "KH250", "-c", "kratos.yml"],
        dir.path(),
    );
    // The operator then writes a placeholder secret into the file (mode unchanged).
    let v1 = std::fs::read_to_string(&config).unwrap()
        + "secrets:\n  cookie:\n    - PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\n";
    std::fs::write(&config, &v1).unwrap();
    // The second write generates secrets: the file is tightened to 0600.
    run(&["apply", "-c", "kratos.yml"], dir.path());
    let v2 = std::fs::read_to_string(&config).unwrap();
    assert_eq!(mode(&config), 0o600);
    assert!(v1 != V0 && v2 != v1);

    let first = run(&["undo", "kratos.yml"], dir.path());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), v1, "{first}");
    assert_eq!(
        mode(&config),
        0o644,
        "the mode the file had before the write"
    );
    assert!(first.contains("Another `undo` restores"), "{first}");
    let second = run(&["undo", "kratos.yml"], dir.path());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), V0, "{second}");
    assert!(
        second.contains("No older write is left to undo"),
        "{second}"
    );

    // Nothing further back: refused, file unchanged.
    let out = bin()
        .current_dir(dir.path())
        .args(["undo", "kratos.yml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("undone already"));
    assert_eq!(std::fs::read_to_string(&config).unwrap(), V0);

    // The undos kept what they replaced: `--to` brings the hardened version back, with the
    // mode it had then.
    let list = run(&["undo", "--list", "kratos.yml"], dir.path());
    let v2_copy = list
        .lines()
        .find(|l| l.contains("undo") && l.contains("mode 0600"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no undo copy of v2 listed: {list}"))
        .to_owned();
    run(&["undo", "--to", &v2_copy, "kratos.yml"], dir.path());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), v2);
    assert_eq!(mode(&config), 0o600);
}

#[test]
fn keep_prunes_only_its_own_oldest_backups_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kratos.yml",
        "secrets:\n  cookie:\n    - q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnA\n",
    );
    // Copies made by hand (one with a stamp-like name, one not): never counted or removed.
    write(dir.path(), "kratos.yml.bak.20200101T000000", V0);
    write(dir.path(), "kratos.yml.bak.before-upgrade", V0);
    let rotate = [
        "rotate",
        "--secret",
        "cookie",
        "--keep",
        "2",
        "-c",
        "kratos.yml",
    ];
    run(&rotate, dir.path());
    run(&rotate, dir.path());
    let third = run(&rotate, dir.path());
    assert!(
        third.contains("Removed 1 old backup beyond --keep"),
        "{third}"
    );
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains(".bak."))
        .collect();
    assert_eq!(left.len(), 4, "two of ours and the two copies: {left:?}");
    assert!(left.contains(&"kratos.yml.bak.20200101T000000".to_owned()));
    assert!(left.contains(&"kratos.yml.bak.before-upgrade".to_owned()));
}

/// A history planted by the config's owner (not the user running the tool) is not trusted:
/// no mode from it (a setuid bit, world-writable) and no owner.
#[test]
fn a_history_written_by_another_user_is_not_trusted() {
    use std::os::unix::fs::MetadataExt as _;
    if !crate::common::is_root() {
        crate::common::skip("needs root to plant files of another user");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", V0);
    run(
        &["apply", "--only", "KH250", "-c", "kratos.yml"],
        dir.path(),
    );
    let history = dir.path().join("kratos.yml.kratos-harden-history");
    let backup = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.starts_with("kratos.yml.bak."))
        .unwrap();
    std::fs::write(
        &history,
        format!("{{\"backup\":\"{backup}\",\"by\":\"apply\",\"mode\":3583,\"uid\":65534,\"gid\":65534}}\n"),
    )
    .unwrap();
    std::os::unix::fs::chown(&history, Some(65534), Some(65534)).unwrap();
    std::os::unix::fs::chown(&config, Some(65534), Some(65534)).unwrap();
    let before = std::fs::metadata(&config).unwrap().mode() & 0o7777;
    // The backup root took is still found (owned by root, the config by nobody).
    run(&["undo", "kratos.yml"], dir.path());
    let meta = std::fs::metadata(&config).unwrap();
    assert_eq!(std::fs::read_to_string(&config).unwrap(), V0);
    assert_eq!(
        meta.mode() & 0o7777,
        before,
        "the planted mode 6777 was used"
    );
    assert_eq!(meta.uid(), 65534, "the owner stays");
}

/// A planted backup name that is no timestamp (or not ASCII) is not a backup: no panic.
#[test]
fn a_planted_backup_name_is_ignored_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kratos.yml", V0);
    write(dir.path(), "kratos.yml.bak.ab\u{20ac}cdeT123456", V0);
    let list = run(&["undo", "--list", "kratos.yml"], dir.path());
    assert!(list.contains("no backups"), "{list}");
}

#[test]
fn a_planted_history_is_never_followed_or_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", V0);
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).unwrap();
    // A link planted as the history, pointing at a file the run must not overwrite.
    let victim = write(dir.path(), "victim", "precious\n");
    std::os::unix::fs::symlink(&victim, dir.path().join("kratos.yml.kratos-harden-history"))
        .unwrap();
    let out = run(
        &["apply", "--only", "KH250", "-c", "kratos.yml"],
        dir.path(),
    );
    assert!(out.contains("history was not updated"), "{out}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    // Without a history the backup is still restored, with the file's current mode.
    run(&["undo", "kratos.yml"], dir.path());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), V0);
    assert_eq!(mode(&config), 0o600);
}

#[test]
fn an_env_file_is_undone_like_a_config() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kratos.yml",
        "dsn: memory\nsecrets:\n  cookie:\n    - changeme\n",
    );
    let env = write(dir.path(), ".env", "LOG_LEAK_SENSITIVE_VALUES=true\n");
    run(
        &[
            "apply",
            "-c",
            "kratos.yml",
            "--env-file",
            ".env",
            "--secrets-to",
            "env-file:.env",
        ],
        dir.path(),
    );
    assert!(
        std::fs::read_to_string(&env)
            .unwrap()
            .contains("SECRETS_COOKIE=")
    );
    let out = run(&["undo", ".env"], dir.path());
    assert_eq!(
        std::fs::read_to_string(&env).unwrap(),
        "LOG_LEAK_SENSITIVE_VALUES=true\n",
        "{out}"
    );
    // A planted backup compose would not read is refused for an env file too.
    write(
        dir.path(),
        ".env.bak.99991231T235959",
        "NOT A LINE\n'unterminated\n",
    );
    let refused = bin()
        .current_dir(dir.path())
        .args(["undo", ".env"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a config"));
}

/// In a folder others can write to, anyone can rename a file of ours (another config with its
/// secrets) to a backup's name, even over a real backup: there only a backup the history
/// recorded, down to its inode and size, is restored.
#[test]
fn a_file_renamed_to_a_backup_name_in_a_shared_folder_is_never_restored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let config = write(dir.path(), "kratos.yml", V0);
    run(
        &["apply", "--only", "KH250", "-c", "kratos.yml"],
        dir.path(),
    );
    let fixed = std::fs::read_to_string(&config).unwrap();
    let secret = "dsn: postgres://admin:ROOTSECRET@db/kratos\n";
    // A newer name than any real backup: the next undo would pick it.
    let prod = write(dir.path(), "prod.yml", secret);
    std::fs::rename(&prod, dir.path().join("kratos.yml.bak.20991231T235959")).unwrap();
    let list = run(&["undo", "--list", "kratos.yml"], dir.path());
    assert!(!list.contains("20991231T235959"), "{list}");
    run(&["undo", "kratos.yml"], dir.path());
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        V0,
        "the recorded backup"
    );
    // Renamed over the recorded backup itself: not that backup any more.
    std::fs::write(&config, &fixed).unwrap();
    let real = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.starts_with("kratos.yml.bak.2026") || n.starts_with("kratos.yml.bak.2027"))
        .unwrap();
    let prod = write(dir.path(), "prod.yml", secret);
    std::fs::rename(&prod, dir.path().join(&real)).unwrap();
    let _ = bin()
        .current_dir(dir.path())
        .args([
            "undo",
            "--to",
            real.trim_start_matches("kratos.yml.bak."),
            "kratos.yml",
        ])
        .output()
        .unwrap();
    assert!(
        !std::fs::read_to_string(&config)
            .unwrap()
            .contains("ROOTSECRET")
    );
}
