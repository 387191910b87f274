//! `kratos-harden rotate`: a planned rotation of Kratos's secret lists. The new secret goes
//! first (it signs and encrypts from now on); acceptable current secrets stay after it so
//! sessions and stored tokens still verify; weak ones are dropped. The report says which old
//! secrets remain and when they can be removed.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{print, use_color};
use crate::cli::{RotateArgs, SecretKey};
use crate::config::node::FileId;
use crate::diff;
use crate::fix::{FixEnv, SecretsTo, set};
use crate::kratos::duration;
use crate::mask::Masker;
use crate::patch::Op;
use crate::rules::{Context, Profile, rotation};
use crate::secret::OsSecrets;

/// Runs `rotate`; returns the exit code.
pub fn run(args: &RotateArgs) -> anyhow::Result<u8> {
    super::history::configure("rotate", usize::from(args.keep));
    let paths = if args.config.is_empty() {
        vec![PathBuf::from("kratos.yml")]
    } else {
        args.config.clone()
    };
    let _lock = (!args.dry_run)
        .then(|| super::lock::for_run(&paths, &args.layers, &SecretsTo::Inline, &[]))
        .transpose()?;
    let deployment = crate::config::deployment::load(&paths, (&args.layers).into())?;
    let cx = Context::new(&deployment, Profile::Production, None);
    let keys = chosen(&cx, &args.secret);
    let mut rng = OsSecrets;
    let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
    let mut by_file: Vec<(FileId, Vec<Op>)> = Vec::new();
    let mut notes = Vec::new();
    for key in keys {
        let path = format!("secrets.{key}");
        let (list, kept, dropped) = rotation::rotated(&cx, key, &mut env)?;
        let file = cx
            .get(&path)
            .or_else(|| cx.get("secrets"))
            .map_or(0, |n| n.pos.file);
        match by_file.iter_mut().find(|(f, _)| *f == file) {
            Some((_, ops)) => ops.push(set(&path, list)),
            None => by_file.push((file, vec![set(&path, list)])),
        }
        notes.push(note(&cx, key, kept, dropped));
    }
    let masker = if args.show_secrets {
        Masker::default()
    } else {
        Masker::new(&deployment.root, &env.generated)
    };
    let mut out = String::new();
    let mut changes = Vec::new();
    for (file, ops) in &by_file {
        let source = deployment.source(*file);
        // The editor for the source's kind: an env file's variable line, `kratos.config` in
        // Helm values; the process environment is refused naming its variable.
        let patched = crate::harden::patch_source(&deployment, source, ops)
            .map_err(|e| anyhow::anyhow!("{}: {e}", source.display))?;
        if let Some((_, reason)) = patched.refused.first() {
            anyhow::bail!("{}: cannot rotate automatically: {reason}", source.display);
        }
        if args.dry_run {
            let lines = diff::lines(&source.display, &source.text, &patched.text, &masker);
            out.push_str(&diff::unified(&lines, use_color(args.color)));
        }
        changes.push(crate::harden::Change {
            file: *file,
            before: source.text.clone(),
            after: patched.text,
        });
    }
    if !args.dry_run {
        // Planned and checked whole, like apply: a file that cannot be written stops the
        // rotation before any other is.
        let options = super::plan::WriteOptions {
            secrets_to: &SecretsTo::Inline,
            output: None,
            backup: !args.no_backup,
        };
        for line in super::plan::write_changes(&deployment, &changes, &[], &options)? {
            let _ = writeln!(out, "Wrote {line}");
        }
    }
    for (path, secret) in &env.generated {
        let shown = if args.show_secrets {
            secret.expose().to_owned()
        } else {
            secret.masked()
        };
        let _ = writeln!(out, "{path}: new secret {shown}");
    }
    for line in notes {
        let _ = writeln!(out, "  - {line}");
    }
    if args.dry_run {
        out.push_str("Dry run: nothing was written.\n");
    } else {
        out.push_str(
            "Restart Kratos (or let it reload the config) so the new secrets take effect.\n",
        );
    }
    print(&out)?;
    Ok(0)
}

/// The `secrets.*` keys `--secret` names, `all` expanded for this deployment.
fn chosen(cx: &Context<'_>, asked: &[SecretKey]) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = Vec::new();
    for key in asked {
        match key {
            SecretKey::Default => keys.push("default"),
            SecretKey::Cookie => keys.push("cookie"),
            SecretKey::Cipher => keys.push("cipher"),
            SecretKey::Pagination => keys.push("pagination"),
            SecretKey::All => {
                keys.extend(["default", "cookie", "cipher"]);
                if cx.get("secrets.pagination").is_some()
                    || cx.version == crate::config::KratosVersion::V26
                {
                    keys.push("pagination");
                }
            }
        }
    }
    keys.dedup();
    keys
}

/// What remains of `secrets.<key>` and when the old entries can go.
fn note(cx: &Context<'_>, key: &str, kept: usize, dropped: usize) -> String {
    let lifespan = cx
        .str("session.lifespan")
        .and_then(duration::parse)
        .map_or_else(|| "24h (the default)".to_owned(), duration::human);
    let dropped_text = if dropped > 0 {
        format!("; {dropped} weak or placeholder secret(s) removed")
    } else {
        String::new()
    };
    let when = match key {
        "cipher" => "they decrypt the OIDC tokens stored so far: keep them until every user has signed in with their provider again (whether Kratos re-encrypts old tokens then is unverified)".to_owned(),
        "pagination" => "they only verify open pagination cursors: remove them after a few minutes".to_owned(),
        _ => format!("sessions, CSRF cookies and stored codes signed with them stay valid: remove them after `session.lifespan` ({lifespan}) has passed; a fresh 32-character block key follows the new secret so every continuity cookie key pair stays a valid AES pair{}", if dropped > 0 { " (OIDC sign-in or settings re-authentication in progress with a removed secret must be started again, once)" } else { "" }),
    };
    if kept == 0 && dropped == 0 {
        format!("secrets.{key}: created (there was none; Kratos used a fallback until now)")
    } else if kept == 0 {
        format!(
            "secrets.{key}: no earlier secret kept{dropped_text}; what was signed with them ends now"
        )
    } else {
        format!(
            "secrets.{key}: {kept} earlier secret(s) kept after the new one{dropped_text}; {when}"
        )
    }
}
