//! The proof of a run's result: it is audited again in memory (moved secrets set as their
//! destination sets them), and a decision whose result adds a finding is refused, naming the
//! finding, while the rest goes ahead. A finding counts as added when its rule and path (list
//! indexes aside, since a patch shifts them) are not among the input's findings.

use super::{Change, HardenError, Options, Outcome, Realized, realize, reload};
use crate::config::Deployment;
use crate::finding::Finding;
use crate::fix::{Plan, SecretsTo};
use crate::rules::{self, Context};

/// How many times decisions are refused and the result proved again: each round only removes
/// decisions, so a few rounds settle every case seen; what is left is reported, not hidden.
const ROUNDS: usize = 4;

/// Proves `outcome` before it is written: decisions whose result adds a finding are taken
/// out (their findings become manual, the reason naming the added finding) and the rest is
/// realized again; `outcome.added` keeps what no single decision explains.
///
/// # Errors
/// A patch of the smaller plan that does not verify (a bug, as in [`super::run`]).
pub fn prove(
    deployment: &Deployment,
    options: &Options,
    outcome: &mut Outcome,
) -> Result<(), HardenError> {
    let first = Realized {
        plan: outcome.plan.clone(),
        changes: std::mem::take(&mut outcome.changes),
        moved: std::mem::take(&mut outcome.moved),
    };
    let proved = prove_plan(
        deployment,
        options,
        &outcome.findings,
        &outcome.decided,
        &outcome.secrets_to,
        first,
    );
    outcome.refused = proved.refused.iter().map(|(i, _)| *i).collect();
    outcome.plan = proved.realized.plan;
    outcome.changes = proved.realized.changes;
    outcome.moved = proved.realized.moved;
    outcome.added = proved.added;
    // Only the secrets that are written are reported as generated: one whose fix was refused
    // (by the editor or by this proof) lands nowhere.
    let (changes, moved) = (&outcome.changes, &outcome.moved);
    outcome.generated.retain(|(_, secret)| {
        let value = secret.expose();
        changes.iter().any(|c| c.after.contains(value))
            || moved.iter().any(|(_, v)| v.contains(value))
    });
    Ok(())
}

/// A plan after its proof: what is written, the decisions refused (finding index and why),
/// and the findings still added that no single decision explains.
pub(crate) struct Proved {
    pub realized: Realized,
    pub refused: Vec<(usize, String)>,
    pub added: Vec<Finding>,
}

/// Proves `decided` (already realized as `first`) for the deployment: the one proof of
/// `apply`, the wizard's write and the answers replay. A smaller plan that cannot be made
/// (a patch that does not verify) keeps the last result and its refusals.
pub(crate) fn prove_plan(
    deployment: &Deployment,
    options: &Options,
    findings: &[Finding],
    decided: &Plan,
    secrets_to: &SecretsTo,
    first: Realized,
) -> Proved {
    let mut added = added_findings(deployment, options, findings, &first.changes, &first.moved);
    if added.is_empty() {
        return Proved {
            realized: first,
            refused: Vec::new(),
            added,
        };
    }
    let cx = Context::new(deployment, options.profile, options.version);
    // What the result adds with the decisions of `refused` taken out.
    let added_without = |refused: &[(usize, String)]| {
        let mut plan = decided.clone();
        plan.refuse(findings, refused);
        let realized = realize(
            deployment,
            &cx,
            findings,
            plan,
            secrets_to,
            crate::patch::Check::Verify,
        )
        .ok()?;
        let added = added_findings(
            deployment,
            options,
            findings,
            &realized.changes,
            &realized.moved,
        );
        Some((realized, added))
    };
    let decisions: Vec<usize> = decided
        .applied
        .iter()
        .filter(|(_, ops)| !ops.is_empty())
        .map(|(i, _)| *i)
        .collect();
    // Decisions writing a common key stand or fall together (the wizard's proposals): without
    // one of them, the other still makes the shared change.
    let groups: Vec<Vec<usize>> = decided
        .groups()
        .into_iter()
        .map(|(members, _)| members)
        .collect();
    let group = |decision: usize| -> Vec<usize> {
        groups
            .iter()
            .find(|members| members.contains(&decision))
            .cloned()
            .unwrap_or_else(|| vec![decision])
    };
    let mut refused: Vec<(usize, String)> = Vec::new();
    let mut last = first;
    for _ in 0..ROUNDS {
        let mut blamed = Vec::new();
        for &decision in &decisions {
            if refused.iter().any(|(r, _)| *r == decision) {
                continue;
            }
            if blamed.iter().any(|(b, _)| *b == decision) {
                continue;
            }
            let members = group(decision);
            let mut trial = refused.clone();
            trial.extend(members.iter().map(|m| (*m, String::new())));
            let Some((_, left)) = added_without(&trial) else {
                continue;
            };
            // The first finding that goes away with this decision is the one it adds.
            if let Some(gone) = added.iter().find(|f| !contains(&left, f)) {
                for member in members {
                    if !refused.iter().chain(&blamed).any(|(r, _)| *r == member) {
                        blamed.push((member, refusal(gone)));
                    }
                }
            }
        }
        if blamed.is_empty() {
            break;
        }
        let kept = refused.len();
        refused.extend(blamed);
        let Some((realized, left)) = added_without(&refused) else {
            // The smaller plan cannot be made: keep the last result and its refusals.
            refused.truncate(kept);
            break;
        };
        added = left;
        last = realized;
        if added.is_empty() {
            break;
        }
    }
    Proved {
        realized: last,
        refused,
        added,
    }
}

/// Why a decision is not applied: the finding its result would add.
pub(crate) fn refusal(added: &Finding) -> String {
    format!(
        "not applied: the result would add {} ({}) at `{}`: {}",
        added.rule.id, added.rule.name, added.path, added.message
    )
}

/// True when `list` holds a finding of `f`'s rule at `f`'s path (list indexes aside).
fn contains(list: &[Finding], f: &Finding) -> bool {
    let key = shape(&f.path);
    list.iter()
        .any(|g| g.rule.id == f.rule.id && shape(&g.path) == key)
}

/// `path` with list indexes as `*`: an index shifted by a patch is not a new finding.
fn shape(path: &str) -> String {
    path.split('.')
        .map(|s| if s.parse::<usize>().is_ok() { "*" } else { s })
        .collect::<Vec<_>>()
        .join(".")
}

/// The findings the deployment has after `changes` (with `moved` set as the env file or
/// Secret would set them) that `before` does not have.
pub(crate) fn added_findings(
    deployment: &Deployment,
    options: &Options,
    before: &[Finding],
    changes: &[Change],
    moved: &[(String, String)],
) -> Vec<Finding> {
    if changes.is_empty() && moved.is_empty() {
        return Vec::new();
    }
    let Ok(mut after) = reload(deployment, changes) else {
        return Vec::new();
    };
    after.template = deployment.template;
    if !moved.is_empty() {
        let text: String = moved
            .iter()
            .filter_map(|(name, value)| {
                let quoted = crate::config::env::dotenv::quote(value).ok()?;
                Some(format!("{name}={quoted}\n"))
            })
            .collect();
        after.add_env_text(
            std::path::Path::new("moved-secrets.env"),
            "the secrets destination".to_owned(),
            text,
        );
    }
    new_in(
        before,
        &Context::new(&after, options.profile, options.version),
    )
}

/// The findings of the deployment `after` is about that `before` does not have.
pub(crate) fn new_in(before: &[Finding], after: &Context<'_>) -> Vec<Finding> {
    // A set, not a scan per finding: a large insecure config has thousands of findings.
    let known: std::collections::HashSet<(&str, String)> =
        before.iter().map(|f| (f.rule.id, shape(&f.path))).collect();
    rules::check_all(after)
        .into_iter()
        .filter(|f| !known.contains(&(f.rule.id, shape(&f.path))))
        .collect()
}
