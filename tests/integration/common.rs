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

/// Says, on the real stderr (libtest captures `println!`), that a test was skipped. Under
/// `CI=true` nothing may skip (`.ci/run` installs what the tests need): the test fails instead.
pub fn skip(why: &str) {
    use std::io::Write as _;
    assert!(
        std::env::var_os("CI").is_none_or(|v| v != "true"),
        "under CI=true no test may skip, but: {why}"
    );
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// The real binary, with colour and environment influences cleared.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kratos-harden"));
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd
}

/// Runs the binary in `dir` with `args` and returns what it did.
pub fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    bin().current_dir(dir).args(args).output().expect("runs")
}

/// The binary under a 512 MiB address-space limit (`prlimit`, util-linux), so input that made
/// it allocate without bound fails the test instead of the machine; plain [`bin`] without
/// `prlimit`.
pub fn bounded() -> Command {
    if std::process::Command::new("prlimit")
        .arg("--version")
        .output()
        .is_err()
    {
        return bin();
    }
    let mut cmd = Command::new("prlimit");
    cmd.args(["--as=536870912", "--"])
        .arg(env!("CARGO_BIN_EXE_kratos-harden"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
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

/// True when this process runs as root (file permissions do not stop it).
pub fn is_root() -> bool {
    let probe = tempfile::tempdir().expect("tempdir");
    let locked = probe.path().join("locked");
    std::fs::create_dir(&locked).expect("mkdir");
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o500))
        .expect("chmod");
    let root = std::fs::write(locked.join("probe"), "x").is_ok();
    let _ = std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o700));
    root
}

/// The binary as a user whom file permissions stop: this user, or `nobody` through `setpriv`
/// (util-linux) when running as root; `None` (after a skip line) when neither is possible.
/// As `nobody`, what the binary must reach has to be readable by others.
pub fn unprivileged(what: &str) -> Option<Command> {
    if !is_root() {
        return Some(bin());
    }
    if std::process::Command::new("setpriv")
        .arg("--version")
        .output()
        .is_err()
    {
        skip(&format!("running as root without setpriv: {what}"));
        return None;
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_kratos-harden"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    Some(cmd)
}

/// The rule ids of a JSON report's first deployment, in report order.
pub fn rule_ids(doc: &serde_json::Value) -> Vec<String> {
    doc["deployments"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// `apply --only KH250 -c path` stopped inside its write (the debug-build pause hook), its
/// temporary file complete and its lock held; returns the child, its stderr reader and what
/// it said so far.
pub fn paused_apply(
    path: &Path,
) -> (
    std::process::Child,
    std::io::BufReader<std::process::ChildStderr>,
    String,
) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_kratos-harden"));
    command
        .args(["apply", "--only", "KH250", "-c"])
        .arg(path)
        .env("KRATOS_HARDEN_TEST_PAUSE_WRITE", "1");
    paused(&mut command)
}

/// `command` (a write run with `KRATOS_HARDEN_TEST_PAUSE_WRITE` set) started and waited for
/// until it says it paused before a rename: no timing, however loaded the machine. Returns
/// the child, its stderr reader and what it said so far.
pub fn paused(
    command: &mut std::process::Command,
) -> (
    std::process::Child,
    std::io::BufReader<std::process::ChildStderr>,
    String,
) {
    use std::io::BufRead as _;
    let mut child = command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    while !seen.contains("test pause before the rename") {
        assert!(
            stderr.read_line(&mut seen).expect("read") > 0,
            "no pause: {seen}"
        );
    }
    (child, stderr, seen)
}
