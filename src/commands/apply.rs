//! `kratos-harden apply`: run the fixes, write them (or not), hand the outcome to the chosen
//! report (`report::Reporter::apply`) and pick the exit code.

use std::path::PathBuf;

use anyhow::{Context as _, bail};

use super::{print, use_color};
use crate::cli::{ApplyArgs, ApplyFormat};
use crate::config::Deployment;
use crate::diff;
use crate::fix::{FixEnv, Selection};
use crate::harden::{self, Options, Outcome};
use crate::mask::Masker;
use crate::report::{Applied, Format};
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
        Masker::for_deployment(&deployment, &outcome.generated)
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
    let format = match args.format {
        ApplyFormat::Text => Format::Text,
        ApplyFormat::Json => Format::Json,
    };
    let applied = Applied {
        deployment: &deployment,
        outcome: &outcome,
        diffs: &diffs,
        written: &written,
        masker: &masker,
        dry_run: args.dry_run,
        check: args.check,
        show_secrets: args.show_secrets,
        color,
    };
    let mut report = Vec::new();
    format
        .reporter()
        .apply(&applied, &mut report)
        .context("rendering the report")?;
    let text = String::from_utf8_lossy(&report);
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
