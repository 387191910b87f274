//! Runs that write hold a lock on the folder: a second `apply`, `wizard`, `rotate` or `undo` on
//! a file another run is writing is refused before it reads anything, naming the holder.

use std::path::Path;
use std::process::{Command, Stdio};

const CONFIG: &str = "log:\n  leak_sensitive_values: true\n";

fn backups(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".bak."))
        .count()
}

fn apply(path: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kratos-harden"));
    command.args(["apply", "--only", "KH250", "-c"]).arg(path);
    command
}

/// A run that holds the lock (paused inside its write).
fn holder(path: &Path) -> std::process::Child {
    crate::common::paused_apply(path).0
}

#[test]
fn a_second_writer_is_told_the_file_is_in_use_by_the_first_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kratos.yml");
    std::fs::write(&path, CONFIG).unwrap();
    let mut first = holder(&path);
    let pid = first.id();
    let undo_target = path.clone();
    for second in [
        apply(&path),
        {
            let mut c = Command::new(env!("CARGO_BIN_EXE_kratos-harden"));
            c.args(["rotate", "--secret", "cookie", "-c"]).arg(&path);
            c
        },
        {
            let mut c = Command::new(env!("CARGO_BIN_EXE_kratos-harden"));
            c.arg("undo").arg(&undo_target);
            c
        },
    ] {
        let mut second = second;
        let out = second.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("in use by another kratos-harden run"),
            "{stderr}"
        );
        assert!(stderr.contains(&format!("(PID {pid})")), "{stderr}");
        assert!(stderr.contains("nothing was read or written"), "{stderr}");
    }
    // Reading needs no lock: an audit runs while the write is in progress.
    let audit = Command::new(env!("CARGO_BIN_EXE_kratos-harden"))
        .args(["audit", "-c"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(audit.status.code(), Some(1), "{audit:?}");
    assert!(first.wait().unwrap().success());
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("leak_sensitive_values: false")
    );
    assert_eq!(backups(dir.path()), 1);
}

#[test]
fn eight_concurrent_applies_write_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kratos.yml");
    std::fs::write(&path, CONFIG).unwrap();
    let children: Vec<_> = (0..8)
        .map(|_| {
            apply(&path)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut wrote, mut in_use, mut nothing) = (0, 0, 0);
    for child in children {
        let out = child.wait_with_output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        match out.status.code() {
            Some(0) if text.contains("Wrote") => wrote += 1,
            Some(0) => nothing += 1,
            Some(2) if text.contains("in use by another kratos-harden run") => in_use += 1,
            other => panic!("unexpected {other:?}: {text}"),
        }
    }
    // One run wrote; every other one either waited its turn out (refused) or came after it and
    // found nothing left to fix. Never two writers: one backup, the fix once.
    assert_eq!(wrote, 1, "in use {in_use}, nothing to do {nothing}");
    assert_eq!(in_use + nothing, 7);
    assert_eq!(backups(dir.path()), 1);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.matches("leak_sensitive_values").count(), 1, "{text}");
}

#[test]
fn the_wizard_is_refused_too_while_a_write_is_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kratos.yml");
    std::fs::write(&path, CONFIG).unwrap();
    let mut first = holder(&path);
    let mut wizard = crate::pty::spawn(&["wizard", "--plain", "-c", "kratos.yml"], dir.path());
    let code = wizard.wait_exit();
    let screen = wizard.transcript();
    assert_eq!(code, Some(2), "{screen}");
    assert!(
        screen.contains("in use by another kratos-harden run"),
        "{screen}"
    );
    assert!(first.wait().unwrap().success());
}
