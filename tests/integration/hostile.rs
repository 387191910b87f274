//! Malformed and hostile inputs through `audit`, `apply --dry-run`, `apply` and the wizard (on
//! a terminal, full-screen and `--plain`): a one-line error naming file:line:column where there
//! is one, exit code 2, no panic, bounded time and memory (512 MiB of address space), and the
//! file byte-identical afterwards.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use crate::common::{bin, write};

/// Generous: every case finishes in well under a second on a laptop.
const LIMIT: Duration = Duration::from_secs(20);

/// An alias bomb ("billion laughs"): ten levels of nine-fold aliases.
fn alias_bomb() -> String {
    let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for level in 1..10u8 {
        let (name, prev) = (char::from(b'a' + level), char::from(b'a' + level - 1));
        let refs = vec![format!("*{prev}"); 9].join(", ");
        let _ = writeln!(text, "{name}: &{name} [{refs}]");
    }
    text
}

/// `(file name, content, what stderr must say)`; all exit 2.
fn cases() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        (
            "invalid.yml",
            b"serve:\n  public: [1, 2\n  x: }\n".to_vec(),
            "invalid.yml:3:4: invalid YAML/JSON",
        ),
        (
            "dup.yml",
            b"dsn: a\ndsn: b\n".to_vec(),
            "dup.yml:2:1: this key is already set above in the same mapping",
        ),
        ("bomb.yml", alias_bomb().into_bytes(), "alias bomb"),
        (
            "deep.yml",
            [
                b"a: ".as_slice(),
                &b"[".repeat(100_000),
                &b"]".repeat(100_000),
                b"\n",
            ]
            .concat(),
            "nested too deeply",
        ),
        (
            "binary.yml",
            (0..=255u8).cycle().take(2560).collect(),
            "binary.yml:2:118: the file is not valid UTF-8",
        ),
        (
            "latin1.yml",
            b"dsn: \"caf\xe9\"\n".to_vec(),
            "latin1.yml:1:10: the file is not valid UTF-8",
        ),
        (
            "empty.yml",
            Vec::new(),
            "empty.yml:1:1: the top level is an empty document",
        ),
        (
            "list.yml",
            b"- a\n- b\n".to_vec(),
            "list.yml:1:1: the top level is a list",
        ),
        (
            "scalar.yml",
            b"hello\n".to_vec(),
            "scalar.yml:1:1: the top level is a string",
        ),
        (
            "tabs.yml",
            b"serve:\n\tpublic:\n\t\tport: 1\n".to_vec(),
            "tabs.yml:2:2: invalid YAML/JSON: tabs",
        ),
        (
            "multi.yml",
            b"dsn: a\n---\ndsn: b\n".to_vec(),
            "multi.yml:3:1: the file holds several YAML documents",
        ),
        (
            "kratos.toml",
            b"dsn = 'memory'\n".to_vec(),
            "TOML configs are not supported",
        ),
        (
            "yaml.json",
            b"dsn: memory\n".to_vec(),
            "yaml.json:1:1: invalid JSON",
        ),
        (
            "comma.json",
            b"{\"dsn\": \"memory\",}\n".to_vec(),
            "comma.json:1:18: invalid JSON",
        ),
    ]
}

fn run(args: &[&str], file: &Path) -> (Option<i32>, String) {
    let out = crate::common::bounded()
        .args(args)
        .arg(file)
        .timeout(LIMIT)
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(file: &Path, says: &str) {
    let before = std::fs::read(file).ok();
    for args in [
        &["audit", "-c"][..],
        &["apply", "--dry-run", "-c"][..],
        &["apply", "--unsafe-fixes", "-c"][..],
    ] {
        let (code, stderr) = run(args, file);
        assert_eq!(code, Some(2), "{args:?} {}: {stderr}", file.display());
        assert!(
            stderr.contains(says),
            "{args:?} {}: {stderr}",
            file.display()
        );
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(
            std::fs::read(file).ok(),
            before,
            "{args:?} changed {}",
            file.display()
        );
    }
}

/// The wizard on a real terminal, full-screen and `--plain`: it stops at the loader with the
/// same error, before drawing anything, and leaves the terminal usable.
fn check_wizard(file: &Path, says: &str) {
    let before = std::fs::read(file).ok();
    let cwd = file.parent().unwrap_or(file);
    let path = file.to_str().expect("utf-8 temp path");
    for args in [
        &["wizard", "-c", path][..],
        &["wizard", "--plain", "-c", path][..],
    ] {
        let mut pty = crate::pty::spawn_sized(args, cwd, (40, 400));
        // The output may reach the reader thread after the exit: wait for it first.
        let said = pty.wait_until(crate::pty::TIMEOUT, |p| p.transcript().contains(says));
        assert!(said.is_ok(), "{args:?}: {}", pty.transcript());
        assert_eq!(pty.wait_exit(), Some(2), "{args:?}: {}", pty.transcript());
        let out = pty.transcript();
        assert!(!out.contains("panicked"), "{out}");
        // No alternate screen was entered, so nothing needs restoring.
        assert!(
            !out.contains("\x1b[?1049h"),
            "{args:?} drew a screen: {out:?}"
        );
        assert_eq!(std::fs::read(file).ok(), before, "{args:?} changed {path}");
    }
}

#[test]
fn broken_inputs_are_refused_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes, says) in cases() {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        check(&path, says);
        check_wizard(&path, says);
    }
}

#[test]
fn a_huge_file_a_folder_and_a_missing_file_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.yml");
    // Sparse: 100 MB long without writing 100 MB.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    check(&big, "configs over 10 MB are refused");
    check_wizard(&big, "configs over 10 MB are refused");
    let folder = dir.path().join("folder.yml");
    std::fs::create_dir(&folder).unwrap();
    check(&folder, "is a directory");
    check_wizard(&folder, "is a directory");
    check(&dir.path().join("missing.yml"), "cannot read the file");
    check_wizard(&dir.path().join("missing.yml"), "cannot read the file");
}

/// `apply` of the one fix these cases need: `log.leak_sensitive_values: true` → `false`.
fn fix_leak(path: &Path) -> std::process::Output {
    bin()
        .args(["apply", "--only", "KH250", "-c"])
        .arg(path)
        .output()
        .unwrap()
}

#[test]
fn a_byte_order_mark_is_read_and_kept_on_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kratos.yml");
    std::fs::write(&path, b"\xef\xbb\xbflog:\n  leak_sensitive_values: true\n").unwrap();
    let out = fix_leak(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"\xef\xbb\xbflog:\n  leak_sensitive_values: false\n"
    );
}

#[test]
fn merge_keys_are_read_but_not_edited_through() {
    let dir = tempfile::tempdir().unwrap();
    let text = "base: &b\n  leak_sensitive_values: true\nlog:\n  <<: *b\n  level: info\n";
    let path = write(dir.path(), "kratos.yml", text);
    let out = fix_leak(&path);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("KH250"), "reported: {stdout}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "left for the operator"
    );
}

#[test]
fn a_symlink_is_written_through_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("real")).unwrap();
    let target = write(
        &dir.path().join("real"),
        "kratos.yml",
        "log:\n  leak_sensitive_values: true\n",
    );
    let link = dir.path().join("link.yml");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = fix_leak(&link);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "log:\n  leak_sensitive_values: false\n"
    );
}

#[test]
fn broken_identity_schemas_are_findings_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notjson.json", "{not json");
    let config = write(
        dir.path(),
        "kratos.yml",
        "identity:\n  default_schema_id: d\n  schemas:\n    - id: d\n      url: file://missing.json\n    - id: e\n      url: file://notjson.json\n",
    );
    let out = bin()
        .args(["audit", "--fail-on", "none", "-c"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("KH151").count(), 2, "{stdout}");
}

/// The files of `dir`, sorted: to see that no backup or temporary file was left.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A read-only file is not replaced, even by root (a rename could): exit 2, one line that
/// says what to do, the file and its folder unchanged; the wizard stops before its walk.
#[test]
fn a_read_only_file_is_left_alone() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let text = "log:\n  leak_sensitive_values: true\n";
    let path = write(dir.path(), "kratos.yml", text);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    for args in [&["apply", "-c"][..], &["apply", "--unsafe-fixes", "-c"][..]] {
        let (code, stderr) = run(args, &path);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains("kratos.yml: the file is read-only (mode 0444)"),
            "{stderr}"
        );
        assert!(stderr.contains("chmod u+w"), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert_eq!(listing(dir.path()), ["kratos.yml"]);
    let (code, _) = run(&["apply", "--dry-run", "-c"], &path);
    assert_eq!(code, Some(0), "a dry run only reads");
    // The wizard says so before the walk rather than refusing the write at its end.
    check_wizard(
        &path,
        "kratos.yml: the file is read-only, so the wizard could not write",
    );
}

/// A folder the user cannot write to: `apply` cannot create its temporary file or backup, so
/// it stops with exit 2 and the file is unchanged. Root writes anywhere, so as root the
/// binary runs as `nobody` (see `common::unprivileged`).
#[test]
fn a_read_only_folder_is_refused() {
    use std::os::unix::fs::{PermissionsExt as _, chown};
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("ro");
    std::fs::create_dir(&sub).unwrap();
    let text = "log:\n  leak_sensitive_values: true\n";
    let path = write(&sub, "kratos.yml", text);
    let Some(mut cmd) = crate::common::unprivileged("the read-only folder case") else {
        return;
    };
    // As `nobody`, it owns the file (so only the folder stops the write) and can reach it.
    if crate::common::is_root() {
        chown(&path, Some(65_534), Some(65_534)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o555)).unwrap();
    let out = cmd
        .args(["apply", "-c"])
        .arg(&path)
        .timeout(LIMIT)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Permission denied"), "{stderr}");
    assert!(stderr.contains("make the folder writable"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert_eq!(listing(&sub), ["kratos.yml"]);
}

/// The demo config broken at many places, three ways (a tab-indented line after a key, an
/// unterminated quote, an unclosed flow list): every one is exit 2 with one line naming the
/// file, and a line:column at or after the damage (YAML may read on before it gives up), never
/// before it; the file is unchanged.
#[test]
fn invalid_yaml_at_many_positions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kratos.yml");
    let lines: Vec<&str> = kratos_harden::demo::CONFIG.lines().collect();
    let keys: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let t = lines[i].trim_start();
            t.split_once(':').is_some_and(|(k, _)| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            })
        })
        .collect();
    assert!(keys.len() > 100, "the demo has many keys");
    let mut checked = 0;
    for &at in keys.iter().step_by(9) {
        let key = lines[at].split(':').next().unwrap_or_default();
        for kind in 0..3 {
            let mut broken: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
            match kind {
                0 => broken.insert(at + 1, format!("\t{}", lines[at].trim())),
                1 => broken[at] = format!("{key}: \"unterminated"),
                _ => broken[at] = format!("{key}: [a, b"),
            }
            let text = broken.join("\n") + "\n";
            std::fs::write(&path, &text).unwrap();
            for args in [
                &["audit", "-c"][..],
                &["apply", "--dry-run", "-c"][..],
                &["apply", "-c"][..],
            ] {
                let (code, stderr) = run(args, &path);
                assert_eq!(code, Some(2), "{args:?} line {}: {stderr}", at + 1);
                assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
                let rest = stderr
                    .strip_prefix(&format!("error: {}:", path.display()))
                    .unwrap_or_else(|| panic!("names the file: {stderr}"));
                let mut numbers = rest.splitn(3, ':').map(str::parse::<usize>);
                let (Some(Ok(line)), Some(Ok(column))) = (numbers.next(), numbers.next()) else {
                    panic!("line:column: {stderr}");
                };
                assert!(column >= 1, "{stderr}");
                assert!(
                    line >= at && line <= broken.len() + 1,
                    "kind {kind}, damage on line {}: {stderr}",
                    at + 1
                );
                assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
                checked += 1;
            }
        }
    }
    assert!(checked >= 100, "{checked}");
}
