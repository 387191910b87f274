//! The write question both front-ends ask, computed once from the session: the files, whether
//! a backup is kept, where secrets go and what stays undecided. The TUI's popup and the
//! `--plain` prompt only render it, so they never disagree (the line mode used to promise a
//! backup under `--no-backup`).

use super::{Decision, EditKind, Session};
use crate::fix::SecretsTo;
use crate::patch::Op;
use crate::shown;

/// The write confirmation: a question and the lines that explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteQuestion {
    /// `Write 3 changes to kratos.yml?`
    pub question: String,
    /// Backup, secrets and undecided proposals, one sentence each.
    pub details: Vec<String>,
}

/// `a.yml, b.yml and c.yml`.
fn target(files: &[String]) -> String {
    match files {
        [] => "the config".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Session {
    /// Whether proposal `item`'s operations write a secret generated in this session.
    #[must_use]
    pub fn writes_generated_secret(&self, item: usize) -> bool {
        self.items.get(item).is_some_and(|item| {
            item.ops.iter().any(|op| match op {
                Op::Set { value, .. } | Op::Prepend { value, .. } => {
                    let text = value.to_string();
                    self.generated
                        .iter()
                        .any(|(_, s)| text.contains(s.expose()))
                }
                Op::Remove { .. } => false,
            })
        })
    }

    /// Accepted proposals that write a secret generated here or typed in an edit.
    #[must_use]
    pub fn secrets_accepted(&self) -> usize {
        (0..self.items.len())
            .filter(|i| self.writes_secret(*i))
            .count()
    }

    /// Whether proposal `item`, as decided, writes a generated or typed secret.
    pub(super) fn writes_secret(&self, item: usize) -> bool {
        match &self.decisions[item] {
            Decision::Accept => self.writes_generated_secret(item),
            Decision::Edited(_) => matches!(self.items[item].edit, Some(EditKind::Secret(_))),
            Decision::Pending | Decision::Skip => false,
        }
    }

    /// The names of the files the accepted proposals change (from the preview).
    #[must_use]
    pub fn files_to_write(&self, preview: &super::Preview) -> Vec<String> {
        preview
            .changes
            .iter()
            .map(|c| self.deployment.source(c.file).display.clone())
            .collect()
    }

    /// The question before writing what `preview` (the session's proved preview) holds.
    #[must_use]
    pub fn write_question(&self, preview: &super::Preview) -> WriteQuestion {
        let files = self.files_to_write(preview);
        let (mut accepted, mut pending) = (0, 0);
        for (item, decision) in self.items.iter().zip(&self.decisions) {
            match decision {
                _ if item.ops.is_empty() => {}
                Decision::Accept | Decision::Edited(_)
                    if preview.refused_findings.contains(&item.finding) => {}
                Decision::Accept | Decision::Edited(_) => accepted += 1,
                Decision::Pending => pending += 1,
                Decision::Skip => {}
            }
        }
        let target = target(&files);
        let question = format!(
            "Write {} to {target}?",
            plural(accepted, "change", "changes")
        );
        let mut details = Vec::new();
        details.push(if !self.backup {
            "No backup is kept (--no-backup).".to_owned()
        } else if let [one] = &files[..] {
            format!(
                "A backup {one}.bak.<timestamp> is kept next to it; `kratos-harden undo {one}` \
                 restores it."
            )
        } else {
            "A backup FILE.bak.<timestamp> is kept next to each; `kratos-harden undo FILE` \
             restores one."
                .to_owned()
        });
        let secrets = (0..self.items.len())
            .filter(|i| !preview.refused_findings.contains(&self.items[*i].finding))
            .filter(|i| self.writes_secret(*i))
            .count();
        if secrets > 0 {
            let whereto = match &self.secrets_to {
                SecretsTo::Inline => "inline into the config file".to_owned(),
                SecretsTo::EnvFile(p) => format!(
                    "to the env file {} (0600), out of the config",
                    shown::path(p)
                ),
                SecretsTo::K8sSecret(p) => format!(
                    "to the Kubernetes Secret {} (0600), out of the config",
                    shown::path(p)
                ),
            };
            details.push(format!(
                "{} {whereto}; they are shown masked.",
                plural(secrets, "secret goes", "secrets go")
            ));
        }
        let masker = self.masker();
        for refused in &preview.refused {
            details.push(format!("Not written: {}", masker.apply(refused)));
        }
        for added in &preview.added {
            details.push(format!(
                "The result adds {} at `{}`, which no single decision explains: {}",
                added.rule.id,
                added.path,
                masker.apply(&added.message)
            ));
        }
        if pending > 0 {
            details.push(format!(
                "{} still undecided: not written.",
                plural(pending, "proposal is", "proposals are")
            ));
        }
        WriteQuestion { question, details }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::session;
    use super::*;

    #[test]
    fn the_question_names_files_backup_and_what_is_undecided() {
        let mut s = session();
        s.decisions[0] = Decision::Accept;
        let preview = s.preview().clone();
        let files = s.files_to_write(&preview);
        assert_eq!(files, ["k.yml"]);
        let asked = s.write_question(&preview);
        assert_eq!(asked.question, "Write 1 change to k.yml?");
        assert!(asked.details[0].starts_with("A backup k.yml.bak.<timestamp> is kept"));
        assert!(
            asked
                .details
                .last()
                .is_some_and(|l| l.ends_with("still undecided: not written.")),
            "{asked:?}"
        );
        // `--no-backup`: both front-ends say so (the line mode used to promise a backup).
        s.backup = false;
        let asked = s.write_question(&preview);
        assert_eq!(asked.details[0], "No backup is kept (--no-backup).");
        assert_eq!(
            target(&["a.yml".into(), "b.yml".into(), "c.yml".into()]),
            "a.yml, b.yml and c.yml"
        );
    }
}
