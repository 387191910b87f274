//! Golden files through the real binary: `tests/golden/<case>.in.<ext>` patched by `apply` with
//! a fixed set of deterministic fixes must equal `<case>.out.<ext>` byte for byte. The cases
//! cover full-line and trailing comments, 4-space indentation, flow mappings and sequences,
//! indentless lists, quoted and block scalars, CRLF without a final newline, and pretty JSON.
//! Each `.out` file differs from its input only in the lines the fixes had to change.

use crate::common::{bin, root};

/// Fixes with no generated values: dev mode, logging, bcrypt cost, session extension. Unsafe
/// ones included: without an https public URL, turning dev mode off is unsafe.
const RULES: &str = "KH230,KH250,KH251,KH222,KH264";

#[test]
fn golden_files() {
    let dir = root().join("tests/golden");
    let mut cases = 0;
    for entry in std::fs::read_dir(&dir).expect("golden folder") {
        let input = entry.expect("entry").path();
        let name = input
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let Some((stem, ext)) = name.split_once(".in.") else {
            continue;
        };
        cases += 1;
        let expected =
            std::fs::read(dir.join(format!("{stem}.out.{ext}"))).expect("expected output");
        let work = tempfile::tempdir().expect("tempdir");
        let copy = work.path().join(format!("kratos.{ext}"));
        std::fs::copy(&input, &copy).expect("copy");
        bin()
            .args(["apply", "--unsafe-fixes", "--only", RULES, "-c"])
            .arg(&copy)
            .assert()
            .code(0);
        let got = std::fs::read(&copy).expect("read");
        assert!(
            got == expected,
            "{name}: output differs:\n{}",
            String::from_utf8_lossy(&got)
        );
        let backups = std::fs::read_dir(work.path()).expect("list").filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().contains(".bak."))
        });
        assert_eq!(backups.count(), 1, "{name}: one backup is taken");
        // A second run has nothing left to do and leaves the file byte-identical.
        bin()
            .args(["apply", "--only", RULES, "--check", "-c"])
            .arg(&copy)
            .assert()
            .code(0);
        assert!(std::fs::read(&copy).expect("read") == expected);
    }
    assert!(cases >= 6, "only {cases} golden cases");
}
