//! Crash safety: `apply` killed with SIGKILL at many moments during its run leaves the config
//! either exactly as it was or exactly as fixed, never partial, and whenever the fixed content
//! is in place a complete backup of the original exists.

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
    let start = Instant::now();
    let full = std::process::Command::new(env!("CARGO_BIN_EXE_kratos-harden"))
        .args(["apply", "--only", "KH250", "-c"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(full.status.success());
    let span = start.elapsed();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), new);
    let (mut saw_old, mut saw_new) = (0, 0);
    for step in 0..24u32 {
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
