//! Recorded wizard decisions (`wizard --record FILE`) and their replay (`apply --answers FILE`).
//!
//! ```yaml
//! answers:
//!   - rule: "KH250"
//!     path: "log.leak_sensitive_values"
//!     decision: accept          # accept | skip | edit
//!   - rule: "KH122"
//!     path: "selfservice.flows.settings.privileged_session_max_age"
//!     decision: edit
//!     value: "10m"
//! ```
//! A secret is never written here: an edited secret is recorded as `accept`, and the replay
//! generates a new one. A fix the file does not mention gets the documented default: safe
//! fixes are applied, unsafe ones are not; `--require-answers` makes a missing one an error.
//!
//! The file is input like any other: every entry is checked before anything is planned, and
//! an edited value goes through the wizard's own checks (see `review::edit`; its kind and
//! Kratos's bounds for the key come from the key table, `config::keys`). One bad entry
//! refuses the whole replay, and the error names each bad entry by its line.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::config::node::{self, Node};
use crate::config::{ConfigError, load};
use crate::finding::Finding;
use crate::fix::Plan;
use crate::patch::Op;
use crate::review::{self, Decision, EditKind, Session};
use crate::rules::{Applicability, Context};
use crate::secret::Secret;

/// One recorded decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// Rule id (as the catalog spells it).
    pub rule: String,
    /// Finding path.
    pub path: String,
    /// What was decided.
    pub decision: Decision,
    /// The line of the entry in the answers file (0 when not read from a file).
    pub line: u32,
}

/// A set of recorded decisions, and the entries of the file that could not be used.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Answers {
    /// The usable entries, in file order.
    pub entries: Vec<Answer>,
    /// The answers file as shown in messages.
    pub file: String,
    /// `(line, what is wrong)` for each entry that was left out; reported by [`Answers::filter`]
    /// together with the value problems, so one run names every bad entry.
    problems: Vec<(u32, String)>,
}

/// Why recorded answers cannot be replayed. Nothing is changed when this is returned.
#[derive(Debug, thiserror::Error)]
pub enum AnswersError {
    /// Entries that are malformed, name no rule, repeat one another or hold a value the wizard
    /// would refuse; one `file:line: …` line each.
    #[error(
        "{file}: the answers cannot be replayed, nothing was changed; correct these entries:\n  {}",
        .problems.join("\n  ")
    )]
    Refused {
        /// The answers file.
        file: String,
        /// One line per bad entry.
        problems: Vec<String>,
    },
    /// `--require-answers` and fixes without a decision.
    #[error(
        "the answers file has no decision for {}; add them or drop --require-answers",
        .0.join(", ")
    )]
    Missing(Vec<String>),
}

/// What a replay did besides changing the plan.
#[derive(Debug, Default)]
pub struct Replay {
    /// Findings whose fix takes an edited value, with a summary naming that value.
    pub edited: Vec<(usize, String)>,
    /// Answers that were not used (they match no finding, or nothing is applied there).
    pub notes: Vec<String>,
}

impl Answers {
    /// The decisions of a session (pending ones are left out).
    #[must_use]
    pub fn from_session(session: &Session) -> Self {
        let mut entries = Vec::new();
        for (index, item) in session.items.iter().enumerate() {
            if item.ops.is_empty() {
                continue;
            }
            let decision = match &session.decisions[index] {
                // The wizard writes nothing for an undecided proposal, so its replay must not
                // either: without an entry, a safe fix would be applied by default.
                Decision::Pending => Decision::Skip,
                Decision::Edited(_) if matches!(item.edit, Some(EditKind::Secret(_))) => {
                    Decision::Accept
                }
                other => other.clone(),
            };
            // A proposal resolving several findings records the decision for each of them.
            for finding in std::iter::once(item.finding).chain(item.also.iter().copied()) {
                let finding = &session.findings[finding];
                entries.push(Answer {
                    rule: finding.rule.id.to_owned(),
                    path: finding.path.clone(),
                    decision: decision.clone(),
                    line: 0,
                });
            }
        }
        Self {
            entries,
            ..Self::default()
        }
    }

    /// The file text. Rule, path and value are written as JSON, which YAML reads unchanged,
    /// so any key (`: `, `#`, quotes, line breaks, a leading `-`) reads back as it was.
    #[must_use]
    pub fn to_yaml(&self) -> String {
        let mut out = String::from(
            "# kratos-harden wizard answers: replay with `kratos-harden apply --answers FILE`.\n\
             # Secrets are never recorded; a replay generates new ones.\nanswers:\n",
        );
        for a in &self.entries {
            let (word, value) = match &a.decision {
                Decision::Accept | Decision::Pending => ("accept", None),
                Decision::Skip => ("skip", None),
                Decision::Edited(v) => ("edit", Some(v)),
            };
            let _ = writeln!(
                out,
                "  - rule: {}\n    path: {}\n    decision: {word}",
                quoted(&a.rule),
                quoted(&a.path)
            );
            if let Some(v) = value {
                let _ = writeln!(out, "    value: {}", flow(v));
            }
        }
        out
    }

    /// Reads an answers file. A file that is not YAML, or has no `answers:` list, is an error
    /// here; entries that cannot be used are kept aside and reported by [`Answers::filter`].
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let display = crate::shown::path(path);
        let text = load::read_text(path, &display)?;
        let root = load::parse(&text, &display)?;
        let list = root
            .get("answers")
            .filter(|l| matches!(l.value, node::Value::Seq(_)))
            .ok_or_else(|| ConfigError::Syntax {
                file: display.clone(),
                line: u64::from(root.pos.line.max(1)),
                column: 1,
                message:
                    "an answers file needs a top-level `answers:` list (see `wizard --record`)"
                        .to_owned(),
            })?;
        let mut answers = Self {
            file: display,
            ..Self::default()
        };
        for item in list.items() {
            match entry(item) {
                Ok(answer) => answers.add(answer),
                Err(why) => answers.problems.push((item.pos.line, why)),
            }
        }
        Ok(answers)
    }

    /// Keeps an entry, or notes it as the second decision for one fix.
    fn add(&mut self, answer: Answer) {
        let first = self
            .entries
            .iter()
            .find(|a| a.rule == answer.rule && a.path == answer.path);
        match first {
            Some(first) => {
                let why = format!(
                    "{}: a second decision for this fix (the first is on line {}); keep one",
                    about(&answer.rule, &answer.path),
                    first.line
                );
                self.problems.push((answer.line, why));
            }
            None => self.entries.push(answer),
        }
    }

    fn find(&self, finding: &Finding) -> Option<&Answer> {
        self.entries
            .iter()
            .find(|a| a.rule == finding.rule.id && a.path == finding.path)
    }

    fn line(&self, line: u32, text: &str) -> String {
        one_line(&format!("{}:{line}: {text}", self.file))
    }

    /// Applies the answers to a plan made with unsafe fixes enabled: skipped fixes leave it,
    /// edited ones get their value, unanswered ones follow the default (safe: apply, unsafe:
    /// leave). Every edited value is checked as the wizard checks it (`generated` are this
    /// run's secrets, which tell a secret list from other values). Any bad entry refuses the
    /// whole replay, the plan unchanged; with `require`, so does an unanswered fix.
    pub fn filter(
        &self,
        cx: &Context<'_>,
        findings: &[Finding],
        plan: &mut Plan,
        generated: &[(String, Secret)],
        require: bool,
    ) -> Result<Replay, AnswersError> {
        let mut problems = self.problems.clone();
        let mut replay = Replay::default();
        let mut edits: Vec<(usize, Vec<Op>)> = Vec::new();
        for answer in &self.entries {
            let about = about(&answer.rule, &answer.path);
            let Some(index) = findings
                .iter()
                .position(|f| f.rule.id == answer.rule && f.path == answer.path)
            else {
                replay.notes.push(self.line(
                    answer.line,
                    &format!(
                        "{about}: no such finding in this config (fixed already, or found \
                         under another profile or version); the answer is not used"
                    ),
                ));
                continue;
            };
            let Some((_, ops)) = plan
                .applied
                .iter()
                .find(|(i, ops)| *i == index && !ops.is_empty())
            else {
                replay.notes.push(self.line(
                    answer.line,
                    &format!(
                        "{about}: nothing is applied here (a manual fix, left out by \
                         --only/--skip, or changed by another fix); the answer is not used"
                    ),
                ));
                continue;
            };
            if let Decision::Edited(value) = &answer.decision {
                match checked(cx, &findings[index], ops, generated, value) {
                    Ok(new_ops) => {
                        replay.edited.push((index, summary(&new_ops)));
                        edits.push((index, new_ops));
                    }
                    Err(why) => problems.push((answer.line, format!("{about}: {why}"))),
                }
            }
        }
        let missing: Vec<String> = plan
            .applied
            .iter()
            .filter(|(i, ops)| require && !ops.is_empty() && self.find(&findings[*i]).is_none())
            .map(|(i, _)| format!("{} at {}", findings[*i].rule.id, findings[*i].path))
            .collect();
        if !problems.is_empty() {
            problems.sort_by_key(|(line, _)| *line);
            let mut lines: Vec<String> = problems
                .iter()
                .map(|(line, why)| self.line(*line, why))
                .collect();
            if !missing.is_empty() {
                lines.push(format!(
                    "--require-answers: no decision for {}",
                    missing.join(", ")
                ));
            }
            return Err(AnswersError::Refused {
                file: self.file.clone(),
                problems: lines,
            });
        }
        if !missing.is_empty() {
            return Err(AnswersError::Missing(missing));
        }
        self.apply(findings, plan, edits);
        Ok(replay)
    }

    /// Rewrites the plan: decisions taken, edited operations put in, files' lists rebuilt.
    fn apply(&self, findings: &[Finding], plan: &mut Plan, mut edits: Vec<(usize, Vec<Op>)>) {
        let mut kept = Vec::new();
        for (index, ops) in std::mem::take(&mut plan.applied) {
            let finding = &findings[index];
            let unsafe_fix = finding
                .fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Unsafe);
            match self.find(finding).map(|a| &a.decision) {
                Some(Decision::Edited(_)) => match edits.iter().position(|(i, _)| *i == index) {
                    Some(at) => kept.push(edits.swap_remove(at)),
                    None => kept.push((index, ops)),
                },
                Some(Decision::Accept) => kept.push((index, ops)),
                None if !unsafe_fix => kept.push((index, ops)),
                None => plan.unsafe_skipped.push(index),
                Some(Decision::Skip | Decision::Pending) => {}
            }
        }
        plan.applied = kept;
        plan.rebuild_files(findings);
    }
}

/// One entry of the file, or what is wrong with it.
fn entry(item: &Node) -> Result<Answer, String> {
    const KEYS: [&str; 4] = ["rule", "path", "decision", "value"];
    if item
        .entries()
        .iter()
        .any(|e| !KEYS.contains(&e.key.as_str()))
    {
        // The key itself is not repeated: it could be a value pasted in the wrong place.
        return Err(
            "an answer has only `rule`, `path`, `decision` and `value`; remove the \
                    other keys"
                .to_owned(),
        );
    }
    let field = |key: &str| item.get(key).and_then(Node::as_str).map(str::to_owned);
    let (Some(rule), Some(path), Some(word)) = (field("rule"), field("path"), field("decision"))
    else {
        return Err("each answer needs `rule`, `path` and `decision`, as text".to_owned());
    };
    let Some(meta) = crate::rules::find(&rule) else {
        return Err(format!(
            "{} is not a rule id; `kratos-harden rules` lists them",
            quoted(&rule)
        ));
    };
    let value = item.get("value").map(Node::to_json);
    let decision = match (word.as_str(), value) {
        ("edit", Some(value)) => Decision::Edited(value),
        ("edit", None) => return Err("`decision: edit` needs a `value`".to_owned()),
        ("accept" | "skip", Some(_)) => {
            return Err(format!(
                "{}: `value` is only read with `decision: edit`; remove it or say edit",
                about(meta.id, &path)
            ));
        }
        ("accept", None) => Decision::Accept,
        ("skip", None) => Decision::Skip,
        (other, _) => {
            return Err(format!(
                "{}: {} is not a decision: use accept, skip or edit",
                about(meta.id, &path),
                quoted(other)
            ));
        }
    };
    Ok(Answer {
        rule: meta.id.to_owned(),
        path,
        decision,
        line: item.pos.line,
    })
}

/// An edited value checked as the wizard checks it; the operations with it in place.
fn checked(
    cx: &Context<'_>,
    finding: &Finding,
    ops: &[Op],
    generated: &[(String, Secret)],
    value: &Value,
) -> Result<Vec<Op>, String> {
    let Some(kind) = review::kind_of(ops, generated) else {
        return Err(
            "this fix cannot be edited (it changes several values, or a value that \
                    holds a credential): use accept or skip"
                .to_owned(),
        );
    };
    if let EditKind::Secret(_) = kind {
        // The value is not looked at, so no message can repeat it.
        return Err(
            "a secret is never taken from an answers file, where it would sit in \
                    plain text: use `decision: accept` and the replay generates a new one"
                .to_owned(),
        );
    }
    let value = review::validate_value(kind, value)?;
    review::judge(cx, finding, ops, kind, &value, review::Proof::AtWrite)?;
    Ok(review::edit_ops(ops, &value))
}

/// The fix summary for an edited value: what is really set.
fn summary(ops: &[Op]) -> String {
    let sets: Vec<String> = ops
        .iter()
        .map(|op| match op {
            Op::Set {
                path,
                value: Value::String(s),
            } => format!("set `{path}: {s}`"),
            Op::Set { path, value } => format!("set `{path}: {value}`"),
            other => format!("change `{}`", other.path()),
        })
        .collect();
    format!("{} (the value in the answers file)", sets.join(", "))
}

/// `KH122 at some.path`, the path quoted when it holds anything unusual.
fn about(rule: &str, path: &str) -> String {
    let plain = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if plain && !path.is_empty() {
        format!("{rule} at {path}")
    } else {
        format!("{rule} at {}", quoted(path))
    }
}

/// A message on one line: control characters (a line break in a recorded path) escaped.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A double-quoted scalar that JSON and YAML read alike. Beyond JSON's own escapes, the
/// characters YAML may not hold unescaped (DEL, C1 controls, U+2028/9, BOM, U+FFFE/F) are
/// written as `\u` escapes.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value as JSON flow text (strings through [`quoted`]).
fn flow(value: &Value) -> String {
    match value {
        Value::String(s) => quoted(s),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", quoted(k), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn weird_paths_and_values_round_trip() {
        let weird = [
            "a: b",
            "a #not a comment",
            "line\nbreak",
            "- leading dash",
            "\"double\" and 'single'",
            "back\\slash",
            "tab\there",
            "del\u{7f} nel\u{85} ls\u{2028} bom\u{feff}",
            "ünïcødé 😀",
            "",
            "  spaces around  ",
            "{flow}: [x]",
            "&anchor *alias !tag %directive @at `tick`",
        ];
        let entries: Vec<Answer> = weird
            .iter()
            .enumerate()
            .map(|(i, path)| Answer {
                rule: "KH122".to_owned(),
                path: (*path).to_owned(),
                decision: if i % 2 == 0 {
                    Decision::Edited(json!({ "k: #": [path, 1, true, null], "n": 1.5 }))
                } else {
                    Decision::Skip
                },
                line: 0,
            })
            .collect();
        let text = Answers {
            entries: entries.clone(),
            ..Answers::default()
        }
        .to_yaml();
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("answers.yml");
        std::fs::write(&file, &text).expect("write");
        let loaded = Answers::load(&file).expect("loads");
        assert_eq!(loaded.problems, Vec::new(), "{text}");
        let back: Vec<(String, Decision)> = loaded
            .entries
            .into_iter()
            .map(|a| (a.path, a.decision))
            .collect();
        let expected: Vec<(String, Decision)> =
            entries.into_iter().map(|a| (a.path, a.decision)).collect();
        assert_eq!(back, expected, "{text}");
    }

    #[test]
    fn bad_entries_are_kept_with_their_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("answers.yml");
        std::fs::write(
            &file,
            "answers:\n\
             \x20 - rule: KH999\n    path: x\n    decision: accept\n\
             \x20 - rule: KH251\n    path: log.level\n    decision: accept\n\
             \x20 - rule: log-level-verbose\n    path: log.level\n    decision: skip\n\
             \x20 - rule: KH250\n    path: log.leak_sensitive_values\n    decision: accept\n    value: 1\n",
        )
        .expect("write");
        let loaded = Answers::load(&file).expect("loads");
        assert_eq!(loaded.entries.len(), 1);
        let lines: Vec<u32> = loaded.problems.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 8, 11], "{:?}", loaded.problems);
        assert!(loaded.problems[1].1.contains("first is on line 5"));
    }
}
