//! One hardening run without touching files: audit, plan the fixes, patch each file's text and
//! verify it. `apply`, the wizard and the tests all go through [`run`]; writing is the
//! command layer's job.

use crate::config::node::FileId;
use crate::config::{Deployment, KratosVersion};
use crate::finding::Finding;
use crate::fix::{self, FixEnv, Plan, Selection};
use crate::patch::{self, PatchError};
use crate::rules::{self, Context, Profile};
use crate::secret::{Secret, SecretError};

/// What to fix and how.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Profile the audit judges against.
    pub profile: Profile,
    /// Kratos version override.
    pub version: Option<KratosVersion>,
    /// Which fixes run.
    pub selection: Selection,
}

/// One file's new text.
#[derive(Clone, Debug)]
pub struct Change {
    /// The source it belongs to.
    pub file: FileId,
    /// The text as read.
    pub before: String,
    /// The patched, verified text.
    pub after: String,
}

/// Everything a run decided.
#[derive(Debug)]
pub struct Outcome {
    /// The audit's findings (the plan's indices point here).
    pub findings: Vec<Finding>,
    /// The fixes: applied, manual and skipped unsafe ones.
    pub plan: Plan,
    /// Files whose text changes (unchanged files are left out).
    pub changes: Vec<Change>,
    /// Secrets generated in this run, with the config path each went to.
    pub generated: Vec<(String, Secret)>,
}

/// Why a run failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum HardenError {
    /// The OS random source failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// A patch did not verify: a bug, reported instead of writing anything.
    #[error("{file}: {source}")]
    Patch {
        /// The file being patched.
        file: String,
        /// What went wrong.
        source: PatchError,
    },
}

/// Audits `deployment`, plans the fixes with `env` and patches every file's text.
pub fn run(
    deployment: &Deployment,
    options: &Options,
    env: &mut FixEnv<'_>,
) -> Result<Outcome, HardenError> {
    let cx = Context::new(deployment, options.profile, options.version);
    let findings = rules::check_all(&cx);
    let mut plan = fix::plan(&cx, &findings, &options.selection, env)?;
    let mut changes = Vec::new();
    for (file, ops) in &plan.by_file {
        let source = deployment.source(*file);
        let json = source
            .path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let patched = patch::apply(&source.text, json, ops).map_err(|e| HardenError::Patch {
            file: source.display.clone(),
            source: e,
        })?;
        // An operation the engine refuses turns its findings into manual ones.
        for (op_index, reason) in patched.refused {
            let op = &ops[op_index];
            let owners: Vec<usize> = plan
                .applied
                .iter()
                .filter(|(_, o)| o.contains(op))
                .map(|(i, _)| *i)
                .collect();
            plan.applied.retain(|(i, _)| !owners.contains(i));
            for owner in owners {
                plan.manual
                    .push((owner, format!("not edited automatically: {reason}")));
            }
        }
        if patched.text != source.text {
            changes.push(Change {
                file: *file,
                before: source.text.clone(),
                after: patched.text,
            });
        }
    }
    Ok(Outcome {
        findings,
        plan,
        changes,
        generated: std::mem::take(&mut env.generated),
    })
}

/// The deployment as it would be after `changes` (for re-auditing a result).
pub fn reload(
    deployment: &Deployment,
    changes: &[Change],
) -> Result<Deployment, crate::config::ConfigError> {
    let files = deployment
        .sources
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == crate::config::SourceKind::Config)
        .map(|(i, s)| {
            let id = FileId::try_from(i).unwrap_or(FileId::MAX);
            let text = changes
                .iter()
                .find(|c| c.file == id)
                .map_or_else(|| s.text.clone(), |c| c.after.clone());
            (s.path.clone(), s.display.clone(), text)
        })
        .collect();
    Deployment::from_texts(files)
}
