//! Fixes that land in a docker compose file: a finding whose value comes from the compose
//! file (`--dev` on the command line, an `environment:` entry) is fixed there. Each operation
//! on a config path becomes one edit of the compose file's own YAML, made by the same editor
//! and verified the same way: `dev` drops `--dev` from the command (the rest of the command
//! kept byte for byte), a value an `environment:` entry sets changes that entry (`NAME: value`
//! or `- NAME=value`). Anything else is refused, naming the entry to change by hand.

use crate::config::compose::Service;
use crate::config::{Deployment, Source, env};
use crate::patch::{self, Op, PatchError};

/// Patches compose file `source` of `deployment` with `ops` (config paths).
pub(super) fn patch(
    deployment: &Deployment,
    source: &Source,
    ops: &[Op],
    check: patch::Check,
) -> Result<patch::Patched, PatchError> {
    let Some(compose) = &deployment.compose else {
        let reason = |_: &Op| "not a compose service this run read".to_owned();
        return Ok(patch::Patched::all_refused(&source.text, ops, reason));
    };
    let mut translated: Vec<(usize, Op)> = Vec::new();
    let mut refused = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        match translate(&compose.service, op) {
            Ok(op) => translated.push((index, op)),
            Err(reason) => refused.push((index, PatchError::Refused { line: 0, reason })),
        }
    }
    let own: Vec<Op> = translated.iter().map(|(_, op)| op.clone()).collect();
    let original = patch::read_tree(&source.text)?;
    let format = patch::Format::of(&source.path);
    let mut patched = super::lists::patch(&source.text, format, &own, original, check)?;
    refused.extend(
        patched
            .refused
            .drain(..)
            .map(|(i, err)| (translated[i].0, err)),
    );
    refused.sort_by_key(|(i, _)| *i);
    patched.refused = refused;
    // The compose file's own tree, not the Kratos config.
    patched.tree = None;
    Ok(patched)
}

/// The compose file's operation for config operation `op`, or why there is none.
fn translate(service: &Service, op: &Op) -> Result<Op, String> {
    let path = op.path();
    if path == "dev" {
        return drop_dev(service);
    }
    let entry = service
        .environment_paths
        .iter()
        .find(|(var, _, _)| env::resolve(var).is_some_and(|(p, _)| p == path));
    let Some((var, at, list)) = entry else {
        return Err(format!(
            "`{path}` is set in {} in a way this tool does not edit; change it there by hand",
            service.display
        ));
    };
    // A `${NAME}` entry is filled by compose: a value written here would replace the
    // indirection (and could put a secret into the file).
    let written = service.environment.iter().find(|(v, _, _)| v == var);
    if written.is_some_and(|(_, value, _)| value.contains('$')) {
        return Err(format!(
            "`{var}` in {} is a `$` reference that compose fills: change the variable where \
             compose gets it (the project's .env or the shell)",
            service.display
        ));
    }
    Ok(match op {
        Op::Remove { .. } => Op::Remove { path: at.clone() },
        Op::Set { value, .. } => {
            let Some(text) = patch::dotenv::render(value) else {
                return Err(format!(
                    "the new value of `{path}` does not fit on the `{var}` line of {}; change it \
                     by hand",
                    service.display
                ));
            };
            let text = if *list { format!("{var}={text}") } else { text };
            Op::Set {
                path: at.clone(),
                value: serde_json::Value::String(text),
            }
        }
        Op::Prepend { .. } => {
            return Err(format!(
                "`{path}` comes from `{var}` in {}: add to it there by hand",
                service.display
            ));
        }
    })
}

/// Removing `--dev` from the command: its list item, or the word and the space before it in
/// the command string.
fn drop_dev(service: &Service) -> Result<Op, String> {
    let by_hand = || {
        format!(
            "remove `--dev` from the command in {} by hand",
            service.display
        )
    };
    let command = service.command.as_ref().ok_or_else(by_hand)?;
    let is_dev = |w: &str| w == "--dev" || w == "--dev=true";
    if command.list {
        let at = command
            .words
            .iter()
            .position(|w| is_dev(w))
            .ok_or_else(by_hand)?;
        return Ok(Op::Remove {
            path: format!("{}.{at}", command.path),
        });
    }
    let text = service.command_text.as_deref().ok_or_else(by_hand)?;
    // The words as written, split on single spaces so everything else stays byte for byte.
    let mut words: Vec<&str> = text.split(' ').collect();
    let at = words.iter().position(|w| is_dev(w)).ok_or_else(by_hand)?;
    words.remove(at);
    let kept = words.join(" ");
    if crate::config::compose::split(&kept)
        .iter()
        .any(|w| is_dev(w))
    {
        return Err(by_hand());
    }
    Ok(Op::Set {
        path: command.path.clone(),
        value: serde_json::Value::String(kept),
    })
}
