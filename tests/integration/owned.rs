//! The tool's own file safety, tried as an attacker with write access to the config's folder
//! (or a careless user) would: `--output` at a device, a planted symlink or the input itself,
//! a FIFO named like a config, a symlink or a foreign file planted as the newest backup.
//! Each is refused with one line naming the path, exit 2, and nothing changes.

use std::os::unix::fs::FileTypeExt as _;
use std::path::Path;
use std::time::Duration;

use crate::common::{bin, write};

const LEAK: &str = "log:\n  leak_sensitive_values: true\n";

fn apply_output(config: &Path, output: &Path) -> std::process::Output {
    bin()
        .args(["apply", "--only", "KH250", "-c"])
        .arg(config)
        .arg("--output")
        .arg(output)
        .output()
        .unwrap()
}

fn refused(out: &std::process::Output, says: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(says), "{stderr}");
}

#[test]
fn output_never_replaces_a_device_a_link_or_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", LEAK);
    // A device: renaming over it would turn /dev/null into a regular file.
    let out = apply_output(&config, Path::new("/dev/null"));
    refused(&out, "is a device, not a regular file");
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // A symlink planted at the output name: its target is never written.
    let victim = write(dir.path(), "victim.txt", "keep me\n");
    let link = dir.path().join("out.yml");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    refused(&apply_output(&config, &link), "is a symbolic link");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    // The input itself under a second name (a hard link): the "unchanged" original would change.
    let twin = dir.path().join("twin.yml");
    std::fs::hard_link(&config, &twin).unwrap();
    refused(&apply_output(&config, &twin), "names the input");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), LEAK);
    // A folder.
    let folder = dir.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    refused(&apply_output(&config, &folder), "is a folder");
    // A regular file is still written.
    let fresh = dir.path().join("fresh.yml");
    assert!(apply_output(&config, &fresh).status.success());
    assert!(
        std::fs::read_to_string(&fresh)
            .unwrap()
            .contains("leak_sensitive_values: false")
    );
}

/// A character device made in the config's own folder (as an attacker with write access there
/// and `CAP_MKNOD` could): refused, and still a device afterwards.
#[test]
fn output_never_replaces_a_device_made_in_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", LEAK);
    let device = dir.path().join("out.yml");
    let made = std::process::Command::new("mknod")
        .arg(&device)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        crate::common::skip("mknod needs root (CAP_MKNOD): --output onto a made device");
        return;
    }
    refused(
        &apply_output(&config, &device),
        "is a device, not a regular file",
    );
    let kind = std::fs::symlink_metadata(&device).unwrap().file_type();
    assert!(kind.is_char_device(), "the device was replaced");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), LEAK);
}

#[test]
fn a_fifo_named_like_a_config_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("kratos.yml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for command in ["audit", "apply"] {
        let out = bin()
            .args([command, "-c"])
            .arg(&fifo)
            .timeout(Duration::from_secs(10))
            .output()
            .unwrap();
        refused(&out, "not a regular file");
    }
    // As the destination of moved secrets, too.
    let config = write(
        dir.path(),
        "real.yml",
        "secrets:\n  cookie: [q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w]\n",
    );
    let out = bin()
        .args(["apply", "--only", "KH210", "-c"])
        .arg(&config)
        .arg("--secrets-to")
        .arg(format!("env-file:{}", fifo.display()))
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    refused(&out, "not a regular file");
}

#[test]
fn undo_restores_only_a_backup_it_could_have_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", LEAK);
    let done = bin()
        .args(["apply", "--only", "KH250", "-c"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let fixed = std::fs::read_to_string(&config).unwrap();
    // A link planted as the newest backup, pointing at a secret file: never followed.
    let secret = write(dir.path(), "shadow", "root:$6$hash:19000::::::\n");
    std::os::unix::fs::symlink(&secret, dir.path().join("kratos.yml.bak.99991231T235959")).unwrap();
    let undo = bin().args(["undo"]).arg(&config).output().unwrap();
    assert!(
        undo.status.success(),
        "{}",
        String::from_utf8_lossy(&undo.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        LEAK,
        "the real backup"
    );
    // A regular file planted as the newest backup that is no config: refused.
    std::fs::write(&config, &fixed).unwrap();
    write(
        dir.path(),
        "kratos.yml.bak.99991231T235960",
        "- not\n- a config\n",
    );
    let undo = bin().args(["undo"]).arg(&config).output().unwrap();
    refused(&undo, "is not a config kratos-harden could have written");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), fixed);
}

/// The backup keeps the old content: owner-only, even when the secrets were moved out of the
/// (world-readable) config by `--secrets-to`.
#[test]
fn a_backup_is_owner_only_even_after_secrets_moved_out() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "kratos.yml",
        "secrets:\n  cookie: [q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w]\n",
    );
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let env = dir.path().join("kratos.env");
    let out = bin()
        .args(["apply", "--only", "KH210", "-c"])
        .arg(&config)
        .arg("--secrets-to")
        .arg(format!("env-file:{}", env.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let backups: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".bak."))
        .collect();
    assert_eq!(backups.len(), 1);
    let mode = backups[0].metadata().unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the backup still holds the cookie secret");
    assert!(
        std::fs::read_to_string(backups[0].path())
            .unwrap()
            .contains("q8Vt2m")
    );
}

/// One file named twice in a run (the same path, or a hard link) is refused before anything is
/// read or written: two edits of one file would lose one of them.
#[test]
fn the_same_file_twice_in_one_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", LEAK);
    let twin = dir.path().join("twin.yml");
    std::fs::hard_link(&config, &twin).unwrap();
    for second in [&config, &twin] {
        for command in ["audit", "apply"] {
            let out = bin()
                .args([command, "-c"])
                .arg(&config)
                .arg("-c")
                .arg(second)
                .output()
                .unwrap();
            refused(&out, "is the same file as");
        }
    }
    assert_eq!(std::fs::read_to_string(&config).unwrap(), LEAK);
}

/// A temporary file left by a killed run (`.kratos-harden-*.tmp`) is removed by the next write
/// in that folder, with a note; a fresh one (a run in progress) and a link are left alone.
#[test]
fn a_temp_file_left_by_a_killed_run_is_cleaned_up() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", LEAK);
    let stale = write(dir.path(), ".kratos-harden-dead01.tmp", "half a config");
    let old = std::time::SystemTime::now() - Duration::from_secs(600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let fresh = write(dir.path(), ".kratos-harden-live02.tmp", "in progress");
    let target = write(dir.path(), "keep.txt", "keep\n");
    let link = dir.path().join(".kratos-harden-link03.tmp");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = bin()
        .args(["apply", "--only", "KH250", "-c"])
        .arg(&config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stale.exists(), "the stale temp file is gone");
    assert!(
        stderr.contains("left by an interrupted kratos-harden run"),
        "{stderr}"
    );
    assert!(fresh.exists() && link.exists() && target.exists());
}

/// The destination of moved secrets is never a planted link: its target would receive them.
#[test]
fn moved_secrets_are_never_written_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(
        dir.path(),
        "kratos.yml",
        "secrets:\n  cookie: [q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w]\n",
    );
    let victim = write(dir.path(), "victim", "keep\n");
    let link = dir.path().join("kratos.env");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = bin()
        .args(["apply", "--only", "KH210", "-c"])
        .arg(&config)
        .arg("--secrets-to")
        .arg(format!("env-file:{}", link.display()))
        .output()
        .unwrap();
    refused(&out, "is a symbolic link");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep\n");
    assert!(
        std::fs::read_to_string(&config).unwrap().contains("q8Vt2m"),
        "config unchanged"
    );
}
