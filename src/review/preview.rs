//! What the accepted decisions would write: each file's patched text and the masked diff,
//! after the same proof as `apply` (decisions whose result adds a finding are left out).

use crate::config::Deployment;
use crate::config::node::FileId;
use crate::diff::{self, Line};
use crate::harden::Change;
use crate::mask::Masker;
use crate::patch::Op;

/// The result of applying the accepted operations.
#[derive(Clone, Debug, Default)]
pub struct Preview {
    /// Files that change.
    pub changes: Vec<Change>,
    /// The masked unified diff of all files.
    pub lines: Vec<Line>,
    /// Why the patch could not be built (it is then not written).
    pub error: Option<String>,
    /// Decisions not written, one line each: the patch engine refused the edit, or the proof
    /// refused the result (naming the finding it would add).
    pub refused: Vec<String>,
    /// The findings of those decisions (indices into the session's findings).
    pub refused_findings: Vec<usize>,
    /// With `--secrets-to env-file`/`k8s-secret`: the secrets written there.
    pub moved: Vec<(String, String)>,
    /// Findings the result still adds that no single decision explains.
    pub added: Vec<crate::finding::Finding>,
}

impl Preview {
    /// Patches each file's text with its operations and diffs the result.
    #[must_use]
    pub fn build(deployment: &Deployment, ops: &[(FileId, Vec<Op>)], masker: &Masker) -> Self {
        let mut preview = Self::default();
        for (file, file_ops) in ops {
            let source = deployment.source(*file);
            // The same per-kind editor as `apply`: an env file's variable lines, the
            // `kratos.config` subtree of Helm values, the environment refused by name.
            match crate::harden::patch_source(deployment, source, file_ops) {
                Ok(patched) => {
                    preview.refused.extend(
                        patched
                            .refused
                            .iter()
                            .map(|(i, e)| format!("{}: {e}", file_ops[*i].path())),
                    );
                    if patched.text != source.text {
                        preview.lines.extend(diff::lines(
                            &source.display,
                            &source.text,
                            &patched.text,
                            masker,
                        ));
                        preview.changes.push(Change {
                            file: *file,
                            before: source.text.clone(),
                            after: patched.text,
                            tree: patched.tree,
                        });
                    }
                }
                Err(e) => preview.error = Some(format!("{}: {e}", source.display)),
            }
        }
        preview
    }

    /// The preview of a proved plan: its changes diffed, its refusals named.
    #[must_use]
    pub(crate) fn proved(
        deployment: &Deployment,
        findings: &[crate::finding::Finding],
        proved: crate::harden::Proved,
        masker: &Masker,
    ) -> Self {
        let realized = proved.realized;
        let mut preview = Self {
            moved: realized.moved,
            added: proved.added,
            ..Self::default()
        };
        // The session's plan starts with nothing manual: every manual entry is a refusal.
        for (index, why) in &realized.plan.manual {
            let finding = &findings[*index];
            preview.refused_findings.push(*index);
            let why = why.strip_prefix("not applied: ").unwrap_or(why);
            preview
                .refused
                .push(format!("{} `{}`: {why}", finding.rule.id, finding.path));
        }
        for change in realized.changes {
            let source = deployment.source(change.file);
            preview.lines.extend(diff::lines(
                &source.display,
                &change.before,
                &change.after,
                masker,
            ));
            preview.changes.push(change);
        }
        preview
    }

    /// Removed and added line counts.
    #[must_use]
    pub fn stats(&self) -> (usize, usize) {
        diff::stats(&self.lines)
    }
}
