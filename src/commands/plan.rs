//! The writes of one `apply` or wizard run, planned whole before the first byte is written.
//!
//! Every destination is computed first (the secrets file, each changed config or env file,
//! `--output`), then checked as its write would check it (a regular file, unchanged since it was
//! read, writable, a folder that takes a new file), and only then written, secrets destination
//! first so no secret is lost if a later write fails. An env file that is also the
//! `--secrets-to env-file:` destination is one edit: its fixes and the moved secrets land in one
//! write. If a write still fails half-way (a full disk), the error says exactly which files were
//! already written and which were not; so does a signal that stops the run there (`signals`).

use std::fmt::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use anyhow::bail;

use super::write;
use crate::config::{Deployment, SourceKind};
use crate::fix::SecretsTo;
use crate::harden::Change;
use crate::shown;

/// How the wizard and `apply` write: secrets destination, `--output`, backups.
pub(super) struct WriteOptions<'a> {
    /// Where secrets go.
    pub secrets_to: &'a SecretsTo,
    /// `--output FILE`.
    pub output: Option<&'a Path>,
    /// Keep a backup of what is replaced.
    pub backup: bool,
}

/// One planned write.
enum Step {
    /// An existing file, read as `before`, replaced (with a backup when asked).
    Replace {
        path: PathBuf,
        shown: String,
        before: String,
        after: String,
        holds_secrets: bool,
        note: String,
    },
    /// A new file (`force`: a regular file there is replaced).
    Create {
        path: PathBuf,
        text: String,
        mode: u32,
        force: bool,
        note: String,
    },
}

impl Step {
    fn shown(&self) -> String {
        match self {
            Self::Replace { shown, .. } => shown.clone(),
            Self::Create { path, .. } => shown::path(path),
        }
    }

    /// An existing file is replaced (a `Create` with `force` may replace one too).
    fn replaces(&self) -> bool {
        match self {
            Self::Replace { .. } => true,
            Self::Create { path, .. } => std::fs::symlink_metadata(path).is_ok(),
        }
    }

    fn check(&self) -> anyhow::Result<()> {
        match self {
            Self::Replace { path, before, .. } => write::check_replace(path, before),
            Self::Create { path, force, .. } => write::check_create(path, *force),
        }
    }

    /// Writes; returns the report line.
    fn run(&self, backup: bool) -> anyhow::Result<String> {
        match self {
            Self::Create {
                path,
                text,
                mode,
                force,
                note,
            } => {
                write::create(path, text, *mode, *force)?;
                Ok(format!("{}{note}", shown::path(path)))
            }
            Self::Replace {
                path,
                shown: name,
                before,
                after,
                holds_secrets,
                note,
            } => {
                let done = write::replace(path, before, after, backup, *holds_secrets)?;
                let mut line = format!("{name}{note}");
                if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
                    let _ = write!(line, " -> {} (the link is kept)", shown::path(&done.path));
                }
                if let Some(backup) = &done.backup {
                    let _ = write!(line, " (backup {})", shown::path(backup));
                }
                if done.tightened {
                    line.push_str("; mode tightened to 0600 because the file holds secrets");
                }
                if !done.pruned.is_empty() {
                    let mut pruned = String::new();
                    super::undo::pruned_note(&mut pruned, &done.pruned);
                    let _ = write!(line, "; {}", pruned.trim_end().trim_end_matches('.'));
                }
                Ok(line)
            }
        }
    }
}

/// Plans, checks and writes the changes and the moved secrets. Returns one line per file
/// written.
pub(super) fn write_changes(
    deployment: &Deployment,
    changes: &[Change],
    moved: &[(String, String)],
    options: &WriteOptions<'_>,
) -> anyhow::Result<Vec<String>> {
    let steps = plan(deployment, changes, moved, options)?;
    // From here a signal names what was written, what was dropped and what was not.
    let set = super::signals::WriteSet::begin(steps.iter().map(|s| (s.shown(), s.replaces())));
    for step in &steps {
        step.check()?;
    }
    let mut report = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        set.start(index);
        match fail_for_tests(index).and_then(|()| step.run(options.backup)) {
            Ok(line) => report.push(line),
            Err(e) if report.is_empty() => return Err(e),
            Err(e) => {
                let left: Vec<String> = steps[index..].iter().map(Step::shown).collect();
                return Err(e.context(format!(
                    "a write failed after others succeeded. Written: {}. Not written: {}. \
                     `kratos-harden undo FILE` restores a written file from its backup",
                    report.join("; "),
                    left.join(", ")
                )));
            }
        }
    }
    Ok(report)
}

/// Debug builds only: `KRATOS_HARDEN_TEST_FAIL_WRITE=N` makes the N-th planned write (from 1)
/// fail like a full disk after its checks passed, so the half-way report can be tested. A
/// release build has no such hook.
fn fail_for_tests(index: usize) -> anyhow::Result<()> {
    if cfg!(debug_assertions)
        && std::env::var("KRATOS_HARDEN_TEST_FAIL_WRITE")
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
            == Some(index + 1)
    {
        bail!("test failure of write {}", index + 1);
    }
    Ok(())
}

fn plan(
    deployment: &Deployment,
    changes: &[Change],
    moved: &[(String, String)],
    options: &WriteOptions<'_>,
) -> anyhow::Result<Vec<Step>> {
    if let Some(output) = options.output {
        refuse_output_over_input(deployment, output)?;
    }
    let mut steps = Vec::new();
    // The changed env file that is also the secrets destination, if any: one edit.
    let mut merged = None;
    match options.secrets_to {
        SecretsTo::EnvFile(path) if !moved.is_empty() => {
            merged = changes.iter().position(|c| {
                let source = deployment.source(c.file);
                source.kind == SourceKind::EnvFile && same_file(&source.path, path)
            });
            if merged.is_none() {
                steps.push(env_file_step(path, moved)?);
            }
        }
        SecretsTo::K8sSecret(path) if !moved.is_empty() => steps.push(Step::Create {
            path: path.clone(),
            text: k8s_secret(moved),
            mode: 0o600,
            force: false,
            note: format!(" (mode 0600): Kubernetes Secret with {}", names(moved)),
        }),
        _ => {}
    }
    for (index, change) in changes.iter().enumerate() {
        let source = deployment.source(change.file);
        // Env files are where secrets live: kept (or made) 0600 like a config holding them.
        let holds_secrets = source.kind == SourceKind::EnvFile
            || !crate::mask::existing(&load_root(&change.after)).is_empty();
        let (after, note) = if merged == Some(index) {
            let text = with_secrets(&source.path, Some(&change.after), moved)?;
            (text, format!(" (also the secrets: {})", names(moved)))
        } else {
            (change.after.clone(), String::new())
        };
        if let Some(output) = options.output {
            steps.push(Step::Create {
                path: output.to_path_buf(),
                text: after,
                mode: if holds_secrets { 0o600 } else { 0o644 },
                force: true,
                note: format!(" (the original {} is unchanged)", source.display),
            });
            continue;
        }
        steps.push(Step::Replace {
            path: source.path.clone(),
            shown: source.display.clone(),
            before: change.before.clone(),
            after,
            holds_secrets,
            note,
        });
    }
    // The merged env file is the secrets destination: written first, like a separate one, so
    // a stop between the two writes never leaves the secrets only in the config's backup. No
    // secrets step was pushed, so the changes' steps are in their order.
    if let Some(head) = merged.and_then(|index| steps.get_mut(..=index)) {
        head.rotate_right(1);
    }
    Ok(steps)
}

/// Two names for one existing file (same device and inode).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

fn load_root(text: &str) -> crate::config::node::Node {
    crate::config::load::parse(text, "patched")
        .unwrap_or_else(|_| crate::config::node::Node::new(crate::config::node::Value::Null))
}

fn names(moved: &[(String, String)]) -> String {
    moved
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The secrets env file: updated (our variables replaced, every other byte kept) or created; 0600.
fn env_file_step(path: &Path, moved: &[(String, String)]) -> anyhow::Result<Step> {
    // Read like every input: a regular file only, within the size limit (a FIFO never blocks).
    // A destination, like `--output`: a link planted there is never written through.
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => bail!(
            "{}: is a symbolic link; kratos-harden does not write secrets through links. Name \
             the real file; nothing was written",
            shown::path(path)
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        _ => Some(crate::config::load::read_text(path, &shown::path(path))?),
    };
    let text = with_secrets(path, existing.as_deref(), moved)?;
    let note = format!(" (mode 0600): {}", names(moved));
    Ok(match existing {
        Some(before) => Step::Replace {
            path: path.to_path_buf(),
            shown: shown::path(path),
            before,
            after: text,
            holds_secrets: true,
            note,
        },
        None => Step::Create {
            path: path.to_path_buf(),
            text,
            mode: 0o600,
            force: false,
            note,
        },
    })
}

/// `existing` (an env file's text) with the moved secrets in it.
fn with_secrets(
    path: &Path,
    existing: Option<&str>,
    moved: &[(String, String)],
) -> anyhow::Result<String> {
    // Read as docker compose reads it: earlier statements of the moved names go (a
    // multi-line value whole), every other byte stays, and each value is quoted so compose,
    // python-dotenv and shells read the same secret; a file compose would refuse, or a value
    // no quoting carries, stops here, before the config loses its secrets.
    let shown = shown::path(path);
    crate::config::env::dotenv::with_values(existing, moved).map_err(|e| match e {
        crate::config::env::dotenv::RewriteError::Syntax(_) => {
            anyhow::anyhow!("{shown}:{e}. Nothing was written")
        }
        _ => anyhow::anyhow!("{shown}: {e}. Nothing was written"),
    })
}

/// A `Secret` manifest with the key names the Ory Helm chart reads its secrets from.
fn k8s_secret(moved: &[(String, String)]) -> String {
    let mut out = String::from(
        "# Kratos secrets written by kratos-harden. Apply with kubectl; keep out of version control.\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: kratos\ntype: Opaque\nstringData:\n",
    );
    for (name, value) in moved {
        let key = match name.as_str() {
            "SECRETS_DEFAULT" => "secretsDefault",
            "SECRETS_COOKIE" => "secretsCookie",
            "SECRETS_CIPHER" => "secretsCipher",
            "SECRETS_PAGINATION" => "secretsPagination",
            other => other,
        };
        let _ = writeln!(out, "  {key}: {}", crate::patch::render_string(value));
    }
    out
}

/// `--output` naming one of the files read (the same inode, under any name) would overwrite
/// the input the report claims to leave unchanged.
fn refuse_output_over_input(deployment: &Deployment, output: &Path) -> anyhow::Result<()> {
    if let Some(source) = deployment
        .sources
        .iter()
        .find(|s| same_file(&s.path, output))
    {
        bail!(
            "{}: --output names the input {} itself; write elsewhere, or drop --output to edit \
             it in place (with a backup). Nothing was written",
            shown::path(output),
            source.display
        );
    }
    Ok(())
}
