//! `kratos-harden wizard` (and `kratos-harden` alone on a terminal): load, plan every fix, hand
//! the review session to the full-screen or line-mode front-end, and write what the operator
//! confirmed through the same code as `apply`.

use std::io::IsTerminal as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;

use anyhow::{Context as _, bail};
use clap::CommandFactory as _;

use super::plan::{WriteOptions, write_changes};
use super::write;
use crate::answers::Answers;
use crate::cli::{Cli, WizardArgs};
use crate::config::SourceKind;
use crate::fix::SecretsTo;
use crate::harden::Options;
use crate::review::{self, Session};
use crate::secret::OsSecrets;
use crate::{demo, prompt, tui};

/// `kratos-harden` with no command: the wizard on `./kratos.yml` when run on a terminal.
pub fn run_default() -> anyhow::Result<u8> {
    if !interactive() {
        let _ = Cli::command().print_help();
        return Ok(super::EXIT_ERROR);
    }
    run(&WizardArgs::default())
}

fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Runs the wizard; returns the exit code.
pub fn run(args: &WizardArgs) -> anyhow::Result<u8> {
    super::history::configure("wizard", usize::from(args.keep));
    if !interactive() {
        bail!(
            "the wizard needs a terminal (stdin and stdout); in scripts and CI use `kratos-harden \
             apply` (`--dry-run` shows the diff, `--answers FILE` replays recorded decisions)"
        );
    }
    let (paths, demo_dir) = if args.demo {
        let dir = tempfile::Builder::new()
            .prefix("kratos-harden-demo-")
            .tempdir()
            .context("creating a folder for the demo copy")?
            .keep();
        let config = demo::materialize(&dir).context("writing the demo copy")?;
        (vec![config], Some(dir))
    } else if args.config.is_empty() {
        (vec![PathBuf::from("kratos.yml")], None)
    } else {
        (args.config.clone(), None)
    };
    if let Some(dir) = &demo_dir {
        eprintln!(
            "The demo config was copied to {}; the wizard edits that copy.",
            dir.display()
        );
    }
    let secrets_to = args.secrets_to.clone().map(|s| s.0).unwrap_or_default();
    // Held until the wizard exits: a second run cannot read the same file and write over ours.
    let _lock = super::lock::for_run(&paths, &args.layers, &secrets_to, &[args.record.as_deref()])?;
    let deployment = crate::config::deployment::load(&paths, (&args.layers).into())?;
    // Say so before the walk, not after it: the write at the end would be refused.
    if let Some(source) = deployment.sources.iter().find(|s| {
        matches!(
            s.kind,
            SourceKind::Config | SourceKind::EnvFile | SourceKind::HelmValues
        ) && std::fs::metadata(&s.path).is_ok_and(|m| m.permissions().mode() & 0o200 == 0)
    }) {
        bail!(
            "{}: the file is read-only, so the wizard could not write your decisions. Make it \
             writable (`chmod u+w`), or preview the changes with `kratos-harden apply --dry-run`",
            source.display
        );
    }
    let options = Options {
        profile: args.profile.into(),
        version: args.kratos_version.map(Into::into),
        ..Options::default()
    };
    let mut session = review::start(
        deployment,
        &options,
        secrets_to.clone(),
        Box::new(OsSecrets),
    )?;
    session.backup = !args.no_backup;
    let backup = !args.no_backup;
    let mut writer = |session: &Session| write_session(session, &secrets_to, backup);
    if args.plain {
        prompt::run(&mut session, &mut writer)?;
    } else {
        // A signal now clears and leaves the wizard's screen before the run ends.
        super::signals::fullscreen(true);
        let result = tui::run(&mut session, &mut writer);
        super::signals::fullscreen(false);
        result?;
    }
    if let Some(path) = &args.record {
        write::create(
            path,
            &Answers::from_session(&session).to_yaml(),
            0o644,
            true,
        )?;
        eprintln!(
            "Decisions saved to {} (no secrets in it).",
            crate::shown::path(path)
        );
    }
    print_written(&session, args.plain);
    if let Some(dir) = &demo_dir {
        println!("The demo copy is in {}.", dir.display());
    }
    Ok(0)
}

/// What was written, what the proof kept out of it, and (for the line mode, whose walk has no
/// Done screen) the next steps.
fn print_written(session: &Session, steps: bool) {
    for line in &session.report {
        println!("Wrote {line}");
    }
    if !session.report.is_empty()
        && let Some(preview) = session.cached_preview()
    {
        let masker = session.masker();
        for refused in &preview.refused {
            println!("Not written: {}", masker.apply(refused));
        }
        for added in &preview.added {
            println!(
                "Added by these fixes: {} `{}`: {}",
                added.rule.id,
                added.path,
                masker.apply(&added.message)
            );
        }
    }
    if session.report.is_empty() {
        println!("Nothing was written.");
    } else if steps {
        println!("\nNext steps");
        for (n, step) in session.next_steps().iter().enumerate() {
            println!("{}. {step}", n + 1);
        }
    }
}

/// Writes what the session's proof allows (the accepted changes less every decision it
/// refused), moving secrets when asked: the same proved result the write question named.
fn write_session(
    session: &Session,
    secrets_to: &SecretsTo,
    backup: bool,
) -> anyhow::Result<Vec<String>> {
    let preview = session
        .cached_preview()
        .cloned()
        .unwrap_or_else(|| session.proved_preview());
    if let Some(error) = preview.error {
        bail!(error);
    }
    let options = WriteOptions {
        secrets_to,
        output: None,
        backup,
    };
    write_changes(
        &session.deployment,
        &preview.changes,
        &preview.moved,
        &options,
    )
}
