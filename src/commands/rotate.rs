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
    let mut rotations: Vec<(&str, FileId, Op)> = Vec::new();
    let mut notes = Vec::new();
    for key in keys {
        let path = format!("secrets.{key}");
        let (list, kept, dropped) = rotation::rotated(&cx, key, &mut env)?;
        let file = cx
            .get(&path)
            .or_else(|| cx.get("secrets"))
            .map_or(0, |n| n.pos.file);
        rotations.push((key, file, set(&path, list)));
        notes.push((key, note(&cx, key, kept, dropped)));
    }
    // The proof, as for apply: a rotation whose result adds a finding (a secret list created
    // inline in a config that holds none) is not made; the others go ahead.
    let (changes, refused) = proved(&deployment, &cx, &rotations)?;
    notes.retain(|(key, _)| !refused.iter().any(|(k, _)| k == key));
    let masker = if args.show_secrets {
        Masker::default()
    } else {
        Masker::for_deployment(&deployment, &env.generated)
    };
    let mut out = String::new();
    if args.dry_run {
        for change in &changes {
            let source = deployment.source(change.file);
            let lines = diff::lines(&source.display, &change.before, &change.after, &masker);
            out.push_str(&diff::unified(&lines, use_color(args.color)));
        }
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
        if refused
            .iter()
            .any(|(key, _)| *path == format!("secrets.{key}"))
        {
            continue;
        }
        let shown = if args.show_secrets {
            secret.expose().to_owned()
        } else {
            secret.masked()
        };
        let _ = writeln!(out, "{path}: new secret {shown}");
    }
    for (_, line) in notes {
        let _ = writeln!(out, "  - {line}");
    }
    for (key, why) in &refused {
        let why = why.strip_prefix("not applied: ").unwrap_or(why);
        let line = format!("secrets.{key}: not rotated: {}", masker.apply(why));
        eprintln!("warning: {line}");
    }
    if args.dry_run {
        out.push_str("Dry run: nothing was written.\n");
    } else if changes.is_empty() {
        out.push_str("Nothing was rotated.\n");
    } else {
        out.push_str(
            "Restart Kratos (or let it reload the config) so the new secrets take effect.\n",
        );
    }
    print(&out)?;
    // A rotation asked for and not made is not "done".
    Ok(u8::from(!refused.is_empty()))
}

/// Rotations the proof refused: the key and why.
type Refused<'k> = Vec<(&'k str, String)>;

/// The rotations' changes after the proof, as for apply: a rotation whose result adds a
/// finding (a secret list created inline in a config that holds none) is not made, the
/// others are. Rotations are independent: each is judged alone, then what is left together.
fn proved<'k>(
    deployment: &crate::config::Deployment,
    cx: &Context<'_>,
    rotations: &[(&'k str, FileId, Op)],
) -> anyhow::Result<(Vec<crate::harden::Change>, Refused<'k>)> {
    let before = crate::rules::check_all(cx);
    let options = crate::harden::Options::default();
    let adds = |changes: &[crate::harden::Change]| {
        crate::harden::added_findings(deployment, &options, &before, changes, &[])
    };
    let mut refused: Refused<'k> = Vec::new();
    let changes = patched(deployment, rotations, &[])?;
    if adds(&changes).is_empty() {
        return Ok((changes, refused));
    }
    let keys: Vec<&str> = rotations.iter().map(|(key, ..)| *key).collect();
    for key in &keys {
        let others: Vec<&str> = keys.iter().copied().filter(|k| k != key).collect();
        if let Some(gone) = adds(&patched(deployment, rotations, &others)?).first() {
            refused.push((key, crate::harden::refusal(gone)));
        }
    }
    let skip: Vec<&str> = refused.iter().map(|(k, _)| *k).collect();
    let changes = patched(deployment, rotations, &skip)?;
    if let Some(added) = adds(&changes).first() {
        let why = crate::harden::refusal(added);
        for key in keys.iter().filter(|k| !skip.contains(k)) {
            refused.push((key, format!("{why} (with the other rotations)")));
        }
        return Ok((Vec::new(), refused));
    }
    Ok((changes, refused))
}

/// Every file's text with the rotations of `rotations` made, except those of `skip`: the
/// editor for the source's kind (an env file's variable line, `kratos.config` in Helm values;
/// the process environment is refused naming its variable).
fn patched(
    deployment: &crate::config::Deployment,
    rotations: &[(&str, FileId, Op)],
    skip: &[&str],
) -> anyhow::Result<Vec<crate::harden::Change>> {
    let mut by_file: Vec<(FileId, Vec<Op>)> = Vec::new();
    for (key, file, op) in rotations {
        if skip.contains(key) {
            continue;
        }
        match by_file.iter_mut().find(|(f, _)| f == file) {
            Some((_, ops)) => ops.push(op.clone()),
            None => by_file.push((*file, vec![op.clone()])),
        }
    }
    let mut changes = Vec::new();
    for (file, ops) in &by_file {
        let source = deployment.source(*file);
        let patched = crate::harden::patch_source(deployment, source, ops)
            .map_err(|e| anyhow::anyhow!("{}: {e}", source.display))?;
        if let Some((_, reason)) = patched.refused.first() {
            anyhow::bail!("{}: cannot rotate automatically: {reason}", source.display);
        }
        changes.push(crate::harden::Change {
            file: *file,
            before: source.text.clone(),
            after: patched.text,
            tree: patched.tree,
        });
    }
    Ok(changes)
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
