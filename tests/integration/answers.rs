//! Recorded wizard decisions replayed by `apply --answers`: the same paths change; a missing
//! decision follows the documented default, or fails first with `--require-answers`.

use std::collections::BTreeSet;

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
        .stderr(predicate::str::contains("'maybe' is not a decision"));
}
