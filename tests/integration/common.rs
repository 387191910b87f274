//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` next to the checkout, when present (upstream data is read, never copied).
pub fn shared() -> Option<PathBuf> {
    let dir = root().join("../shared/kratos");
    dir.is_dir().then_some(dir)
}

/// Says, on the real stderr (libtest captures `println!`), that a test was skipped.
pub fn skip(why: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// The real binary, with colour and environment influences cleared.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kratos-harden"));
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

/// Writes a file and returns its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write fixture");
    path
}

/// A config with nothing at or above `high` (tests/fixtures/hardened.yml).
pub fn hardened_config() -> String {
    std::fs::read_to_string(root().join("tests/fixtures/hardened.yml")).expect("hardened fixture")
}
