//! `kratos-harden undo FILE`: put the file back one step, `--to` any backup, `--list` them.
//!
//! A restore is a write like any other: the lock, the changed-since-read check, and a backup of
//! what it replaces (so an undo can itself be undone with `--to`). The restored file gets the
//! mode and owner it had when the backup was taken, from the history (see [`super::history`]).

use std::fmt::Write as _;
use std::os::unix::fs::MetadataExt as _;

use anyhow::Context as _;

use super::history::{self, Backup};
use super::{print, write};
use crate::cli::UndoArgs;
use crate::shown;

/// Runs `undo`.
pub fn run(args: &UndoArgs) -> anyhow::Result<u8> {
    history::configure("undo", usize::from(args.keep));
    let _lock = super::lock::hold(&[&args.file])?;
    let shown_file = shown::path(&args.file);
    let target = std::fs::canonicalize(&args.file)
        .with_context(|| format!("{shown_file}: cannot resolve the path"))?;
    let backups = history::backups(&target)?;
    if args.list {
        print(&listing(&shown_file, &backups))?;
        return Ok(0);
    }
    let chosen = match &args.to {
        Some(wanted) => backups
            .iter()
            .find(|b| &b.stamp == wanted || b.path.file_name().is_some_and(|n| n == &**wanted))
            .with_context(|| {
                format!(
                    "{shown_file}: no backup with the timestamp {}; `kratos-harden undo --list \
                     {shown_file}` shows them",
                    shown::text(wanted)
                )
            })?,
        None => history::next_undo(&backups).with_context(|| {
            if backups.is_empty() {
                format!("{shown_file}: no backup next to it, so there is nothing to undo")
            } else {
                format!(
                    "{shown_file}: every write kept in the history is undone already; \
                     `kratos-harden undo --list {shown_file}` shows the copies, `--to \
                     TIMESTAMP` restores one"
                )
            }
        })?,
    };
    let shown_backup = shown::path(&chosen.path);
    let content = read_backup(chosen, &shown_backup)?;
    let current = crate::config::load::read_text(&args.file, &shown_file)?;
    // Only a backup of the file's own kind is restored (a config, or an env file that compose
    // reads): never whatever was planted under the name.
    let env_file = crate::config::load::parse(&current, &shown_file).is_err()
        && crate::config::env::check(&current, &shown_file).is_ok();
    if env_file {
        crate::config::env::check(&content, &shown_backup).map(drop)
    } else {
        crate::config::load::parse(&content, &shown_backup).map(drop)
    }
    .with_context(|| {
        format!(
            "{shown_backup}: is not a config kratos-harden could have written; nothing was restored"
        )
    })?;
    let meta = std::fs::metadata(&target)?;
    let how = write::Restore {
        // Permission bits only: never a setuid, setgid or sticky bit from a history.
        mode: chosen
            .record
            .as_ref()
            .map_or(meta.mode() & 0o777, |r| r.mode & 0o777),
        owner: chosen
            .record
            .as_ref()
            .map_or((meta.uid(), meta.gid()), |r| (r.uid, r.gid)),
        restores: chosen.stamp.clone(),
    };
    let done = write::restore(&args.file, &current, &content, true, &how)?;
    let mut out = format!(
        "Restored {shown_file} from {shown_backup} (mode {:04o}).\n",
        how.mode
    );
    if let Some(kept) = &done.backup {
        let stamp = kept
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.rsplit_once(".bak."))
            .map_or_else(String::new, |(_, s)| s.to_owned());
        let _ = writeln!(
            out,
            "The version it replaced is kept as {}: `kratos-harden undo --to {stamp} \
             {shown_file}` brings it back.",
            shown::path(kept)
        );
    }
    pruned_note(&mut out, &done.pruned);
    let after = history::backups(&target).unwrap_or_default();
    match history::next_undo(&after) {
        Some(next) => {
            let _ = writeln!(
                out,
                "Another `undo` restores {} (taken {}).",
                shown::path(&next.path),
                when(&next.stamp)
            );
        }
        None => out.push_str("No older write is left to undo.\n"),
    }
    print(&out)?;
    Ok(0)
}

/// The backup's text, read from the file checked on opening (no link followed, ours, one
/// name): a backup swapped for a link to another file after the listing is never read.
fn read_backup(backup: &Backup, shown_backup: &str) -> anyhow::Result<String> {
    let file = backup.open().with_context(|| {
        format!(
            "{shown_backup}: is no longer a regular file of this user with one name; nothing was \
             restored"
        )
    })?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, crate::config::load::MAX_FILE_BYTES + 1),
        &mut bytes,
    )
    .with_context(|| format!("{shown_backup}: cannot read the backup"))?;
    Ok(crate::config::load::decode(bytes, shown_backup)?)
}

/// Says which old backups `--keep` removed.
pub(super) fn pruned_note(out: &mut String, pruned: &[std::path::PathBuf]) {
    if pruned.is_empty() {
        return;
    }
    let names: Vec<String> = pruned.iter().map(|p| shown::path(p)).collect();
    let _ = writeln!(
        out,
        "Removed {} old backup{} beyond --keep: {}.",
        pruned.len(),
        if pruned.len() == 1 { "" } else { "s" },
        names.join(", ")
    );
}

/// `20261203T101500-2` as `2026-12-03 10:15:00 UTC (#2)`.
fn when(stamp: &str) -> String {
    let (base, n) = stamp.split_once('-').unwrap_or((stamp, ""));
    let shown = if base.len() == 15 && base.is_ascii() {
        let (d, t) = (&base[..8], &base[9..]);
        format!(
            "{}-{}-{} {}:{}:{} UTC",
            &d[..4],
            &d[4..6],
            &d[6..],
            &t[..2],
            &t[2..4],
            &t[4..]
        )
    } else {
        shown::text(base)
    };
    if n.is_empty() {
        shown
    } else {
        format!("{shown} (#{})", shown::text(n))
    }
}

fn listing(file: &str, backups: &[Backup]) -> String {
    if backups.is_empty() {
        return format!("{file}: no backups.\n");
    }
    let next = history::next_undo(backups).map(|b| b.stamp.clone());
    let mut out = format!("Backups of {file}, oldest first:\n");
    for b in backups {
        let by = shown::text(b.record.as_ref().map_or("unknown", |r| r.by.as_str()));
        let mode = b
            .record
            .as_ref()
            .map_or_else(|| "----".to_owned(), |r| format!("{:04o}", r.mode));
        let mut note = String::new();
        if b.by_undo()
            && let Some(r) = b.record.as_ref().and_then(|r| r.restores.as_ref())
        {
            let _ = write!(note, "  the version an undo to {} replaced", shown::text(r));
        }
        if next.as_ref() == Some(&b.stamp) {
            note.push_str("  <- the next undo restores this");
        }
        let _ = writeln!(
            out,
            "  {:<20} {:<30} {by:<7} mode {mode}{note}",
            shown::text(&b.stamp),
            when(&b.stamp)
        );
    }
    out.push_str("Restore one with `kratos-harden undo --to TIMESTAMP FILE`.\n");
    out
}
