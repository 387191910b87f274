//! `audit DIR` streams its report: deployments in path order whatever thread finished first,
//! broken configs reported on stderr without disturbing the document, and a reader that goes
//! away (`audit | head`) neither crashes the audit nor changes its exit code.

use std::io::Read as _;
use std::process::Stdio;

use crate::common::{bin, hardened_config, write};

/// 120 deployments: hardened ones, ones in dev mode and, at 57, one that does not parse.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let hardened = hardened_config();
    for i in 0..120 {
        let sub = dir.path().join(format!("d{i:03}"));
        std::fs::create_dir(&sub).expect("mkdir");
        let text = match i {
            57 => "dsn: [unclosed\n".to_owned(),
            _ if i % 3 == 0 => format!("{hardened}dev: true\n"),
            _ => hardened.clone(),
        };
        write(&sub, "kratos.yml", &text);
    }
    dir
}

#[test]
fn parts_arrive_in_path_order_and_errors_go_to_stderr() {
    let dir = folder();
    for format in ["json", "sarif", "text"] {
        let out = bin()
            .arg("audit")
            .arg(dir.path())
            .args(["--format", format, "--color", "never"])
            .output()
            .expect("runs");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{format}: a broken config is exit 2"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("d057/kratos.yml:1:"), "{stderr}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        match format {
            "json" => {
                let doc: serde_json::Value = serde_json::from_str(&stdout).expect("one document");
                let deployments = doc["deployments"].as_array().expect("deployments");
                assert_eq!(deployments.len(), 119);
                let names: Vec<&str> = deployments
                    .iter()
                    .map(|d| d["files"][0]["path"].as_str().unwrap_or(""))
                    .collect();
                let mut sorted = names.clone();
                sorted.sort_unstable();
                assert_eq!(names, sorted);
                let dev = deployments
                    .iter()
                    .filter(|d| {
                        d["findings"]
                            .as_array()
                            .is_some_and(|f| f.iter().any(|f| f["path"] == "dev"))
                    })
                    .count();
                assert_eq!(dev, 39, "every third, less the broken d057");
                let total: u64 = deployments
                    .iter()
                    .filter_map(|d| d["summary"]["total"].as_u64())
                    .sum();
                assert_eq!(doc["summary"]["total"].as_u64(), Some(total));
            }
            "sarif" => {
                let doc: serde_json::Value = serde_json::from_str(&stdout).expect("one log");
                let uris: Vec<&str> = doc["runs"][0]["results"]
                    .as_array()
                    .expect("results")
                    .iter()
                    .map(|r| {
                        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                            .as_str()
                            .unwrap_or("")
                    })
                    .collect();
                let mut sorted = uris.clone();
                sorted.sort_unstable();
                assert_eq!(uris, sorted, "results grouped by deployment, in path order");
            }
            _ => {
                let headers: Vec<&str> =
                    stdout.lines().filter(|l| l.contains("(Kratos ")).collect();
                assert_eq!(headers.len(), 119);
                let mut sorted = headers.clone();
                sorted.sort_unstable();
                assert_eq!(headers, sorted);
                assert!(stdout.contains("in 119 deployment(s)"), "{stdout}");
            }
        }
    }
}

#[test]
fn a_reader_that_goes_away_does_not_change_the_exit_code() {
    // 120 demo configs: about 1.7 MB of text, far more than a pipe buffers.
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..120 {
        let sub = dir.path().join(format!("d{i:03}"));
        std::fs::create_dir(&sub).expect("mkdir");
        write(&sub, "kratos.yml", kratos_harden::demo::CONFIG);
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kratos-harden"))
        .arg("audit")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut first = [0_u8; 64];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("some output");
    // The pipe is closed here: the audit must finish quietly and still fail on the demo.
    let out = child.wait_with_output().expect("finishes");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A folder that cannot be listed is one error line where its configs would have been; the
/// rest are still audited (exit 2). Root lists anything, so as root this runs as `nobody`.
#[test]
fn an_unlistable_folder_is_an_error_in_the_stream() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["a", "b", "c"] {
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).expect("mkdir");
        write(&sub, "kratos.yml", &hardened_config());
    }
    let Some(mut cmd) = crate::common::unprivileged("the unlistable folder case") else {
        return;
    };
    let mode = |path: &std::path::Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    mode(dir.path(), 0o755);
    mode(&dir.path().join("b"), 0o000);
    let out = cmd
        .arg("audit")
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .expect("runs");
    mode(&dir.path().join("b"), 0o755);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("/b: cannot list the folder: Permission denied"),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one document");
    let names: Vec<&str> = doc["deployments"]
        .as_array()
        .expect("deployments")
        .iter()
        .map(|d| d["files"][0]["path"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].ends_with("/a/kratos.yml") && names[1].ends_with("/c/kratos.yml"));
}
