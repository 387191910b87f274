//! `kratos-harden apply` and `undo`: run the fixes, show the masked diff, write (or not).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::bail;
use serde_json::{Value, json};

use super::{print, use_color};
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
    let deployment = crate::config::deployment::load(&paths, (&args.layers).into())?;
    let options = Options {
        profile: args.profile.into(),
        version: args.kratos_version.map(Into::into),
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
    let mut outcome = harden::run(&deployment, &options, &mut env)?;
    // Proved before anything is written: what the fixes add is reported, never silent.
    harden::prove(&deployment, &options, &mut outcome)?;
    for note in &outcome.notes {
        eprintln!("warning: {}", crate::shown::message(note));
    }
    for (index, why) in &outcome.plan.manual {
        if outcome.refused.contains(index) {
            let f = &outcome.findings[*index];
            let line = format!("{} at {}: {why}", f.rule.id, f.path);
            eprintln!("warning: {}", crate::shown::message(&line));
        }
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

fn write_all(
    deployment: &Deployment,
    outcome: &Outcome,
    args: &ApplyArgs,
) -> anyhow::Result<Vec<String>> {
    let options = super::plan::WriteOptions {
        secrets_to: &args.secrets_to.0,
        output: args.output.as_deref(),
        backup: !args.no_backup,
    };
    super::plan::write_changes(deployment, &outcome.changes, &outcome.moved, &options)
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
        "added_findings": outcome.added.iter().map(|f| json!({
            "rule": f.rule.id, "path": f.path, "severity": f.severity, "message": masker.apply(&f.message),
        })).collect::<Vec<_>>(),
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
    added(&mut out, outcome, masker);
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

/// What the result has that the input had not (the result is audited again before writing).
fn added(out: &mut String, outcome: &Outcome, masker: &Masker) {
    if outcome.added.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n  Added by these fixes (the result was audited again before writing)"
    );
    for f in &outcome.added {
        let _ = writeln!(
            out,
            "    {} {}: {}",
            f.rule.id,
            f.path,
            masker.apply(&f.message)
        );
    }
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
