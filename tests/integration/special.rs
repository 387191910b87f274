//! Files that are not regular files — a FIFO (which blocks a reader until a writer comes) and a
//! symlink to `/dev/zero` (which never ends) — wherever the tool reads: `-c`, a folder walk, an
//! identity schema behind `file://`, an ignore file, an env file, an answers file. Each is
//! named once in one clear line, never hangs (10 s deadline) and never grows past the size limit (run under a 512 MiB
//! address-space limit).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::common::{bounded, write};

const LEAK: &str = "log:\n  leak_sensitive_values: true\n";

/// A FIFO and a `/dev/zero` symlink named `name` in fresh folders of `dir`.
fn specials(dir: &Path, name: &str) -> Vec<(PathBuf, &'static str)> {
    let fifo_dir = dir.join("fifo");
    let zero_dir = dir.join("zero");
    std::fs::create_dir_all(&fifo_dir).unwrap();
    std::fs::create_dir_all(&zero_dir).unwrap();
    let fifo = fifo_dir.join(name);
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let zero = zero_dir.join(name);
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    vec![(fifo, "is a FIFO (named pipe)"), (zero, "is a device")]
}

fn run(args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let out = bounded()
        .args(args)
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_special_file_as_the_config_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (path, says) in specials(dir.path(), "kratos.yml") {
        for command in [
            &["audit"][..],
            &["apply"],
            &["rotate", "--secret", "cookie"],
        ] {
            let mut args: Vec<&std::ffi::OsStr> = command.iter().map(AsRef::as_ref).collect();
            args.extend(["-c".as_ref(), path.as_os_str()]);
            let (code, _, stderr) = run(&args);
            assert_eq!(code, Some(2), "{command:?} {}: {stderr}", path.display());
            // Said once: an error chain repeated it ("…: is a FIFO…: is a FIFO…").
            assert_eq!(stderr.matches(says).count(), 1, "{command:?}: {stderr}");
            assert!(stderr.contains(&path.display().to_string()), "{stderr}");
        }
    }
}

#[test]
fn a_special_file_in_a_folder_walk_is_an_error_line_and_the_rest_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let made = specials(dir.path(), "kratos.yml");
    std::fs::create_dir(dir.path().join("real")).unwrap();
    write(&dir.path().join("real"), "kratos.yml", LEAK);
    let (code, stdout, stderr) = run(&["audit".as_ref(), dir.path().as_os_str()]);
    assert_eq!(code, Some(2), "a file that could not be read fails the run");
    for (path, says) in &made {
        let line = format!("error: {}", path.display());
        assert!(stderr.contains(&line) && stderr.contains(says), "{stderr}");
    }
    assert!(
        stdout.contains("KH250"),
        "the regular config is audited: {stdout}"
    );
}

#[test]
fn a_special_file_as_an_identity_schema_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    for (path, says) in specials(dir.path(), "identity.schema.json") {
        let config = write(
            dir.path(),
            "kratos.yml",
            &format!(
                "identity:\n  default_schema_id: d\n  schemas:\n    - id: d\n      url: file://{}\n",
                path.display()
            ),
        );
        let (code, stdout, stderr) = run(&[
            "audit".as_ref(),
            "--fail-on".as_ref(),
            "none".as_ref(),
            "-c".as_ref(),
            config.as_os_str(),
        ]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stdout.contains("KH151"), "{stdout}");
        assert!(stdout.contains(says), "the finding says why: {stdout}");
    }
}

#[test]
fn a_special_file_as_an_ignore_env_or_answers_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = write(dir.path(), "kratos.yml", LEAK);
    for (path, says) in specials(dir.path(), "special") {
        for (command, flag) in [
            ("audit", "--ignore-file"),
            ("audit", "--env-file"),
            ("apply", "--env-file"),
            ("apply", "--answers"),
        ] {
            let (code, _, stderr) = run(&[
                command.as_ref(),
                "-c".as_ref(),
                config.as_os_str(),
                flag.as_ref(),
                path.as_os_str(),
            ]);
            assert_eq!(code, Some(2), "{command} {flag}: {stderr}");
            assert_eq!(
                stderr.matches(says).count(),
                1,
                "{command} {flag}: {stderr}"
            );
        }
    }
}
