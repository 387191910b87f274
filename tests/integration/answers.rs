//! Recorded wizard decisions replayed by `apply --answers`: the same paths change; a missing
//! decision follows the documented default, or fails first with `--require-answers`. The
//! answers file is hostile input: every bad entry is named by its line, a value the wizard
//! would refuse is refused, nothing is written, and no secret is echoed.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use kratos_harden::answers::Answers;
use kratos_harden::config::Deployment;
use kratos_harden::fix::SecretsTo;
use kratos_harden::harden::Options;
use kratos_harden::review::{self, Decision, Message, Screen};
use kratos_harden::secret::OsSecrets;
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{bin, write};

fn item_of(s: &review::Session, rule: &str) -> usize {
    (0..s.items.len())
        .find(|i| s.finding(*i).rule.id == rule)
        .expect("item")
}

#[test]
fn recorded_decisions_replay_to_the_same_changed_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = kratos_harden::demo::materialize(dir.path()).expect("demo");
    let deployment = Deployment::load(std::slice::from_ref(&config)).expect("loads");
    let mut s = review::start(
        deployment,
        &Options::default(),
        SecretsTo::Inline,
        Box::new(OsSecrets),
    )
    .expect("plans");
    // Accept every safe fix, then skip one of them, edit one and accept one unsafe fix.
    s.update(Message::AcceptAllSafe);
    let level = item_of(&s, "KH251");
    s.decisions[level] = Decision::Skip;
    let age = item_of(&s, "KH122");
    s.screen = Screen::Item(age);
    s.update(Message::StartEdit);
    for _ in 0..10 {
        s.update(Message::DeleteChar);
    }
    for c in "10m".chars() {
        s.update(Message::Input(c));
    }
    s.update(Message::Accept);
    assert_eq!(s.decisions[age], Decision::Edited(Value::from("10m")));
    let cors = item_of(&s, "KH241");
    s.screen = Screen::Item(cors);
    s.update(Message::Accept);
    s.update(Message::Yes);
    let expected: BTreeSet<String> = s
        .accepted_ops()
        .into_iter()
        .flat_map(|(_, ops)| ops.into_iter().map(|op| op.path().to_owned()))
        .collect();

    let answers = Answers::from_session(&s).to_yaml();
    for (_, secret) in &s.generated {
        assert!(
            !answers.contains(secret.expose()),
            "no secret in the answers file"
        );
    }
    let file = write(dir.path(), "answers.yml", &answers);
    let out = bin()
        .args(["apply", "--dry-run", "--format", "json", "--answers"])
        .arg(&file)
        .arg("-c")
        .arg(&config)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    let replayed: BTreeSet<String> = doc["applied"]
        .as_array()
        .expect("applied")
        .iter()
        .flat_map(|a| a["operations"].as_array().into_iter().flatten())
        .filter_map(|o| o["path"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(replayed, expected);
    let diff = doc["files"][0]["diff"].as_str().expect("diff");
    assert!(
        diff.contains("privileged_session_max_age: 10m"),
        "the edited value is replayed"
    );
    assert!(
        !diff.contains("+  level: info"),
        "the skipped fix stays skipped"
    );
}

#[test]
fn require_answers_names_what_is_missing_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(
        dir.path(),
        "kratos.yml",
        "log:\n  level: debug\n  leak_sensitive_values: true\n",
    );
    let answers = write(
        dir.path(),
        "answers.yml",
        "answers:\n  - rule: KH250\n    path: log.leak_sensitive_values\n    decision: accept\n",
    );
    let before = std::fs::read(&config).expect("read");
    bin()
        .args([
            "apply",
            "--only",
            "KH250,KH251",
            "--require-answers",
            "--answers",
        ])
        .arg(&answers)
        .arg("-c")
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "has no decision for KH251 at log.level;",
        ));
    assert_eq!(std::fs::read(&config).expect("read"), before);
    // Without --require-answers the missing safe fix follows its default (applied).
    bin()
        .args(["apply", "--only", "KH250,KH251", "--answers"])
        .arg(&answers)
        .arg("-c")
        .arg(&config)
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(&config).expect("read"),
        "log:\n  level: info\n  leak_sensitive_values: false\n"
    );
    let bad = write(
        dir.path(),
        "bad.yml",
        "answers:\n  - rule: KH250\n    path: x\n    decision: maybe\n",
    );
    bin()
        .args(["apply", "--answers"])
        .arg(&bad)
        .arg("-c")
        .arg(&config)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.yml:2: KH250 at x: \"maybe\" is not a decision",
        ));
}

/// A config with one finding per kind of editable value (and two secrets, and a DSN).
const HOSTILE_CONFIG: &str = "version: v1.3.1
dsn: postgres://kratos:Zk3Qw9Lm2Rt7Xv4B@db:5432/kratos?sslmode=disable
log:
  level: debug
  leak_sensitive_values: true
hashers:
  algorithm: bcrypt
  bcrypt:
    cost: 4
secrets:
  cookie:
    - abcd
serve:
  public:
    base_url: http://auth.acme.io/
    cors:
      enabled: true
      allowed_origins:
        - '*'
        - https://app.acme.io
selfservice:
  default_browser_return_url: https://app.acme.io/
  flows:
    settings:
      privileged_session_max_age: 2h
";

/// Secrets written into the answers file: they must never be printed.
const TYPED_SECRET: &str = "Vq8Lr2Nw6Xc4Tz1Pb9Hd3Kf7Mj5Gs0Ya";
const TYPED_DSN_PASSWORD: &str = "N3wDbPassw0rdThatLeaks";

/// An answers file from `(rule, path, decision, value)` entries, and each entry's line.
fn answers_file(entries: &[(&str, &str, &str, Option<&str>)]) -> (String, Vec<usize>) {
    let mut text = String::from("# hostile\nanswers:\n");
    let mut lines = Vec::new();
    for (rule, path, decision, value) in entries {
        lines.push(text.lines().count() + 1);
        let _ = writeln!(
            text,
            "  - rule: {rule}\n    path: {path}\n    decision: {decision}"
        );
        if let Some(v) = value {
            let _ = writeln!(text, "    value: {v}");
        }
    }
    (text, lines)
}

/// Runs `apply --answers` (writing, not a dry run) and checks it refused: exit 2, the config
/// and its folder untouched. Returns stdout and stderr.
fn refused(dir: &std::path::Path, answers: &str) -> (String, String) {
    let config = dir.join("kratos.yml");
    if !config.exists() {
        write(dir, "kratos.yml", HOSTILE_CONFIG);
    }
    let file = write(dir, "answers.yml", answers);
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let (before, names) = (std::fs::read(&config).expect("read"), listing());
    let out = bin()
        .args(["apply", "--answers"])
        .arg(&file)
        .arg("-c")
        .arg(&config)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .expect("runs");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert_eq!(
        std::fs::read(&config).expect("read"),
        before,
        "nothing written"
    );
    assert_eq!(listing(), names, "no backup or temporary file left");
    (stdout, stderr)
}

#[test]
fn every_bad_entry_is_named_by_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dsn = format!("'postgres://kratos:{TYPED_DSN_PASSWORD}@db/kratos?sslmode=require'");
    let entries = [
        ("KH250", "log.leak_sensitive_values", "edit", Some("{a: 1}")),
        ("KH251", "log.level", "edit", Some("trace")),
        ("KH222", "hashers.bcrypt.cost", "edit", Some("8")),
        (
            "KH122",
            "selfservice.flows.settings.privileged_session_max_age",
            "edit",
            Some("1.5h"),
        ),
        (
            "KH233",
            "serve.public.base_url",
            "edit",
            Some("'javascript:alert(1)'"),
        ),
        (
            "KH241",
            "serve.public.cors.allowed_origins.0",
            "edit",
            Some("['javascript://x/']"),
        ),
        ("KH201", "secrets.default", "edit", Some("'Qz7!'")),
        ("KH206", "secrets.cookie.0", "edit", Some(TYPED_SECRET)),
        ("KH404", "dsn", "edit", Some(dsn.as_str())),
        ("KH999", "log.level", "accept", None),
        ("KH250", "log.leak_sensitive_values", "accept", None),
        ("KH231", "serve.admin.host", "maybe", None),
    ];
    let (text, lines) = answers_file(&entries);
    let (stdout, stderr) = refused(dir.path(), &text);
    let expect = [
        "KH250 at log.leak_sensitive_values: the value is a mapping; this fix takes true or false",
        "KH251 at log.level: the value still fails KH251",
        "KH222 at hashers.bcrypt.cost: the value still fails KH222",
        "privileged_session_max_age: '1.5h' is not a duration Kratos accepts: write whole",
        "KH233 at serve.public.base_url: 'javascript:alert(1)' is not an http(s) URL",
        "KH241 at serve.public.cors.allowed_origins.0: 'javascript://x/' is not an http(s) URL",
        "KH201 at secrets.default: a secret is never taken from an answers file",
        "KH206 at secrets.cookie.0: a secret is never taken from an answers file",
        "KH404 at dsn: this fix cannot be edited",
        "\"KH999\" is not a rule id",
        &format!(
            "a second decision for this fix (the first is on line {})",
            lines[0]
        ),
        "KH231 at serve.admin.host: \"maybe\" is not a decision",
    ];
    for (line, says) in lines.iter().zip(expect) {
        let wanted = format!("answers.yml:{line}: ");
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(&wanted) && l.contains(says)),
            "line {line} should say {says:?}:\n{stderr}"
        );
    }
    for secret in [TYPED_SECRET, TYPED_DSN_PASSWORD, "Qz7!", "Zk3Qw9Lm2Rt7Xv4B"] {
        assert!(
            !stderr.contains(secret) && !stdout.contains(secret),
            "{secret} echoed"
        );
    }
}

#[test]
fn values_outside_kratos_bounds_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (text, lines) = answers_file(&[
        ("KH222", "hashers.bcrypt.cost", "edit", Some("40")),
        ("KH251", "log.level", "edit", Some("loud")),
        (
            "KH250",
            "log.leak_sensitive_values",
            "edit",
            Some("'false'"),
        ),
        (
            "KH122",
            "selfservice.flows.settings.privileged_session_max_age",
            "edit",
            Some("1h"),
        ),
    ]);
    let (_, stderr) = refused(dir.path(), &text);
    for (line, says) in lines.iter().zip([
        "Kratos accepts 4 to 31 here",
        "Kratos accepts only trace, debug, info, warning, error, fatal, panic here",
        "the value is a string (quoted); this fix takes true or false, unquoted",
        "the value still fails KH122",
    ]) {
        let wanted = format!("answers.yml:{line}: ");
        assert!(
            stderr
                .lines()
                .any(|l| l.contains(&wanted) && l.contains(says)),
            "line {line} should say {says:?}:\n{stderr}"
        );
    }
}

/// Types `typed` into the edit box of `rule`'s item and asserts the editor refuses it with a
/// reason containing `says`; the edit box is then closed.
pub(crate) fn assert_edit_refused(s: &mut review::Session, rule: &str, typed: &str, says: &str) {
    let item = item_of(s, rule);
    s.screen = Screen::Item(item);
    s.update(Message::StartEdit);
    for _ in 0..64 {
        s.update(Message::DeleteChar);
    }
    for c in typed.chars() {
        s.update(Message::Input(c));
    }
    s.update(Message::Accept);
    match &s.popup {
        Some(review::Popup::Edit { error: Some(e), .. }) => {
            assert!(e.contains(says), "{rule} {typed}: {e}");
        }
        other => panic!("{rule} {typed}: the editor should refuse, got {other:?}"),
    }
    s.update(Message::No);
}

#[test]
fn the_wizard_refuses_what_the_replay_refuses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(dir.path(), "kratos.yml", HOSTILE_CONFIG);
    let deployment = Deployment::load(std::slice::from_ref(&config)).expect("loads");
    let mut s = review::start(
        deployment,
        &Options::default(),
        SecretsTo::Inline,
        Box::new(OsSecrets),
    )
    .expect("plans");
    for (rule, typed, says) in [
        ("KH251", "debug", "still fails KH251"),
        ("KH222", "40", "Kratos accepts 4 to 31"),
        ("KH222", "8", "still fails KH222"),
        ("KH233", "javascript:alert(1)", "is not an http(s) URL"),
    ] {
        assert_edit_refused(&mut s, rule, typed, says);
    }
    assert!(
        s.items[item_of(&s, "KH404")].edit.is_none(),
        "a DSN holding a password is not editable"
    );
}

#[test]
fn an_edited_value_is_reported_as_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(dir.path(), "kratos.yml", HOSTILE_CONFIG);
    let path = "selfservice.flows.settings.privileged_session_max_age";
    let (text, _) = answers_file(&[
        ("KH122", path, "edit", Some("10m")),
        ("KH251", "log.level", "edit", Some("warning")),
    ]);
    let answers = write(dir.path(), "answers.yml", &text);
    let out = bin()
        .args(["apply", "--dry-run", "--only", "KH122,KH251", "--answers"])
        .arg(&answers)
        .arg("-c")
        .arg(&config)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "KH122 {path}: set `{path}: 10m` (the value in the answers file)"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("KH251 log.level: set `log.level: warning`"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(": 15m`") && !stdout.contains("log.level: info"),
        "{stdout}"
    );
}

#[test]
fn an_answer_matching_no_finding_is_a_warning_with_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(dir.path(), "kratos.yml", HOSTILE_CONFIG);
    let (text, lines) = answers_file(&[
        ("KH250", "log.leak_sensitive_values", "accept", None),
        ("KH250", "no.such.path", "skip", None),
    ]);
    let file = write(dir.path(), "answers.yml", &text);
    let deployment = Deployment::load(std::slice::from_ref(&config)).expect("loads");
    let options = Options {
        answers: Some((Answers::load(&file).expect("loads"), false)),
        ..Options::default()
    };
    let mut rng = OsSecrets;
    let mut env = kratos_harden::fix::FixEnv::new(&mut rng, SecretsTo::Inline);
    let outcome = kratos_harden::harden::run(&deployment, &options, &mut env).expect("replays");
    assert_eq!(outcome.notes.len(), 1, "{:?}", outcome.notes);
    assert!(
        outcome.notes[0].contains(&format!("answers.yml:{}: KH250 at no.such.path", lines[1]))
            && outcome.notes[0].contains("no such finding"),
        "{:?}",
        outcome.notes
    );
    // A warning, not an error: the replay goes on.
    bin()
        .args(["apply", "--dry-run", "--answers"])
        .arg(&file)
        .arg("-c")
        .arg(&config)
        .assert()
        .code(0)
        .stderr(predicates::str::contains(format!(
            "warning: {}",
            outcome.notes[0]
        )));
    // The JSON report carries the same warning.
    let out = bin()
        .args(["apply", "--dry-run", "--format", "json", "--answers"])
        .arg(&file)
        .arg("-c")
        .arg(&config)
        .output()
        .expect("runs");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["warnings"][0], outcome.notes[0].as_str(), "{doc}");
}

#[test]
fn a_fifo_or_an_alias_bomb_as_answers_fails_fast() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write(dir.path(), "kratos.yml", HOSTILE_CONFIG);
    let fifo = dir.path().join("fifo.yml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10u8 {
        let (name, prev) = (char::from(b'a' + level), char::from(b'a' + level - 1));
        let _ = writeln!(
            bomb,
            "{name}: &{name} [{}]",
            vec![format!("*{prev}"); 9].join(", ")
        );
    }
    bomb.push_str("answers: []\n");
    let bomb = write(dir.path(), "bomb.yml", &bomb);
    for (file, says) in [(fifo, "FIFO"), (bomb, "alias")] {
        let started = std::time::Instant::now();
        crate::common::bounded()
            .args(["apply", "--answers"])
            .arg(&file)
            .arg("-c")
            .arg(&config)
            .timeout(std::time::Duration::from_secs(10))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}
