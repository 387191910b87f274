//! One hardening run without touching files: audit, plan the fixes, patch each file's text and
//! verify it. `apply`, the wizard and the tests all go through [`run`]; writing is the
//! command layer's job.

use crate::config::node::FileId;
use crate::config::{Deployment, KratosVersion};
use crate::finding::Finding;
use crate::fix::{self, FixEnv, Plan, SecretsTo, Selection};
use crate::patch::{self, PatchError};
use crate::rules::{self, Context, Profile};
use crate::secret::{Secret, SecretError};

mod compose;
mod lists;
mod prove;

pub use prove::prove;
pub(crate) use prove::{Proved, added_findings, new_in, prove_plan, refusal};

/// What to fix and how.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Profile the audit judges against.
    pub profile: Profile,
    /// Kratos version override.
    pub version: Option<KratosVersion>,
    /// Which fixes run.
    pub selection: Selection,
    /// Recorded wizard decisions to replay, and whether every fix must have one.
    pub answers: Option<(crate::answers::Answers, bool)>,
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
    /// `after` as the audit reads it, when the verification parsed it (a config file): the
    /// proof's re-audit takes it instead of parsing the text again.
    pub tree: Option<crate::config::node::Node>,
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
    /// With `--secrets-to env-file`/`k8s-secret`: the secret lists moved out of the config, as
    /// `(Kratos env variable, value)`; the value is CSV when that is safe, else a JSON array.
    pub moved: Vec<(String, String)>,
    /// Findings whose fix got a value from an answers file instead of the proposed one (their
    /// `fix.summary` now describes that value, so reports show what was really set).
    pub edited: Vec<usize>,
    /// Warnings of the replay, one line each naming the answers file's line (an answer that
    /// matches no finding, or a finding with nothing to apply).
    pub notes: Vec<String>,
    /// Findings the result has that the input did not (rule and path, list indexes aside)
    /// and that no single decision explains, filled by [`prove`]. Empty until then (the
    /// wizard's start does not pay for it).
    pub added: Vec<Finding>,
    /// The plan as decided, before secrets were relocated and the editor refused anything:
    /// [`prove`] realizes it again without the decisions it refuses.
    pub decided: Plan,
    /// Where generated secrets go.
    pub secrets_to: SecretsTo,
    /// Findings whose decision [`prove`] refused because its result would add a finding
    /// (their reason in `plan.manual` names it).
    pub refused: Vec<usize>,
}

/// Why a run failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum HardenError {
    /// The OS random source failed.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// The answers file cannot be replayed (bad entries, or decisions `--require-answers`
    /// demands are missing); nothing was changed.
    #[error(transparent)]
    Answers(#[from] crate::answers::AnswersError),
    /// A patch did not verify: a bug, reported instead of writing anything.
    #[error("{file}: {error}")]
    Patch {
        /// The file being patched.
        file: String,
        /// What went wrong.
        error: PatchError,
    },
}

/// Patches one source with the editor for its kind: YAML/JSON for configs, the `kratos.config`
/// subtree of a Helm values file, the variable lines of an env file. The process environment
/// and the chart's generated values cannot be edited: every operation there is refused with
/// what to change instead.
pub(crate) fn patch_source(
    deployment: &Deployment,
    source: &crate::config::Source,
    ops: &[patch::Op],
) -> Result<patch::Patched, PatchError> {
    patch_source_checked(deployment, source, ops, patch::Check::Verify)
}

/// [`patch_source`], verifying the YAML/JSON result or only learning what is refused.
fn patch_source_checked(
    deployment: &Deployment,
    source: &crate::config::Source,
    ops: &[patch::Op],
    check: patch::Check,
) -> Result<patch::Patched, PatchError> {
    use crate::config::SourceKind;
    let format = patch::Format::of(&source.path);
    match source.kind {
        SourceKind::Config => {
            // With one config file and nothing layered over it, its tree is the deployment's:
            // no need to parse it again.
            let alone = deployment
                .sources
                .iter()
                .all(|s| s.kind == SourceKind::IdentitySchema || std::ptr::eq(s, source));
            let original = if alone {
                deployment.root.to_json()
            } else {
                patch::read_tree(&source.text)?
            };
            lists::patch(&source.text, format, ops, original, check)
        }
        SourceKind::EnvFile => patch::dotenv::apply(&source.text, ops),
        SourceKind::Compose => compose::patch(deployment, source, ops, check),
        SourceKind::HelmValues => {
            let under = &deployment.chart.config_path;
            let prefixed: Vec<patch::Op> = ops.iter().map(|op| op.under(under)).collect();
            let original = patch::read_tree(&source.text)?;
            let mut patched = lists::patch(&source.text, format, &prefixed, original, check)?;
            // The values file's own tree, not the Kratos config under it.
            patched.tree = None;
            Ok(patched)
        }
        SourceKind::Environment
        | SourceKind::Chart
        | SourceKind::IdentitySchema
        | SourceKind::Manifest
        | SourceKind::Embedded => {
            let reason = |op: &patch::Op| uneditable(deployment, source, op).unwrap_or_default();
            Ok(patch::Patched::all_refused(&source.text, ops, reason))
        }
    }
}

/// Why `op` cannot be made in `source` at all, by the kind of source: the process
/// environment, the chart's generated values and identity schemas are not edited.
fn uneditable(
    deployment: &Deployment,
    source: &crate::config::Source,
    op: &patch::Op,
) -> Option<String> {
    use crate::config::SourceKind;
    Some(match source.kind {
        SourceKind::Environment => {
            let var = variable_for(deployment, op.path()).unwrap_or("its variable");
            format!("set by the environment variable {var}: change it where the process gets it")
        }
        SourceKind::Chart => {
            "supplied by the Helm chart: set it under kratos.config in the values file".to_owned()
        }
        SourceKind::IdentitySchema => "in an identity schema: edit the schema by hand".to_owned(),
        SourceKind::Manifest | SourceKind::Embedded => format!(
            "in the Kubernetes manifest {}: edits of manifests are not written yet; change it \
             there by hand",
            source.display
        ),
        SourceKind::Config | SourceKind::EnvFile | SourceKind::HelmValues | SourceKind::Compose => {
            return None;
        }
    })
}

/// Sets each finding's fix to what `apply` would do for it with no other flag than
/// `--unsafe-fixes` (secrets inline, no answers): `manual`, with the plan's reason as its
/// summary, whenever the plan leaves it to the operator (a manual fix, a conflict, a secret
/// with nowhere clean to go, a value only the environment or the chart sets). `audit` shows
/// these, so it tells per finding exactly what `apply` would do. The proof's refusals are not
/// predicted: the fixture and corpus tests assert that the fixes themselves never trigger one.
///
/// # Errors
/// The OS random source failing (the plan generates the secrets it would write).
pub fn attach_fixes(
    deployment: &Deployment,
    cx: &Context<'_>,
    findings: &mut [Finding],
) -> Result<(), SecretError> {
    let mut rng = crate::secret::OsSecrets;
    let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
    let selection = Selection {
        unsafe_fixes: true,
        ..Selection::default()
    };
    let plan = fix::plan(cx, findings, &selection, &mut env)?;
    // The editor's refusals (a list in `[...]` style, anchors) are known only by editing.
    // Verifying is for what is written; here only the editor's refusals count.
    let check = patch::Check::RefusalsOnly;
    let manual = match realize(
        deployment,
        cx,
        findings,
        plan.clone(),
        &SecretsTo::Inline,
        check,
    ) {
        Ok(realized) => realized.plan.manual,
        Err(_) => plan.manual,
    };
    for (index, why) in manual {
        if let Some(fix) = findings[index].fix.as_mut() {
            fix.applicability = crate::rules::Applicability::Manual;
            fix.summary = why.into();
            fix.breaks = None;
        }
    }
    Ok(())
}

/// The process variable that sets `path` (or the list it is an element of).
fn variable_for<'a>(deployment: &'a Deployment, path: &str) -> Option<&'a str> {
    let parent = path.rsplit_once('.').map_or(path, |(p, _)| p);
    deployment
        .environment
        .0
        .iter()
        .rev()
        .map(|(name, _)| name.as_str())
        .find(|name| {
            crate::config::env::resolve(name).is_some_and(|(p, _)| p == path || p == parent)
        })
}

/// Audits `deployment`, plans the fixes with `env` and patches every file's text.
pub fn run(
    deployment: &Deployment,
    options: &Options,
    env: &mut FixEnv<'_>,
) -> Result<Outcome, HardenError> {
    let cx = Context::new(deployment, options.profile, options.version);
    let mut findings = rules::check_all(&cx);
    let mut selection = options.selection.clone();
    if options.answers.is_some() {
        // The answers decide about unsafe fixes one by one.
        selection.unsafe_fixes = true;
    }
    let mut plan = fix::plan(&cx, &findings, &selection, env)?;
    let mut replay = crate::answers::Replay::default();
    if let Some((answers, require)) = &options.answers {
        replay = answers.filter(&cx, &findings, &mut plan, &env.generated, *require)?;
        // Reports print the fix summary: it must say the recorded value, not the proposal.
        for (index, summary) in &replay.edited {
            if let Some(fix) = findings[*index].fix.as_mut() {
                fix.summary = summary.clone().into();
            }
        }
    }
    let decided = plan.clone();
    let realized = realize(
        deployment,
        &cx,
        &findings,
        plan,
        &env.secrets_to,
        patch::Check::Verify,
    )?;
    Ok(Outcome {
        added: Vec::new(),
        findings,
        plan: realized.plan,
        changes: realized.changes,
        generated: std::mem::take(&mut env.generated),
        moved: realized.moved,
        edited: replay.edited.into_iter().map(|(i, _)| i).collect(),
        notes: replay.notes,
        decided,
        secrets_to: env.secrets_to.clone(),
        refused: Vec::new(),
    })
}

/// A plan made real: the files' new texts, the secrets moved out, and the plan as it ended
/// (operations the editor refused turned into manual fixes).
pub(crate) struct Realized {
    pub plan: Plan,
    pub changes: Vec<Change>,
    pub moved: Vec<(String, String)>,
}

/// Moves secrets where `secrets_to` says and patches every file of `plan`.
pub(crate) fn realize(
    deployment: &Deployment,
    cx: &Context<'_>,
    findings: &[Finding],
    mut plan: Plan,
    secrets_to: &SecretsTo,
    check: patch::Check,
) -> Result<Realized, HardenError> {
    let moved = if *secrets_to == SecretsTo::Inline {
        Vec::new()
    } else {
        relocate_secrets(cx, findings, &mut plan)
    };
    let mut changes = Vec::new();
    for slot in 0..plan.by_file.len() {
        let (file, mut ops) = plan.by_file[slot].clone();
        let source = deployment.source(file);
        // An operation the editor refuses makes its findings manual, and their other
        // operations are taken out too (a fix is made whole or not at all: verification
        // enabled without the hook it was for is half a fix). The smaller list is patched
        // again; each round only removes operations.
        let mut rounds = 0;
        let patched = loop {
            let patched =
                patch_source_checked(deployment, source, &ops, check).map_err(|error| {
                    HardenError::Patch {
                        file: source.display.clone(),
                        error,
                    }
                })?;
            rounds += 1;
            if patched.refused.is_empty() || rounds > 4 {
                break patched;
            }
            let gone = refuse_owners(&mut plan, &ops, &patched.refused);
            let refused: Vec<&patch::Op> = patched.refused.iter().map(|(i, _)| &ops[*i]).collect();
            let still_owned = |op: &patch::Op| plan.applied.iter().any(|(_, o)| o.contains(op));
            let keep: Vec<bool> = ops
                .iter()
                .map(|op| !refused.contains(&op) && (!gone.contains(op) || still_owned(op)))
                .collect();
            let mut kept = keep.iter();
            ops.retain(|_| kept.next().copied().unwrap_or(true));
        };
        plan.by_file[slot].1 = ops;
        if patched.text != source.text {
            changes.push(Change {
                file,
                before: source.text.clone(),
                after: patched.text,
                tree: patched.tree,
            });
        }
    }
    Ok(Realized {
        plan,
        changes,
        moved,
    })
}

/// Makes manual every applied finding that owns an operation of `refused` (the editor's first
/// reason each gets; looked up by path, as thousands may be refused at once). Returns the
/// operations those findings owned.
fn refuse_owners(
    plan: &mut Plan,
    ops: &[patch::Op],
    refused: &[(usize, PatchError)],
) -> Vec<patch::Op> {
    let mut by_path: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (at, (_, owned)) in plan.applied.iter().enumerate() {
        for op in owned {
            by_path.entry(op.path()).or_default().push(at);
        }
    }
    let mut gone: Vec<Option<String>> = vec![None; plan.applied.len()];
    for (op_index, reason) in refused {
        let op = &ops[*op_index];
        for &at in by_path.get(op.path()).into_iter().flatten() {
            if gone[at].is_none() && plan.applied[at].1.contains(op) {
                gone[at] = Some(format!("not edited automatically: {reason}"));
            }
        }
    }
    let mut owned_ops = Vec::new();
    let applied = std::mem::take(&mut plan.applied);
    for ((owner, owned), why) in applied.into_iter().zip(gone) {
        match why {
            Some(why) => {
                plan.manual.push((owner, why));
                owned_ops.extend(owned);
            }
            None => plan.applied.push((owner, owned)),
        }
    }
    owned_ops
}

/// The deployment as it would be with `ops` applied to `file` (to judge an edited value
/// before it is accepted); `None` when the editor refuses or cannot verify them.
pub(crate) fn with_ops(
    deployment: &Deployment,
    file: FileId,
    ops: &[patch::Op],
) -> Option<Deployment> {
    let source = deployment.sources.get(usize::from(file))?;
    let patched = patch_source(deployment, source, ops).ok()?;
    if !patched.refused.is_empty() {
        return None;
    }
    let change = Change {
        file,
        before: source.text.clone(),
        after: patched.text,
        tree: patched.tree,
    };
    let mut after = reload(deployment, &[change]).ok()?;
    after.template = deployment.template;
    Some(after)
}

/// Takes every secret list out of the config for an env file or Kubernetes Secret: the list's
/// final value (after this run's fixes) becomes a `SECRETS_<KEY>` variable and the key is
/// removed from the file, not merely overridden, because env arrays merge element-wise into
/// file arrays (kratos-hardening.md §0.8). The inline-secret findings are then fixed too.
pub fn relocate_secrets(
    cx: &Context<'_>,
    findings: &[Finding],
    plan: &mut Plan,
) -> Vec<(String, String)> {
    let mut moved = Vec::new();
    for key in ["default", "cookie", "cipher", "pagination"] {
        let path = format!("secrets.{key}");
        let Some(node) = cx.get(&path).filter(|n| !n.is_null()) else {
            // A list created by this run's fixes is moved as well.
            if let Some(value) = take_set(plan, &path) {
                moved.push((
                    format!("SECRETS_{}", key.to_ascii_uppercase()),
                    env_value(&value),
                ));
            }
            continue;
        };
        let value = take_set(plan, &path).unwrap_or_else(|| node.to_json());
        moved.push((
            format!("SECRETS_{}", key.to_ascii_uppercase()),
            env_value(&value),
        ));
        let op = fix::remove(&path);
        // A plan relocated before (the wizard's decisions start from one) has it already.
        match plan.by_file.iter_mut().find(|(f, _)| *f == node.pos.file) {
            Some((_, ops)) if ops.contains(&op) => {}
            Some((_, ops)) => ops.push(op),
            None => plan.by_file.push((node.pos.file, vec![op])),
        }
    }
    let inline: Vec<usize> = plan
        .manual
        .iter()
        .filter(|(i, _)| findings[*i].rule.id == "KH210")
        .map(|(i, _)| *i)
        .collect();
    plan.manual.retain(|(i, _)| !inline.contains(i));
    // The inline-secret finding of a file is fixed by the removals above.
    let removed: Vec<patch::Op> = moved
        .iter()
        .filter_map(|(name, _)| name.strip_prefix("SECRETS_"))
        .map(|key| fix::remove(&format!("secrets.{}", key.to_ascii_lowercase())))
        .collect();
    for index in inline {
        if !plan.applied.iter().any(|(i, _)| *i == index) {
            plan.applied.push((index, removed.clone()));
        }
    }
    moved
}

/// Removes the `Set` of `path` from the plan, returning its value.
fn take_set(plan: &mut Plan, path: &str) -> Option<serde_json::Value> {
    let mut found = None;
    for (_, ops) in &mut plan.by_file {
        ops.retain(|op| match op {
            crate::patch::Op::Set { path: p, value } if p == path => {
                found = Some(value.clone());
                false
            }
            _ => true,
        });
    }
    found
}

/// A string list as Kratos reads it from one env variable: CSV when no item holds `,`, `"`
/// or a newline (our generated secrets never do), else a JSON array.
#[must_use]
pub fn env_value(value: &serde_json::Value) -> String {
    let items: Vec<String> = match value {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect(),
        serde_json::Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    };
    if items
        .iter()
        .any(|i| i.contains([',', '"', '\n', '\r']) || i.trim() != i)
    {
        serde_json::to_string(&items).unwrap_or_default()
    } else {
        items.join(",")
    }
}

/// The deployment as it would be after `changes` (for re-auditing a result).
pub fn reload(
    deployment: &Deployment,
    changes: &[Change],
) -> Result<Deployment, crate::config::ConfigError> {
    use crate::config::SourceKind;
    // Each source of `kind` as the change leaves it, with its tree when the change has one.
    type Text = (std::path::PathBuf, String, String);
    let parsed_of = |kind: SourceKind| -> Vec<(Text, Option<crate::config::node::Node>)> {
        deployment
            .sources
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == kind)
            .map(|(i, s)| {
                let id = FileId::try_from(i).unwrap_or(FileId::MAX);
                let change = changes.iter().find(|c| c.file == id);
                let text = change.map_or_else(|| s.text.clone(), |c| c.after.clone());
                let tree = change.and_then(|c| c.tree.clone());
                ((s.path.clone(), s.display.clone(), text), tree)
            })
            .collect()
    };
    let text_of = |kind: SourceKind| -> Vec<Text> {
        parsed_of(kind).into_iter().map(|(text, _)| text).collect()
    };
    // Nothing of a Kubernetes manifest is edited (its findings are left to the operator), so
    // its deployment is the same after any plan.
    if deployment.compose.as_ref().is_some_and(|c| c.kubernetes) {
        return Ok(deployment.clone());
    }
    let helm = text_of(SourceKind::HelmValues);
    let mut reloaded = if helm.is_empty() {
        Deployment::from_parsed_texts(parsed_of(SourceKind::Config))?
    } else {
        Deployment::from_helm_values(helm)?
    };
    for (path, display, text) in text_of(SourceKind::EnvFile) {
        reloaded.add_env_text(&path, display, text);
    }
    // The compose file after the env files, as it was read (`environment:` wins over them).
    if let Some(compose) = &deployment.compose {
        for (path, display, text) in text_of(SourceKind::Compose) {
            reloaded.add_compose_text(&path, &display, text, &compose.service.name)?;
        }
    }
    if deployment
        .sources
        .iter()
        .any(|s| s.kind == SourceKind::Environment)
    {
        reloaded.add_environment(&deployment.environment.0);
    }
    Ok(reloaded)
}
