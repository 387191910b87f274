//! Crash safety: `apply` killed with SIGKILL at many moments during its run leaves the config
//! either exactly as it was or exactly as fixed, never partial, and whenever the fixed content
//! is in place a complete backup of the original exists. A catchable signal also says what the
//! stop left of a run that writes several files.

use std::path::Path;
use std::time::{Duration, Instant};

/// A config whose write takes a few milliseconds: one fix, and a 1.6 MB comment to copy.
fn config() -> String {
    let mut text = String::from("log:\n  leak_sensitive_values: true\n");
    let line = format!("# {}\n", "x".repeat(78));
    for _ in 0..20_000 {
        text.push_str(&line);
    }
    text
}

fn backups(dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("kratos.yml.bak."))
        })
        .collect()
}

/// How long a full run takes on `path`, to spread the signals over it.
fn full_run(path: &Path) -> std::time::Duration {
    let start = Instant::now();
    let full = std::process::Command::new(env!("CARGO_BIN_EXE_kratos-harden"))
        .args(["apply", "--only", "KH250", "-c"])
        .arg(path)
        .output()
        .unwrap();
    assert!(full.status.success());
    start.elapsed()
}

#[test]
fn a_killed_apply_leaves_old_or_new_content_and_a_backup() {
    let old = config();
    let new = old.replacen(
        "leak_sensitive_values: true",
        "leak_sensitive_values: false",
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kratos.yml");
    // How long a full run takes, to spread the kills over it.
    std::fs::write(&path, &old).unwrap();
    let span = full_run(&path);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), new);
    let (mut saw_old, mut saw_new) = (0, 0);
    // 24 kills spread over the measured span, then later ones until a kill has landed after the
    // rename: under load (other tests) a run takes longer than the span measured at the start,
    // and a later kill still finds the run finished; the first kill is always before it.
    for step in 0..120u32 {
        if step >= 24 && saw_new > 0 {
            break;
        }
        for backup in backups(dir.path()) {
            std::fs::remove_file(backup).unwrap();
        }
        std::fs::write(&path, &old).unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kratos-harden"))
            .args(["apply", "--only", "KH250", "-c"])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(span.mul_f64(f64::from(step) / 20.0) + Duration::from_micros(200));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = std::fs::read_to_string(&path).unwrap();
        if now == old {
            saw_old += 1;
        } else {
            assert_eq!(now, new, "step {step}: the config is partial");
            saw_new += 1;
            let complete = backups(dir.path())
                .iter()
                .any(|b| std::fs::read_to_string(b).is_ok_and(|t| t == old));
            assert!(
                complete,
                "step {step}: fixed content without a complete backup"
            );
        }
    }
    // Both outcomes happened, so the kills did land before and after the rename.
    assert!(saw_old > 0 && saw_new > 0, "old {saw_old}, new {saw_new}");
}

/// The temporary files of a folder (`.kratos-harden-*.tmp`).
fn temps(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.starts_with(".kratos-harden-"))
        .collect()
}

#[test]
fn sigint_sigterm_and_sighup_during_a_write_leave_no_temporary_file() {
    let old = config();
    let new = old.replacen(
        "leak_sensitive_values: true",
        "leak_sensitive_values: false",
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kratos.yml");
    std::fs::write(&path, &old).unwrap();
    let span = full_run(&path);
    let (mut stopped, mut finished) = (0, 0);
    for (signal, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        for step in 0..10u32 {
            for backup in backups(dir.path()) {
                std::fs::remove_file(backup).unwrap();
            }
            std::fs::write(&path, &old).unwrap();
            let child = std::process::Command::new(env!("CARGO_BIN_EXE_kratos-harden"))
                .args(["apply", "--only", "KH250", "-c"])
                .arg(&path)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            std::thread::sleep(span.mul_f64(f64::from(step) / 8.0));
            let _ = std::process::Command::new("kill")
                .args([format!("-{signal}"), child.id().to_string()])
                .status();
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            match out.status.code() {
                Some(0) => finished += 1,
                // Before the handler is installed (the first instant), the default action.
                None if std::os::unix::process::ExitStatusExt::signal(&out.status)
                    == Some(number) => {}
                Some(c) if c == 128 + number => {
                    stopped += 1;
                    assert!(
                        stderr.contains(&format!("stopped by SIG{signal}")),
                        "{stderr}"
                    );
                }
                other => panic!("SIG{signal} step {step}: exit {other:?}: {stderr}"),
            }
            assert_eq!(
                temps(dir.path()),
                Vec::<String>::new(),
                "SIG{signal} step {step}"
            );
            let now = std::fs::read_to_string(&path).unwrap();
            assert!(
                now == old || now == new,
                "SIG{signal} step {step}: partial config"
            );
            // Any backup left is complete: a partial one is removed with the temporary file.
            for backup in backups(dir.path()) {
                assert_eq!(
                    std::fs::read_to_string(&backup).unwrap(),
                    old,
                    "partial backup"
                );
            }
            if now == new {
                assert_eq!(backups(dir.path()).len(), 1, "fixed without a backup");
            }
        }
    }
    assert!(
        stopped > 0,
        "no signal landed during a run ({finished} finished)"
    );
}

#[test]
fn a_signal_while_the_temporary_file_waits_for_its_rename_drops_it_and_keeps_the_original() {
    let old = config();
    for (signal, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kratos.yml");
        std::fs::write(&path, &old).unwrap();
        let (mut child, mut stderr, mut seen) = crate::common::paused_apply(&path);
        // The temporary file is complete and waiting: it is what the signal must remove.
        assert_eq!(temps(dir.path()).len(), 1, "{seen}");
        let code = signalled(&mut child, &mut stderr, &mut seen, signal);
        assert_eq!(code, Some(128 + number), "SIG{signal}: {seen}");
        assert!(seen.contains(&format!("stopped by SIG{signal}")), "{seen}");
        assert!(seen.contains("dropped the unfinished write of "), "{seen}");
        assert!(seen.contains("kratos.yml is unchanged"), "{seen}");
        assert!(!seen.contains("written before the stop"), "{seen}");
        assert_eq!(temps(dir.path()), Vec::<String>::new(), "SIG{signal}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), old, "SIG{signal}");
    }
}

const PAIR_CONFIG: &str =
    "log:\n  leak_sensitive_values: true\nsecrets:\n  cookie:\n    - changeme\n";
const PAIR_ENV: &str = "LOG_LEVEL=trace\n";

/// `apply --env-file k.env --secrets-to env-file:k.env` on a config with a placeholder secret:
/// two files change, k.env (the secrets destination) first, then kratos.yml. Paused before
/// the rename of the `file`-th (from 1) as long as it takes the test to send `signal`, then
/// stopped by it; returns the exit code and all it said.
fn stopped_pair(dir: &Path, file: u32, signal: &str) -> (Option<i32>, String) {
    std::fs::write(dir.join("kratos.yml"), PAIR_CONFIG).unwrap();
    std::fs::write(dir.join("k.env"), PAIR_ENV).unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kratos-harden"));
    command
        .current_dir(dir)
        .args(["apply", "-c", "kratos.yml", "--env-file", "k.env"])
        .args(["--secrets-to", "env-file:k.env"])
        .env("KRATOS_HARDEN_TEST_PAUSE_WRITE", file.to_string())
        // Far longer than any load makes the test take to send the signal.
        .env("KRATOS_HARDEN_TEST_PAUSE_SECS", "600");
    let (mut child, mut stderr, mut seen) = crate::common::paused(&mut command);
    let code = signalled(&mut child, &mut stderr, &mut seen, signal);
    (code, seen)
}

/// Sends `signal` to the paused `child`, waits for it and adds the rest of its stderr to
/// `seen`; returns its exit code.
fn signalled(
    child: &mut std::process::Child,
    stderr: &mut impl std::io::Read,
    seen: &mut String,
    signal: &str,
) -> Option<i32> {
    std::process::Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    stderr.read_to_string(seen).unwrap();
    status.code()
}

#[test]
fn a_signal_after_the_first_file_of_two_names_it_with_its_backup_and_the_dropped_second() {
    for (signal, number) in [("INT", 2), ("TERM", 15), ("HUP", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let (code, seen) = stopped_pair(dir.path(), 2, signal);
        assert_eq!(code, Some(128 + number), "SIG{signal}: {seen}");
        let env = std::fs::read_to_string(dir.path().join("k.env")).unwrap();
        assert!(env.contains("SECRETS_COOKIE="), "k.env was written: {env}");
        // The backup the message names is the one beside k.env, holding what it had.
        let backup = dir
            .path()
            .canonicalize()
            .unwrap()
            .join(names(dir.path(), "k.env.bak.").remove(0));
        assert_eq!(std::fs::read_to_string(&backup).unwrap(), PAIR_ENV);
        let written = format!(
            "stopped by SIG{signal}; written before the stop: k.env (backup {})",
            backup.display()
        );
        assert!(seen.contains(&written), "{seen}");
        assert!(seen.contains("`kratos-harden undo FILE`"), "{seen}");
        assert!(
            seen.contains("; dropped the unfinished write of kratos.yml (")
                && seen.contains(".tmp removed; kratos.yml is unchanged)"),
            "{seen}"
        );
        assert!(!seen.contains("k.env is unchanged"), "{seen}");
        assert!(!seen.contains("the file it was for is unchanged"), "{seen}");
        assert!(
            !seen.contains("not written"),
            "both files were reached: {seen}"
        );
        // File names only: no value of the secrets now in k.env.
        for line in env.lines().filter(|l| l.starts_with("SECRETS_")) {
            let value = line.split_once('=').unwrap().1.trim_matches(['"', '\'']);
            assert!(!seen.contains(value), "a secret in the message: {seen}");
        }
        assert_eq!(
            std::fs::read_to_string(dir.path().join("kratos.yml")).unwrap(),
            PAIR_CONFIG
        );
        assert_eq!(temps(dir.path()), Vec::<String>::new(), "SIG{signal}");
    }
}

#[test]
fn a_signal_in_the_first_file_of_two_names_its_dropped_write_and_the_file_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let (code, seen) = stopped_pair(dir.path(), 1, "TERM");
    assert_eq!(code, Some(128 + 15), "{seen}");
    assert!(
        seen.contains("stopped by SIGTERM; dropped the unfinished write of k.env (")
            && seen.contains(".tmp removed; k.env is unchanged); not written: kratos.yml"),
        "{seen}"
    );
    assert!(!seen.contains("written before the stop"), "{seen}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("k.env")).unwrap(),
        PAIR_ENV
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("kratos.yml")).unwrap(),
        PAIR_CONFIG
    );
    assert_eq!(temps(dir.path()), Vec::<String>::new());
}

/// The names in `dir` that start with `prefix`.
fn names(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(prefix))
        .collect()
}
