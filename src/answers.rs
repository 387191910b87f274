//! Recorded wizard decisions (`wizard --record FILE`) and their replay (`apply --answers FILE`).
//!
//! ```yaml
//! answers:
//!   - rule: KH250
//!     path: log.leak_sensitive_values
//!     decision: accept          # accept | skip | edit
//!   - rule: KH122
//!     path: selfservice.flows.settings.privileged_session_max_age
//!     decision: edit
//!     value: 10m
//! ```
//! A secret is never written here: an edited secret is recorded as `accept`, and the replay
//! generates a new one. A fix the file does not mention gets the documented default: safe
//! fixes are applied, unsafe ones are not; `--require-answers` makes a missing one an error.

use std::fmt::Write as _;
use std::path::Path;

use crate::config::node::Node;
use crate::config::{ConfigError, load};
use crate::finding::Finding;
use crate::fix::Plan;
use crate::review::{Decision, EditKind, Session};
use crate::rules::Applicability;

/// One recorded decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    /// Rule id.
    pub rule: String,
    /// Finding path.
    pub path: String,
    /// What was decided.
    pub decision: Decision,
}

/// A set of recorded decisions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Answers(pub Vec<Answer>);

impl Answers {
    /// The decisions of a session (pending ones are left out).
    #[must_use]
    pub fn from_session(session: &Session) -> Self {
        let mut answers = Vec::new();
        for (index, item) in session.items.iter().enumerate() {
            if item.ops.is_empty() {
                continue;
            }
            let decision = match &session.decisions[index] {
                Decision::Pending => continue,
                Decision::Edited(_) if matches!(item.edit, Some(EditKind::Secret(_))) => {
                    Decision::Accept
                }
                other => other.clone(),
            };
            let finding = session.finding(index);
            answers.push(Answer {
                rule: finding.rule.id.to_owned(),
                path: finding.path.clone(),
                decision,
            });
        }
        Self(answers)
    }

    /// The file text.
    #[must_use]
    pub fn to_yaml(&self) -> String {
        let mut out = String::from(
            "# kratos-harden wizard answers: replay with `kratos-harden apply --answers FILE`.\n\
             # Secrets are never recorded; a replay generates new ones.\nanswers:\n",
        );
        for a in &self.0 {
            let (word, value) = match &a.decision {
                Decision::Accept | Decision::Pending => ("accept", None),
                Decision::Skip => ("skip", None),
                Decision::Edited(v) => ("edit", Some(v)),
            };
            let _ = writeln!(
                out,
                "  - rule: {}\n    path: {}\n    decision: {word}",
                a.rule, a.path
            );
            if let Some(v) = value {
                let _ = writeln!(out, "    value: {v}");
            }
        }
        out
    }

    /// Reads an answers file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let display = path.display().to_string();
        let text = load::read_text(path, &display)?;
        let root = load::parse(&text, &display)?;
        let error = |node: &Node, message: String| ConfigError::Syntax {
            file: display.clone(),
            line: u64::from(node.pos.line),
            column: u64::from(node.pos.column),
            message,
        };
        let list = root.get("answers").ok_or_else(|| {
            error(
                &root,
                "an answers file needs a top-level `answers:` list".to_owned(),
            )
        })?;
        let mut answers = Vec::new();
        for item in list.items() {
            let field = |key: &str| item.get(key).and_then(Node::as_str).map(str::to_owned);
            let (Some(rule), Some(path), Some(word)) =
                (field("rule"), field("path"), field("decision"))
            else {
                return Err(error(
                    item,
                    "each answer needs `rule`, `path` and `decision`".to_owned(),
                ));
            };
            let decision = match word.as_str() {
                "accept" => Decision::Accept,
                "skip" => Decision::Skip,
                "edit" => {
                    Decision::Edited(item.get("value").map(Node::to_json).ok_or_else(|| {
                        error(item, "`decision: edit` needs a `value`".to_owned())
                    })?)
                }
                other => {
                    return Err(error(
                        item,
                        format!("'{other}' is not a decision: use accept, skip or edit"),
                    ));
                }
            };
            answers.push(Answer {
                rule,
                path,
                decision,
            });
        }
        Ok(Self(answers))
    }

    fn find(&self, finding: &Finding) -> Option<&Answer> {
        self.0
            .iter()
            .find(|a| a.rule.eq_ignore_ascii_case(finding.rule.id) && a.path == finding.path)
    }

    /// Applies the answers to a plan made with unsafe fixes enabled: skipped fixes leave it,
    /// edited ones get their value, unanswered ones follow the default (safe: apply, unsafe:
    /// leave). With `require`, an unanswered fix is an error naming it.
    pub fn filter(
        &self,
        findings: &[Finding],
        plan: &mut Plan,
        require: bool,
    ) -> Result<(), String> {
        if require {
            let missing: Vec<String> = plan
                .applied
                .iter()
                .filter(|(i, ops)| !ops.is_empty() && self.find(&findings[*i]).is_none())
                .map(|(i, _)| format!("{} at {}", findings[*i].rule.id, findings[*i].path))
                .collect();
            if !missing.is_empty() {
                return Err(format!(
                    "the answers file has no decision for {}; add them or drop --require-answers",
                    missing.join(", ")
                ));
            }
        }
        let mut kept = Vec::new();
        for (index, ops) in std::mem::take(&mut plan.applied) {
            let finding = &findings[index];
            let unsafe_fix = finding
                .fix
                .as_ref()
                .is_some_and(|f| f.applicability == Applicability::Unsafe);
            match self.find(finding).map(|a| &a.decision) {
                Some(Decision::Accept) => kept.push((index, ops)),
                Some(Decision::Edited(value)) => {
                    kept.push((index, crate::review::edit_ops(&ops, value)));
                }
                None if !unsafe_fix => kept.push((index, ops)),
                None => plan.unsafe_skipped.push(index),
                Some(Decision::Skip | Decision::Pending) => {}
            }
        }
        plan.applied = kept;
        plan.by_file.clear();
        for (index, ops) in &plan.applied {
            let file = findings[*index].file;
            let slot = if let Some(p) = plan.by_file.iter().position(|(f, _)| *f == file) {
                p
            } else {
                plan.by_file.push((file, Vec::new()));
                plan.by_file.len() - 1
            };
            for op in ops {
                if !plan.by_file[slot].1.contains(op) {
                    plan.by_file[slot].1.push(op.clone());
                }
            }
        }
        Ok(())
    }
}
