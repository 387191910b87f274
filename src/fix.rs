//! From findings to patch operations: which fixes run (safe by default, unsafe on request,
//! `--only`/`--skip`), what each produces, which need the operator, and which file each goes
//! to when a deployment is several files.

use std::collections::HashMap;

use serde_json::Value;

use crate::config::node::FileId;
use crate::finding::Finding;
use crate::patch::Op;
use crate::rules::{Applicability, Context, RULES, Rule};
use crate::secret::{self, Kind, Secret, SecretError};

/// What `Rule::fix` returns: the plan, or the OS random source failing.
pub type FixResult = Result<FixPlan, SecretError>;

/// What a rule's fix for one finding is.
#[derive(Debug)]
pub enum FixPlan {
    /// Apply these operations.
    Ops(Vec<Op>),
    /// Only the operator can do it; why, and what to do.
    Manual(String),
}

/// Where generated secrets go.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum SecretsTo {
    /// Into the config file.
    #[default]
    Inline,
    /// Into a dotenv file (0600) in Kratos's env naming, removed from the config.
    EnvFile(std::path::PathBuf),
    /// Into a Kubernetes `Secret` manifest with the Helm chart's key names.
    K8sSecret(std::path::PathBuf),
}

/// What fixes may use: a random source, remembered per-run decisions and the generated
/// secrets (so they can be masked everywhere).
pub struct FixEnv<'a> {
    /// Random bytes for secrets.
    pub source: &'a mut dyn secret::Source,
    /// Where secrets go.
    pub secrets_to: SecretsTo,
    /// Every secret generated in this run, with the config path it went to.
    pub generated: Vec<(String, Secret)>,
    /// Per-key memo of computed values, so several findings about one list agree.
    memo: HashMap<String, Value>,
}

impl<'a> FixEnv<'a> {
    /// An environment drawing secrets from `source`.
    pub fn new(source: &'a mut dyn secret::Source, secrets_to: SecretsTo) -> Self {
        Self {
            source,
            secrets_to,
            generated: Vec::new(),
            memo: HashMap::new(),
        }
    }

    /// A new secret of `kind` for `path`, remembered for masking.
    pub fn secret(&mut self, kind: Kind, path: &str) -> Result<String, SecretError> {
        let secret = Secret::generate(kind, self.source)?;
        let text = secret.expose().to_owned();
        self.generated.push((path.to_owned(), secret));
        Ok(text)
    }

    /// The value computed for `key` by `make`, computed once per run.
    pub fn once(
        &mut self,
        key: &str,
        make: impl FnOnce(&mut Self) -> Result<Value, SecretError>,
    ) -> Result<Value, SecretError> {
        if let Some(v) = self.memo.get(key) {
            return Ok(v.clone());
        }
        let value = make(self)?;
        self.memo.insert(key.to_owned(), value.clone());
        Ok(value)
    }
}

/// Which findings to fix.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// Only these rule ids (empty = all).
    pub only: Vec<String>,
    /// Never these rule ids.
    pub skip: Vec<String>,
}

impl Selection {
    fn wants(&self, finding: &Finding) -> bool {
        let id = finding.rule.id;
        let named = |list: &[String]| {
            list.iter()
                .any(|x| x.eq_ignore_ascii_case(id) || x.eq_ignore_ascii_case(finding.rule.name))
        };
        (self.only.is_empty() || named(&self.only)) && !named(&self.skip)
    }
}

/// The fixes of one run, ready for the patch engine. Findings are referred to by their index
/// in the slice given to [`plan`].
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Findings whose fixes will be applied, each with all its operations (an operation two
    /// fixes share is listed under both, and once in `by_file`).
    pub applied: Vec<(usize, Vec<Op>)>,
    /// Findings left to the operator, with the reason (manual fixes, missing information,
    /// conflicts, edits the patch engine refused).
    pub manual: Vec<(usize, String)>,
    /// Findings with unsafe fixes not applied because `--unsafe-fixes` was not given.
    pub unsafe_skipped: Vec<usize>,
    /// Operations per file, deduplicated, in finding order.
    pub by_file: Vec<(FileId, Vec<Op>)>,
}

impl Plan {
    /// Rebuilds the per-file lists from `applied` (after decisions were taken out or edited):
    /// each finding's operations go to its file, in finding order, each operation once (in
    /// the file of the first finding that has it).
    pub fn rebuild_files(&mut self, findings: &[Finding]) {
        self.by_file.clear();
        // Operations already listed, by path: an operation two findings share goes to the
        // file of the first, once (as `plan` lists it), even when the other finding is in
        // another layered file. By path, as a list can have thousands of entries fixed one by
        // one: no scan of a whole list per operation.
        let mut listed: HashMap<&str, Vec<&Op>> = HashMap::new();
        for (index, ops) in &self.applied {
            let file = findings[*index].file;
            let slot = if let Some(p) = self.by_file.iter().position(|(f, _)| *f == file) {
                p
            } else {
                self.by_file.push((file, Vec::new()));
                self.by_file.len() - 1
            };
            for op in ops {
                let same = listed.entry(op.path()).or_default();
                if !same.contains(&op) {
                    same.push(op);
                    self.by_file[slot].1.push(op.clone());
                }
            }
        }
    }

    /// Takes the decisions `refused` out (each with its reason): they become manual.
    pub fn refuse(&mut self, findings: &[Finding], refused: &[(usize, String)]) {
        if refused.is_empty() {
            return;
        }
        self.applied
            .retain(|(i, _)| !refused.iter().any(|(r, _)| r == i));
        self.manual.extend(refused.iter().cloned());
        self.rebuild_files(findings);
    }

    /// The applied fixes grouped by the keys they share (see [`groups_of`]).
    #[must_use]
    pub fn groups(&self) -> Vec<(Vec<usize>, Vec<Op>)> {
        groups_of(&self.applied)
    }

    /// True when there is nothing to change.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_file.iter().all(|(_, ops)| ops.is_empty())
    }
}

/// The representative of `k`'s group (union-find, halving the path on the way).
fn root(parent: &mut [usize], mut k: usize) -> usize {
    while parent[k] != k {
        parent[k] = parent[parent[k]];
        k = parent[k];
    }
    k
}

/// The applied fixes grouped: findings whose operations touch a common key are one group (one
/// secret list, one hook list), since no decision about one of them could leave the other's
/// change out — the wizard's proposals, and the decisions the proof refuses together. Returns
/// each group's findings (in plan order) and the union of their operations, each once.
#[must_use]
pub fn groups_of(applied: &[(usize, Vec<Op>)]) -> Vec<(Vec<usize>, Vec<Op>)> {
    let applied: Vec<&(usize, Vec<Op>)> =
        applied.iter().filter(|(_, ops)| !ops.is_empty()).collect();
    // Union-find over the fixes, joined by the paths they write (linear: a list can have
    // thousands of entries fixed one by one).
    let mut parent: Vec<usize> = (0..applied.len()).collect();
    let mut writer: HashMap<&str, usize> = HashMap::new();
    for (k, (_, ops)) in applied.iter().enumerate() {
        for op in ops {
            match writer.get(op.path()) {
                Some(&other) => {
                    let (a, b) = (root(&mut parent, k), root(&mut parent, other));
                    // The earlier fix stays the group's root, so groups keep plan order.
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    writer.insert(op.path(), k);
                }
            }
        }
    }
    let mut groups: Vec<(Vec<usize>, Vec<Op>)> = Vec::new();
    let mut slot: HashMap<usize, usize> = HashMap::new();
    for (k, (finding, ops)) in applied.iter().enumerate() {
        let r = root(&mut parent, k);
        let at = *slot.entry(r).or_insert_with(|| {
            groups.push((Vec::new(), Vec::new()));
            groups.len() - 1
        });
        let (members, union) = &mut groups[at];
        members.push(*finding);
        for op in ops {
            if !union.contains(op) {
                union.push(op.clone());
            }
        }
    }
    groups
}

/// The rule behind a finding: findings point at their rule's metadata, so the catalog entry
/// with that very metadata (one pointer comparison per rule, no string compared).
fn rule_of(finding: &Finding) -> Option<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| std::ptr::eq(r.meta(), finding.rule))
        .or_else(|| {
            RULES
                .iter()
                .copied()
                .find(|r| r.meta().id == finding.rule.id)
        })
}

/// Plans the fixes for `findings` (suppressed ones are left alone).
pub fn plan(
    cx: &Context<'_>,
    findings: &[Finding],
    selection: &Selection,
    env: &mut FixEnv<'_>,
) -> Result<Plan, SecretError> {
    let mut plan = Plan::default();
    let mut claimed: HashMap<String, Op> = HashMap::new();
    for (index, finding) in findings.iter().enumerate() {
        if finding.suppressed.is_some() || !selection.wants(finding) {
            continue;
        }
        let Some(fix) = &finding.fix else { continue };
        match fix.applicability {
            Applicability::Manual => {
                plan.manual.push((index, fix.summary.to_string()));
                continue;
            }
            Applicability::Unsafe if !selection.unsafe_fixes => {
                plan.unsafe_skipped.push(index);
                continue;
            }
            _ => {}
        }
        let generated = env.generated.len();
        let outcome = match rule_of(finding) {
            Some(rule) => rule.fix(cx, finding, env)?,
            None => FixPlan::Manual(fix.summary.to_string()),
        };
        let ops = match outcome {
            FixPlan::Manual(why) => {
                plan.manual.push((index, why));
                continue;
            }
            FixPlan::Ops(ops) => ops,
        };
        // A secret written by this fix (generated now, or earlier for the same list).
        let writes_secret = env.generated.len() > generated
            || ops
                .iter()
                .any(|op| !matches!(op, Op::Remove { .. }) && op.path().starts_with("secrets."));
        if let Some(why) = writes_secret
            .then(|| no_inline_secrets(cx, findings, finding, &env.secrets_to))
            .flatten()
        {
            env.generated.truncate(generated);
            plan.manual.push((index, why));
            continue;
        }
        // Two fixes writing one key differently cannot both apply: the first wins; the same
        // operation from two findings (one list fixed for several reasons) is kept once.
        let mut kept = Vec::new();
        let mut conflict = None;
        for op in &ops {
            match claimed.get(op.path()) {
                Some(same) if same == op => {}
                Some(_) => conflict = Some(op.path().to_owned()),
                None => kept.push(op.clone()),
            }
        }
        // A fix that cannot make all its changes makes none: half a fix counted as done is
        // worse than a finding left to the operator.
        if let Some(key) = conflict {
            plan.manual.push((
                index,
                format!("another fix already changes `{key}`; run apply again afterwards"),
            ));
            continue;
        }
        for op in &kept {
            claimed.insert(op.path().to_owned(), op.clone());
            match plan.by_file.iter_mut().find(|(f, _)| *f == finding.file) {
                Some((_, list)) => list.push(op.clone()),
                None => plan.by_file.push((finding.file, vec![op.clone()])),
            }
        }
        // The finding keeps all its operations, shared ones included: each decision stands on
        // its own (skipping the earlier fix must not leave this one half made), and the files'
        // lists hold every operation once.
        plan.applied.push((index, ops));
    }
    Ok(plan)
}

/// Why a fix that generated a secret cannot write it: secrets stay inline only in a file that
/// already holds some (its inline-secret finding, KH210, is one per file, so one more key
/// there adds none). A config that keeps its secrets elsewhere does not start holding them;
/// the operator chooses a destination instead.
fn no_inline_secrets(
    cx: &Context<'_>,
    findings: &[Finding],
    finding: &Finding,
    to: &SecretsTo,
) -> Option<String> {
    use crate::config::SourceKind;
    let source = cx.deployment.source(finding.file);
    let inline_file = matches!(source.kind, SourceKind::Config | SourceKind::HelmValues);
    let holds = findings
        .iter()
        .any(|f| f.rule.id == "KH210" && f.file == finding.file);
    if *to != SecretsTo::Inline || !inline_file || holds {
        return None;
    }
    let destination = if cx.deployment.chart.helm {
        "`--secrets-to k8s-secret:FILE`"
    } else {
        "`--secrets-to env-file:FILE`"
    };
    Some(format!(
        "{} holds no secrets inline, and writing a generated one there would add KH210 \
         (secret-inline): choose where secrets go with {destination}, or set the variable \
         where Kratos runs",
        source.display
    ))
}

/// `Set` at a path.
#[must_use]
pub fn set(path: &str, value: Value) -> Op {
    Op::Set {
        path: path.to_owned(),
        value,
    }
}

/// `Remove` at a path.
#[must_use]
pub fn remove(path: &str) -> Op {
    Op::Remove {
        path: path.to_owned(),
    }
}

/// `Prepend` to a list.
#[must_use]
pub fn prepend(path: &str, value: Value) -> Op {
    Op::Prepend {
        path: path.to_owned(),
        value,
    }
}
