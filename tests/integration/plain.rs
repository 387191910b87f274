//! `wizard --plain` end to end: the real binary on a pseudo-terminal, answered like a person
//! would, by reading each inquire prompt off the screen.

use std::path::{Path, PathBuf};

use crate::common;
use crate::pty::{self, Pty};

/// A small insecure config: a leaky log, an admin API on every interface, a placeholder secret.
const CONFIG: &str = "\
version: v1.3.1
log:
  level: debug
  leak_sensitive_values: true
serve:
  admin:
    host: 0.0.0.0
    base_url: http://127.0.0.1:4434/
selfservice:
  flows:
    settings:
      privileged_session_max_age: 1h
secrets:
  cookie: [PLEASE-CHANGE-ME-I-AM-VERY-INSECURE]
";

const DOWN: &str = "\x1b[B";

/// An active inquire prompt: its question line and, for a menu, its options.
#[derive(Debug)]
struct Prompt {
    question: String,
    options: Vec<String>,
}

/// The wizard on a pty, with the number of prompts answered so far.
struct Wizard {
    pty: Pty,
    answered: usize,
}

impl Wizard {
    fn start(config: &Path) -> Self {
        Self::start_with(config, &[])
    }

    fn start_with(config: &Path, extra: &[&str]) -> Self {
        let dir = config.parent().expect("a folder");
        let name = config.to_str().expect("a UTF-8 path");
        let mut args = vec!["wizard", "--plain", "-c", name];
        args.extend_from_slice(extra);
        Self {
            pty: pty::spawn(&args, dir),
            answered: 0,
        }
    }

    /// Waits for the next prompt: every earlier one shows as answered (`> …`), and the new
    /// one (`? …`) is fully drawn (its `(y/N)` or its `[help]` line is there).
    fn prompt(&self) -> Prompt {
        let mut found = None;
        let waited = self.pty.wait_until(pty::TIMEOUT, |pty| {
            found = active(&pty.history(), self.answered);
            found.is_some()
        });
        if let Err(screen) = waited {
            panic!("no prompt after {} answers:\n{screen}", self.answered);
        }
        found.expect("a prompt")
    }

    /// Sends the keys that answer the current prompt.
    fn answer(&mut self, keys: &str) {
        self.pty.send(keys);
        self.answered += 1;
    }

    /// Picks the menu option containing `label`.
    fn choose(&mut self, prompt: &Prompt, label: &str) {
        let index = prompt
            .options
            .iter()
            .position(|o| o.contains(label))
            .unwrap_or_else(|| panic!("no option `{label}` in {prompt:?}"));
        self.answer(&format!("{}\r", DOWN.repeat(index)));
    }
}

/// The active prompt in `lines` once `answered` prompts show as answered.
fn active(lines: &[String], answered: usize) -> Option<Prompt> {
    let at = lines.iter().rposition(|l| l.starts_with("? "))?;
    let done = lines[..at].iter().filter(|l| l.starts_with("> ")).count();
    if done != answered {
        return None;
    }
    let question = lines[at].clone();
    let below = &lines[at + 1..];
    let help = below
        .iter()
        .position(|l| l.starts_with('[') && l.ends_with(']'));
    let confirm = question.contains("(y/N)") || question.contains("(Y/n)");
    if !confirm && help.is_none() {
        return None;
    }
    let options = below[..help.unwrap_or(0)]
        .iter()
        .map(|l| l.get(2..).unwrap_or_default().to_owned())
        .collect();
    Some(Prompt { question, options })
}

/// The rule id in a menu question: `? [3/19] KH250 (safe fix): what now?` → `KH250`.
fn rule_of(question: &str) -> &str {
    question
        .split_whitespace()
        .nth(2)
        .unwrap_or_else(|| panic!("no rule id in {question:?}"))
}

fn copy_of_config() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = common::write(dir.path(), "kratos.yml", CONFIG);
    (dir, path)
}

fn backups(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("read the folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains("kratos.yml.bak."))
        .collect()
}

/// Accept one fix after looking at its diff, edit another (a refused value first), decline an
/// unsafe one at its warning, skip the rest, and write: exactly those two lines change.
#[test]
fn decisions_are_written_with_a_backup() {
    let (dir, config) = copy_of_config();
    let record = dir.path().join("answers.yml");
    let mut wizard = Wizard::start_with(&config, &["--record", record.to_str().expect("UTF-8")]);
    let mut diff_seen = false;
    let mut declined_unsafe = false;
    loop {
        let prompt = wizard.prompt();
        let question = prompt.question.clone();
        if question.contains("Write ") {
            assert!(question.contains("Write 2 changes to"), "{question}");
            // The session model's details, printed above the question.
            let transcript = wizard.pty.transcript();
            assert!(
                transcript.contains("A backup ") && transcript.contains(".bak.<timestamp> is kept"),
                "{transcript}"
            );
            wizard.answer("y\r");
            break;
        }
        assert!(question.contains("] KH"), "unexpected prompt {prompt:?}");
        match rule_of(&question) {
            "KH250" if !diff_seen => {
                wizard.choose(&prompt, "Show the diff");
                wizard
                    .pty
                    .wait_for("+  leak_sensitive_values: false", pty::TIMEOUT)
                    .unwrap();
                diff_seen = true;
            }
            "KH250" => wizard.choose(&prompt, "Accept the fix"),
            "KH122" => {
                wizard.choose(&prompt, "Edit the value");
                let edit = wizard.prompt();
                assert!(edit.question.starts_with("? New value: "), "{edit:?}");
                let erase = "\x7f".repeat(edit.question.len());
                wizard.pty.send(format!("{erase}soon\r"));
                wizard
                    .pty
                    .wait_for("'soon' is not a duration", pty::TIMEOUT)
                    .unwrap();
                wizard.answer("\x7f\x7f\x7f\x7f10m\r");
            }
            "KH231" if !declined_unsafe => {
                wizard.choose(&prompt, "Accept the fix");
                let warning = wizard.prompt();
                assert!(
                    warning.question.contains("Apply KH231 anyway?"),
                    "{warning:?}"
                );
                assert!(
                    wizard
                        .pty
                        .history()
                        .join("\n")
                        .contains("This fix is unsafe. What may break:")
                );
                wizard.answer("n\r");
                declined_unsafe = true;
            }
            _ if prompt.options.iter().any(|o| o.starts_with("Skip")) => {
                wizard.choose(&prompt, "Skip");
            }
            _ => wizard.choose(&prompt, "Continue"),
        }
    }
    assert_eq!(wizard.pty.wait_exit(), Some(0), "{}", wizard.pty.screen());
    assert!(diff_seen && declined_unsafe);
    let expected = CONFIG
        .replace(
            "leak_sensitive_values: true",
            "leak_sensitive_values: false",
        )
        .replace(
            "privileged_session_max_age: 1h",
            "privileged_session_max_age: 10m",
        );
    assert_eq!(std::fs::read_to_string(&config).unwrap(), expected);
    let kept = backups(dir.path());
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read_to_string(&kept[0]).unwrap(), CONFIG);
    let history = wizard.pty.history().join("\n");
    assert!(history.contains("2 accepted (1 edited)"), "{history}");
    // The recorded decisions replay to the same file on a fresh copy.
    let answers = std::fs::read_to_string(&record).expect("answers recorded");
    assert!(
        answers.contains("decision: edit") && answers.contains("value: \"10m\""),
        "{answers}"
    );
    let fresh = dir.path().join("fresh.yml");
    std::fs::write(&fresh, CONFIG).unwrap();
    crate::common::bin()
        .args(["apply", "--answers"])
        .arg(&record)
        .arg("-c")
        .arg(&fresh)
        .assert()
        .code(0);
    assert_eq!(std::fs::read_to_string(&fresh).unwrap(), expected);
    assert!(
        !wizard.pty.transcript().contains("PLEASE-CHANGE-ME"),
        "a secret was shown in clear"
    );
}

/// `--no-backup`: the line mode says no backup is kept (it used to promise one), and none is.
#[test]
fn no_backup_is_said_and_kept() {
    let (dir, config) = copy_of_config();
    let mut wizard = Wizard::start_with(&config, &["--no-backup"]);
    loop {
        let prompt = wizard.prompt();
        if prompt.question.contains("Write ") {
            let transcript = wizard.pty.transcript();
            assert!(
                transcript.contains("No backup is kept (--no-backup)."),
                "{transcript}"
            );
            assert!(
                !transcript.contains(".bak.<timestamp> is kept"),
                "{transcript}"
            );
            wizard.answer("y\r");
            break;
        }
        match rule_of(&prompt.question) {
            "KH250" => wizard.choose(&prompt, "Accept the fix"),
            _ if prompt.options.iter().any(|o| o.starts_with("Skip")) => {
                wizard.choose(&prompt, "Skip");
            }
            _ => wizard.choose(&prompt, "Continue"),
        }
    }
    assert_eq!(wizard.pty.wait_exit(), Some(0), "{}", wizard.pty.screen());
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("leak_sensitive_values: false")
    );
    assert!(backups(dir.path()).is_empty());
}

/// Ctrl-C at the first question leaves the file byte for byte as it was.
#[test]
fn ctrl_c_writes_nothing() {
    let (dir, config) = copy_of_config();
    let mut wizard = Wizard::start(&config);
    let first = wizard.prompt();
    assert!(first.question.contains("[1/"), "{first:?}");
    wizard.pty.send("\x03");
    assert_eq!(wizard.pty.wait_exit(), Some(0), "{}", wizard.pty.screen());
    wizard
        .pty
        .wait_for("Nothing was written.", pty::TIMEOUT)
        .unwrap();
    assert_eq!(std::fs::read(&config).unwrap(), CONFIG.as_bytes());
    assert!(backups(dir.path()).is_empty());
}

/// Without a terminal the wizard refuses and points to `apply`.
#[test]
fn without_a_terminal_it_points_to_apply() {
    let (dir, config) = copy_of_config();
    common::bin()
        .args(["wizard", "--plain", "-c"])
        .arg(&config)
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("kratos-harden apply"));
    assert_eq!(std::fs::read(&config).unwrap(), CONFIG.as_bytes());
}

/// Generated secrets differ run to run: each 32-character token is shown as `<secret>`.
fn without_secrets(text: &str) -> String {
    text.split_inclusive(|c: char| !c.is_ascii_alphanumeric())
        .map(|part| {
            let token = part.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            if token.len() == 32 {
                part.replacen(token, "<secret>", 1)
            } else {
                part.to_owned()
            }
        })
        .collect()
}

/// The wizard with `args` in `dir`: "Accept all remaining safe fixes and review", then write.
fn accept_all_safe_and_write(args: &[&str], dir: &Path) {
    let mut wizard = Wizard {
        pty: pty::spawn(args, dir),
        answered: 0,
    };
    let first = wizard.prompt();
    wizard.choose(&first, "Accept all remaining safe fixes");
    let write = wizard.prompt();
    assert!(write.question.contains("Write "), "{write:?}");
    wizard.answer("y\r");
    assert_eq!(
        wizard.pty.wait_exit(),
        Some(0),
        "{}",
        wizard.pty.transcript()
    );
    // The line mode ends with the session's next steps, as the full screen's Done screen.
    let transcript = wizard.pty.transcript();
    assert!(
        transcript.contains("Next steps") && transcript.contains("1. Restart Kratos"),
        "{transcript}"
    );
}

/// The full-screen wizard with `args` in `dir` on a pseudo-terminal: `a` (accept all safe),
/// `w`, confirm, leave.
fn accept_all_safe_and_write_full_screen(args: &[&str], dir: &Path) {
    let mut pty = pty::spawn_sized(args, dir, (24, 80));
    pty.wait_for("Findings by threat and severity", pty::TIMEOUT)
        .expect("welcome");
    pty.send("a");
    pty.wait_for("secrets masked", pty::TIMEOUT)
        .expect("review");
    pty.send("w");
    pty.wait_for("Write the changes?", pty::TIMEOUT)
        .expect("write question");
    pty.send("y");
    pty.wait_for("Next steps", pty::TIMEOUT).expect("done");
    pty.send("\r");
    assert_eq!(pty.wait_exit(), Some(0), "{}", pty.screen());
}

/// How the layered deployments are fixed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum By {
    Apply,
    Plain,
    FullScreen,
}

/// With env files and with Helm values, the wizard's accepted safe fixes (line mode and full
/// screen) change the same lines of the same files as `apply` on a fresh copy (it used to fail
/// on an env file, and to write Kratos keys at the top level of a values file).
#[test]
fn the_wizard_writes_layered_deployments_as_apply_does() {
    let config = "dsn: memory\nlog:\n  level: info\n";
    let env = "LOG_LEAK_SENSITIVE_VALUES=true\n";
    let values =
        "kratos:\n  config:\n    dsn: memory\n    log:\n      leak_sensitive_values: true\n";
    let run = |by: By| {
        let dir = tempfile::tempdir().expect("temp dir");
        common::write(dir.path(), "kratos.yml", config);
        common::write(dir.path(), "k.env", env);
        common::write(dir.path(), "values.yaml", values);
        let layered = ["-c", "kratos.yml", "--env-file", "k.env"];
        let helm = ["--helm-values", "values.yaml"];
        for layers in [&layered[..], &helm[..]] {
            if by == By::Plain {
                let mut args = vec!["wizard", "--plain"];
                args.extend_from_slice(layers);
                accept_all_safe_and_write(&args, dir.path());
            } else if by == By::FullScreen {
                let mut args = vec!["wizard"];
                args.extend_from_slice(layers);
                accept_all_safe_and_write_full_screen(&args, dir.path());
            } else {
                common::bin()
                    .current_dir(dir.path())
                    .arg("apply")
                    .args(layers)
                    .assert()
                    .code(0);
            }
        }
        ["kratos.yml", "k.env", "values.yaml"].map(|name| {
            without_secrets(&std::fs::read_to_string(dir.path().join(name)).expect("read"))
        })
    };
    let by_wizard = run(By::Plain);
    let by_apply = run(By::Apply);
    assert_eq!(by_wizard, by_apply);
    assert_eq!(run(By::FullScreen), by_apply);
    assert_eq!(by_wizard[1], "LOG_LEAK_SENSITIVE_VALUES=false\n");
    // The Helm file gains keys only under `kratos.config`.
    let root: serde_json::Value = serde_saphyr::from_str(&by_wizard[2]).expect("parses");
    let top: Vec<&String> = root.as_object().expect("mapping").keys().collect();
    assert_eq!(top, ["kratos"], "{}", by_wizard[2]);
    assert_eq!(
        root["kratos"].as_object().expect("kratos").len(),
        1,
        "{}",
        by_wizard[2]
    );
}
