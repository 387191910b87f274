//! `kratos-harden apply` and `undo`: run the fixes, show the masked diff, write (or not).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::bail;
use serde_json::{Value, json};

use super::{print, use_color, write};
use crate::cli::{ApplyArgs, ApplyFormat};
use crate::config::Deployment;
use crate::diff;
use crate::fix::{FixEnv, SecretsTo, Selection};
use crate::harden::{self, Options, Outcome};
use crate::mask::Masker;
use crate::patch::Op;
use crate::rules::Threat;
use crate::secret::OsSecrets;

/// Runs `apply`; returns the exit code.
pub fn run(args: &ApplyArgs) -> anyhow::Result<u8> {
    super::history::configure("apply", usize::from(args.keep));
    let paths = if args.config.is_empty() {
        vec![PathBuf::from("kratos.yml")]
    } else {
        args.config.clone()
    };
    // Held until the run ends: nobody else writes these folders between our read and write.
    let _lock = (!args.dry_run && !args.check)
        .then(|| {
            super::lock::for_run(
                &paths,
                &args.layers,
                &args.secrets_to.0,
                &[args.output.as_deref()],
            )
        })
        .transpose()?;
    let deployment = super::audit::load_with(&paths, &args.layers)?;
    let options = Options {
        profile: args.profile,
        version: args.kratos_version,
        selection: Selection {
            unsafe_fixes: args.unsafe_fixes,
            only: args.only.clone(),
            skip: args.skip.clone(),
        },
        answers: match &args.answers {
            Some(path) => Some((crate::answers::Answers::load(path)?, args.require_answers)),
            None => None,
        },
    };
    let mut rng = OsSecrets;
    let mut env = FixEnv::new(&mut rng, args.secrets_to.0.clone());
    let outcome = harden::run(&deployment, &options, &mut env)?;
    for note in &outcome.notes {
        eprintln!("warning: {}", crate::shown::message(note));
    }
    if args.output.is_some() && outcome.changes.len() > 1 {
        bail!(
            "--output takes one file, but fixes change {} files",
            outcome.changes.len()
        );
    }
    let masker = if args.show_secrets {
        Masker::default()
    } else {
        Masker::new(&deployment.root, &outcome.generated)
    };
    let color = use_color(args.color);
    let diffs: Vec<(String, Vec<diff::Line>)> = outcome
        .changes
        .iter()
        .map(|c| {
            let name = deployment.source(c.file).display.clone();
            let lines = diff::lines(&name, &c.before, &c.after, &masker);
            (name, lines)
        })
        .collect();
    let pending = !outcome.changes.is_empty() || !outcome.moved.is_empty();
    let mut written = Vec::new();
    if !args.dry_run && !args.check && pending {
        written = write_all(&deployment, &outcome, args)?;
    }
    let text = match args.format {
        ApplyFormat::Json => json_report(&deployment, &outcome, &diffs, &written, &masker, args),
        ApplyFormat::Text => text_report(
            &deployment,
            &outcome,
            &diffs,
            &written,
            &masker,
            args,
            color,
        ),
    };
    print(&text)?;
    Ok(u8::from(args.check && pending))
}

/// How the wizard and `apply` write: secrets destination, `--output`, backups.
pub(super) struct WriteOptions<'a> {
    /// Where secrets go.
    pub secrets_to: &'a SecretsTo,
    /// `--output FILE`.
    pub output: Option<&'a std::path::Path>,
    /// Keep a backup of what is replaced.
    pub backup: bool,
}

fn write_all(
    deployment: &Deployment,
    outcome: &Outcome,
    args: &ApplyArgs,
) -> anyhow::Result<Vec<String>> {
    let options = WriteOptions {
        secrets_to: &args.secrets_to.0,
        output: args.output.as_deref(),
        backup: !args.no_backup,
    };
    write_changes(deployment, &outcome.changes, &outcome.moved, &options)
}

/// Writes the secrets destination first (so no secret is lost if a later write fails), then
/// each changed config file. Returns one line per file written.
pub(super) fn write_changes(
    deployment: &Deployment,
    changes: &[crate::harden::Change],
    moved: &[(String, String)],
    options: &WriteOptions<'_>,
) -> anyhow::Result<Vec<String>> {
    let mut report = Vec::new();
    if let Some(output) = options.output {
        refuse_output_over_input(deployment, output)?;
    }
    match options.secrets_to {
        SecretsTo::EnvFile(path) if !moved.is_empty() => {
            write_env_file(path, moved)?;
            report.push(format!("{} (mode 0600): {}", path.display(), names(moved)));
        }
        SecretsTo::K8sSecret(path) if !moved.is_empty() => {
            write::create(path, &k8s_secret(moved), 0o600, false)?;
            report.push(format!(
                "{} (mode 0600): Kubernetes Secret with {}",
                path.display(),
                names(moved)
            ));
        }
        _ => {}
    }
    for change in changes {
        let source = deployment.source(change.file);
        // Env files are where secrets live: kept (or made) 0600 like a config holding them.
        let holds_secrets = source.kind == crate::config::SourceKind::EnvFile
            || !crate::mask::existing(&load_root(&change.after)).is_empty();
        if let Some(output) = options.output {
            let mode = if holds_secrets { 0o600 } else { 0o644 };
            write::create(output, &change.after, mode, true)?;
            report.push(format!(
                "{} (the original {} is unchanged)",
                output.display(),
                source.display
            ));
            continue;
        }
        let done = write::replace(
            &source.path,
            &change.before,
            &change.after,
            options.backup,
            holds_secrets,
        )?;
        let mut line = source.display.clone();
        if std::fs::symlink_metadata(&source.path).is_ok_and(|m| m.file_type().is_symlink()) {
            let _ = write!(line, " -> {} (the link is kept)", done.path.display());
        }
        if let Some(backup) = &done.backup {
            let _ = write!(line, " (backup {})", backup.display());
        }
        if done.tightened {
            line.push_str("; mode tightened to 0600 because the file holds secrets");
        }
        if !done.pruned.is_empty() {
            let mut note = String::new();
            super::undo::pruned_note(&mut note, &done.pruned);
            let _ = write!(line, "; {}", note.trim_end().trim_end_matches('.'));
        }
        report.push(line);
    }
    Ok(report)
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

/// Updates (or creates) a dotenv file: our variables replaced, every other byte kept; 0600.
fn write_env_file(path: &std::path::Path, moved: &[(String, String)]) -> anyhow::Result<()> {
    // Read like every input: a regular file only, within the size limit (a FIFO never blocks).
    // A destination, like `--output`: a link planted there is never written through.
    let existing = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => bail!(
            "{}: is a symbolic link; kratos-harden does not write secrets through links. Name \
             the real file; nothing was written",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        _ => Some(crate::config::load::read_text(
            path,
            &path.display().to_string(),
        )?),
    };
    // Read as docker compose reads it: earlier statements of the moved names go (a
    // multi-line value whole), every other byte stays, and each value is quoted so compose,
    // python-dotenv and shells read the same secret; a file compose would refuse, or a value
    // no quoting carries, stops here, before the config loses its secrets.
    let shown = crate::shown::path(path);
    let text = crate::config::env::dotenv::with_values(existing.as_deref(), moved).map_err(
        |e| match e {
            crate::config::env::dotenv::RewriteError::Syntax(_) => {
                anyhow::anyhow!("{shown}:{e}. Nothing was written")
            }
            _ => anyhow::anyhow!("{shown}: {e}. Nothing was written"),
        },
    )?;
    match existing {
        Some(before) => write::replace(path, &before, &text, false, true).map(|_| ()),
        None => write::create(path, &text, 0o600, false),
    }
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

/// One operation with its old and new values as JSON text, secrets masked.
fn op_json(op: &Op, deployment: &Deployment, masker: &Masker) -> Value {
    let (action, value) = match op {
        Op::Set { value, .. } => ("set", Some(value)),
        Op::Prepend { value, .. } => ("prepend", Some(value)),
        Op::Remove { .. } => ("remove", None),
    };
    let old = deployment
        .root
        .get(op.path())
        .map(|n| masker.apply(&n.to_json().to_string()));
    let new = value.map(|v| masker.apply(&v.to_string()));
    json!({ "path": op.path(), "action": action, "old": old, "new": new })
}

fn json_report(
    deployment: &Deployment,
    outcome: &Outcome,
    diffs: &[(String, Vec<diff::Line>)],
    written: &[String],
    masker: &Masker,
    args: &ApplyArgs,
) -> String {
    let finding = |i: usize| &outcome.findings[i];
    let doc = json!({
        "format_version": 1,
        "dry_run": args.dry_run || args.check,
        "applied": outcome.plan.applied.iter().map(|(i, ops)| json!({
            "rule": finding(*i).rule.id,
            "path": finding(*i).path,
            "edited": outcome.edited.contains(i),
            "operations": ops.iter().map(|op| op_json(op, deployment, masker)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "manual": outcome.plan.manual.iter().map(|(i, why)| json!({
            "rule": finding(*i).rule.id, "path": finding(*i).path, "reason": masker.apply(why),
        })).collect::<Vec<_>>(),
        "unsafe_skipped": outcome.plan.unsafe_skipped.iter().map(|i| json!({
            "rule": finding(*i).rule.id,
            "path": finding(*i).path,
            "summary": finding(*i).fix.as_ref().map(|f| f.summary.to_string()),
        })).collect::<Vec<_>>(),
        "generated": outcome.generated.iter().map(|(path, s)| json!({
            "path": path,
            "value": if args.show_secrets { s.expose().to_owned() } else { s.masked() },
        })).collect::<Vec<_>>(),
        "moved": outcome.moved.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        "files": diffs.iter().map(|(name, lines)| json!({
            "path": name,
            "diff": diff::unified(lines, false),
        })).collect::<Vec<_>>(),
        "written": written,
        "warnings": outcome.notes,
        "config_files": deployment.sources.iter().map(|s| &s.display).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn text_report(
    deployment: &Deployment,
    outcome: &Outcome,
    diffs: &[(String, Vec<diff::Line>)],
    written: &[String],
    masker: &Masker,
    args: &ApplyArgs,
    color: bool,
) -> String {
    let mut out = String::new();
    if args.dry_run {
        for (_, lines) in diffs {
            out.push_str(&diff::unified(lines, color));
        }
        if !diffs.is_empty() {
            out.push('\n');
        }
    }
    let finding = |i: usize| &outcome.findings[i];
    let changed: usize = diffs
        .iter()
        .map(|(_, l)| diff::stats(l).1.max(diff::stats(l).0))
        .sum();
    let label = crate::config::label(&deployment.sources);
    let _ = writeln!(
        out,
        "{label}: {} fix(es) {}, {changed} line(s) changed; {} left for you; {} unsafe fix(es) not applied.",
        outcome.plan.applied.len(),
        if args.dry_run || args.check {
            "planned"
        } else {
            "applied"
        },
        outcome.plan.manual.len(),
        outcome.plan.unsafe_skipped.len(),
    );
    for threat in Threat::ALL {
        let applied: Vec<&(usize, Vec<Op>)> = outcome
            .plan
            .applied
            .iter()
            .filter(|(i, _)| finding(*i).rule.threat == threat)
            .collect();
        if applied.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n  {} — fixed", threat.title());
        for (i, _) in applied {
            let f = finding(*i);
            let summary = f
                .fix
                .as_ref()
                .map_or(String::new(), |x| x.summary.to_string());
            let _ = writeln!(
                out,
                "    {} {}: {}",
                f.rule.id,
                f.path,
                masker.apply(&summary)
            );
        }
    }
    left_for_you(&mut out, outcome, masker, args);
    if !written.is_empty() {
        let _ = writeln!(out, "\n  Wrote");
        for line in written {
            let _ = writeln!(out, "    {line}");
        }
    } else if args.check && (!outcome.changes.is_empty() || !outcome.moved.is_empty()) {
        let _ = writeln!(out, "\n  Changes are pending (--check wrote nothing).");
    } else if args.dry_run {
        let _ = writeln!(out, "\n  Dry run: nothing was written.");
    } else if outcome.changes.is_empty() {
        let _ = writeln!(out, "\n  Nothing to change.");
    }
    next_steps(&mut out, deployment, outcome, args);
    out
}

/// The manual fixes, the unsafe fixes not applied and the generated secrets.
fn left_for_you(out: &mut String, outcome: &Outcome, masker: &Masker, args: &ApplyArgs) {
    let finding = |i: usize| &outcome.findings[i];
    if !outcome.plan.manual.is_empty() {
        let _ = writeln!(out, "\n  Left for you (manual)");
        for (i, why) in &outcome.plan.manual {
            let f = finding(*i);
            let _ = writeln!(out, "    {} {}: {}", f.rule.id, f.path, masker.apply(why));
        }
    }
    if !outcome.plan.unsafe_skipped.is_empty() {
        let _ = writeln!(
            out,
            "\n  Not applied: unsafe fixes (they change behaviour users notice; re-run with --unsafe-fixes)"
        );
        for i in &outcome.plan.unsafe_skipped {
            let f = finding(*i);
            let _ = writeln!(out, "    {} {}: {}", f.rule.id, f.path, f.breaks());
        }
    }
    if !outcome.generated.is_empty() {
        let _ = writeln!(out, "\n  Secrets generated (from the OS random generator)");
        for (path, secret) in &outcome.generated {
            let shown = if args.show_secrets {
                secret.expose().to_owned()
            } else {
                secret.masked()
            };
            let _ = writeln!(out, "    {path}: {shown}");
        }
    }
}

fn next_steps(out: &mut String, deployment: &Deployment, outcome: &Outcome, args: &ApplyArgs) {
    let mut steps = Vec::new();
    if !outcome.changes.is_empty() {
        steps.push(
            "restart Kratos: `serve`, `log`, `secrets` and hashing settings are read at start"
                .to_owned(),
        );
    }
    if outcome
        .generated
        .iter()
        .any(|(p, _)| p.starts_with("secrets.cookie") || p.starts_with("secrets.default"))
    {
        steps.push("sessions signed with removed secrets end: users sign in again once".to_owned());
    }
    match &args.secrets_to.0 {
        SecretsTo::EnvFile(path) if !outcome.moved.is_empty() => steps.push(format!(
            "give Kratos the variables in {} (docker compose `env_file:`, systemd `EnvironmentFile=`)",
            path.display()
        )),
        SecretsTo::K8sSecret(path) if !outcome.moved.is_empty() => steps.push(format!(
            "`kubectl apply -f {}` and point the Helm chart at it (`secret.nameOverride: kratos`, `secret.enabled: false`)",
            path.display()
        )),
        _ => {}
    }
    steps.push(
        "open-source Kratos has no rate limiting: put per-IP limits in the reverse proxy"
            .to_owned(),
    );
    if !deployment.chart.cleanup_scheduled {
        steps.push("schedule `kratos cleanup sql --keep-last 6h` (for example hourly)".to_owned());
    }
    let _ = writeln!(out, "\n  Next steps");
    for step in steps {
        let _ = writeln!(out, "    - {step}");
    }
}

/// `--output` naming one of the files read (the same inode, under any name) would overwrite
/// the input the report claims to leave unchanged.
fn refuse_output_over_input(
    deployment: &Deployment,
    output: &std::path::Path,
) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let Ok(out) = std::fs::metadata(output) else {
        return Ok(());
    };
    for source in &deployment.sources {
        if let Ok(input) = std::fs::metadata(&source.path)
            && input.dev() == out.dev()
            && input.ino() == out.ino()
        {
            bail!(
                "{}: --output names the input {} itself; write elsewhere, or drop --output to \
                 edit it in place (with a backup). Nothing was written",
                output.display(),
                source.display
            );
        }
    }
    Ok(())
}
