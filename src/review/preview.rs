//! What the accepted decisions would write: each file's patched text and the masked diff.

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
    /// Operations the patch engine refused (listed as manual).
    pub refused: Vec<String>,
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
                        });
                    }
                }
                Err(e) => preview.error = Some(format!("{}: {e}", source.display)),
            }
        }
        preview
    }

    /// Removed and added line counts.
    #[must_use]
    pub fn stats(&self) -> (usize, usize) {
        diff::stats(&self.lines)
    }
}
