//! The proof of a run's result: it is audited again in memory (moved secrets set as their
//! destination sets them), and a decision whose result adds a finding is refused, naming the
//! finding, while the rest goes ahead. A finding counts as added when its rule and path (list
//! indexes aside, since a patch shifts them) are not among the input's findings.

use super::{Change, HardenError, Options, Outcome, realize, reload};
use crate::config::Deployment;
use crate::finding::Finding;
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
    let mut added = added_findings(
        deployment,
        options,
        &outcome.findings,
        &outcome.changes,
        &outcome.moved,
    );
    if added.is_empty() {
        return Ok(());
    }
    let cx = Context::new(deployment, options.profile, options.version);
    let findings = &outcome.findings;
    // What the result adds with the decisions of `refused` taken out.
    let added_without = |refused: &[(usize, String)]| {
        let mut plan = outcome.decided.clone();
        plan.refuse(findings, refused);
        let realized = realize(deployment, &cx, findings, plan, &outcome.secrets_to).ok()?;
        let added = added_findings(
            deployment,
            options,
            findings,
            &realized.changes,
            &realized.moved,
        );
        Some((realized, added))
    };
    let decisions: Vec<usize> = outcome
        .decided
        .applied
        .iter()
        .filter(|(_, ops)| !ops.is_empty())
        .map(|(i, _)| *i)
        .collect();
    let mut refused: Vec<(usize, String)> = Vec::new();
    let mut last = None;
    for _ in 0..ROUNDS {
        let mut blamed = Vec::new();
        for &decision in &decisions {
            if refused.iter().any(|(r, _)| *r == decision) {
                continue;
            }
            let mut trial = refused.clone();
            trial.push((decision, String::new()));
            let Some((_, left)) = added_without(&trial) else {
                continue;
            };
            // The first finding that goes away with this decision is the one it adds.
            if let Some(gone) = added.iter().find(|f| !contains(&left, f)) {
                blamed.push((decision, refusal(gone)));
            }
        }
        if blamed.is_empty() {
            break;
        }
        refused.extend(blamed);
        let Some((realized, left)) = added_without(&refused) else {
            break;
        };
        added = left;
        last = Some(realized);
        if added.is_empty() {
            break;
        }
    }
    outcome.refused = refused.iter().map(|(i, _)| *i).collect();
    if let Some(realized) = last {
        outcome.plan = realized.plan;
        outcome.changes = realized.changes;
        outcome.moved = realized.moved;
    }
    outcome.added = added;
    Ok(())
}

/// Why a decision is not applied: the finding its result would add.
fn refusal(added: &Finding) -> String {
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
    rules::check_all(after)
        .into_iter()
        .filter(|f| !contains(before, f))
        .collect()
}
