//! What the tool prints about hostile input: never a key that may be a pasted secret, never a
//! file name's control characters raw, and messages about the file's own purpose.

use crate::common::{bin, write};

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_duplicate_key_is_named_by_position_not_by_its_text() {
    let dir = tempfile::tempdir().unwrap();
    let key = "sk_live_9f8e7d6c5b4a39281706";
    write(
        dir.path(),
        "kratos.yml",
        &format!("dsn: memory\n{key}: 1\n  # x\n{key}: 2\n"),
    );
    let out = bin()
        .current_dir(dir.path())
        .args(["audit", "-c", "kratos.yml"])
        .output()
        .unwrap();
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("kratos.yml:4:1: this key is already set above"),
        "{stderr}"
    );
    assert!(!stderr.contains(key), "the key was printed: {stderr}");
}

#[test]
fn control_characters_in_file_names_are_escaped_in_text_output() {
    let dir = tempfile::tempdir().unwrap();
    // A folder name that would clear the screen and forge a report line if printed raw.
    let evil = "x\u{1b}[2J\nerror: forged";
    let sub = dir.path().join(evil);
    std::fs::create_dir(&sub).unwrap();
    write(&sub, "kratos.yml", "log:\n  leak_sensitive_values: true\n");
    write(&sub, "bad.yml", "dsn: a\ndsn: b\n");
    let walk = bin().arg("audit").arg(dir.path()).output().unwrap();
    let direct = bin()
        .args(["audit", "-c"])
        .arg(sub.join("bad.yml"))
        .output()
        .unwrap();
    let missing = bin()
        .args(["apply", "-c"])
        .arg(sub.join("missing\u{7}.yml"))
        .output()
        .unwrap();
    for out in [walk, direct, missing] {
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            stderr_of(&out)
        );
        assert!(!text.contains('\u{1b}'), "raw ESC: {text:?}");
        assert!(!text.contains('\u{7}'), "raw BEL: {text:?}");
        assert!(!text.contains("\nerror: forged"), "forged line: {text}");
        assert!(text.contains("x\\u{1b}[2J\\nerror: forged"), "{text}");
    }
}

#[test]
fn an_unusable_ignore_file_gets_a_message_about_ignore_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kratos.yml", "dsn: memory\n");
    std::fs::create_dir(dir.path().join("ignores")).unwrap();
    let mut many = String::from("ignore:\n");
    for _ in 0..400_000 {
        many.push_str("- 1\n");
    }
    write(dir.path(), "many.yml", &many);
    let huge = dir.path().join("huge.yml");
    std::fs::write(&huge, vec![b'#'; 11 << 20]).unwrap();
    for (file, expected) in [
        (
            "ignores",
            "ignores: is a folder; --ignore-file takes the YAML file",
        ),
        ("many.yml", "the ignore file is too large or complex"),
        (
            "huge.yml",
            "huge.yml: is larger than 10 MB; an ignore file lists",
        ),
    ] {
        let out = bin()
            .current_dir(dir.path())
            .args(["audit", "-c", "kratos.yml", "--ignore-file", file])
            .output()
            .unwrap();
        let stderr = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert!(stderr.contains(expected), "{file}: {stderr}");
        for wrong in ["alias", "configs over", "audit DIR"] {
            assert!(!stderr.contains(wrong), "{file}: {stderr}");
        }
    }
}
