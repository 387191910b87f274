//! The backups of one file as a history that `undo` walks back through.
//!
//! Every replace that keeps a backup writes `FILE.bak.<timestamp>` (0600) beside the resolved
//! file and adds a line to `FILE.kratos-harden-history` there: which run took it, and the mode
//! and owner the file had, so an undo restores those too (a backup itself is always 0600).
//! `undo` keeps its own backup of what it replaces, marked with the backup it restored, so an
//! undo is undoable (`undo --to`) and the next undo goes one step further back instead of
//! toggling between the last two versions.
//!
//! Only what this tool could have written counts: a timestamp name, a regular file (never a
//! link planted as a backup or as the history) of the user running the tool, so root never
//! trusts what a config's owner planted. The history is a hint about modes and order, never a
//! list of paths: a backup it names must exist under the pattern and pass the same checks.
//! Without it (removed, not ours) backups are ordered by their timestamps and restored with the
//! file's current mode.

use std::fs;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// Backups kept per file unless `--keep` says otherwise.
pub const DEFAULT_KEEP: usize = 10;

/// The history file is small; anything larger was not written by us.
const MAX_HISTORY_BYTES: u64 = 1 << 20;

/// What the running command records with each backup, set once by the command layer.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// The command (`apply`, `wizard`, `rotate`, `undo`).
    pub by: &'static str,
    /// Backups kept per file after a write (the oldest beyond this are removed).
    pub keep: usize,
}

static RUN: OnceLock<Run> = OnceLock::new();

/// Names the running command and its `--keep` for the backups it takes.
pub fn configure(by: &'static str, keep: usize) {
    // 0 comes only from a defaulted argument struct (the command line asks for 1 or more).
    let keep = if keep == 0 { DEFAULT_KEEP } else { keep };
    let _ = RUN.set(Run { by, keep });
}

fn run() -> Run {
    RUN.get().copied().unwrap_or(Run {
        by: "kratos-harden",
        keep: DEFAULT_KEEP,
    })
}

/// One line of the history file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// The backup's file name (no folder).
    pub backup: String,
    /// The command that took it.
    pub by: String,
    /// The file's mode when the backup was taken.
    pub mode: u32,
    /// Its owner and group.
    pub uid: u32,
    /// Its group.
    pub gid: u32,
    /// For an undo's own backup: the timestamp of the backup that undo restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restores: Option<String>,
    /// The backup file's inode and size when it was taken: a file renamed over the backup's
    /// name later (in a folder others can write to) is not this backup.
    #[serde(default)]
    pub ino: u64,
    /// Its size in bytes.
    #[serde(default)]
    pub size: u64,
}

/// A backup found beside the file.
#[derive(Clone, Debug)]
pub struct Backup {
    /// Its path.
    pub path: PathBuf,
    /// Its timestamp as named (`20261203T101500`, `-N` when several share a second).
    pub stamp: String,
    /// What the history says about it, if anything.
    pub record: Option<Record>,
}

impl Backup {
    /// Taken by an `undo` (a redo point, skipped when walking back).
    #[must_use]
    pub fn by_undo(&self) -> bool {
        self.record.as_ref().is_some_and(|r| r.by == "undo")
    }
}

/// `FILE.kratos-harden-history` beside the resolved file.
fn history_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_owned();
    name.push(".kratos-harden-history");
    target.with_file_name(name)
}

/// The effective user: `/proc/self` belongs to it. Only files this user owns can be ones this
/// tool wrote: a file the config's owner planted is not trusted by a run of root.
fn euid() -> Option<u32> {
    // Asked once: a listing checks every file in the folder against it.
    static EUID: OnceLock<Option<u32>> = OnceLock::new();
    *EUID.get_or_init(|| fs::metadata("/proc/self").ok().map(|m| m.uid()))
}

/// Opens `path` without following a link (`O_NOFOLLOW`), never blocking, and checks on the
/// opened file that it is a regular file of the effective user with one name (a hard link to
/// someone else's file is not ours): everything later read comes from this same open file, so
/// nothing can be swapped in between the check and the read.
pub fn open_ours(path: &Path) -> Option<fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .ok()?;
    let meta = file.metadata().ok()?;
    (meta.file_type().is_file() && Some(meta.uid()) == euid() && meta.nlink() == 1).then_some(file)
}

impl Backup {
    /// Opens the backup to read it (see [`open_ours`]); a recorded one must still be the inode
    /// the history names.
    #[must_use]
    pub fn open(&self) -> Option<fs::File> {
        let file = open_ours(&self.path)?;
        match &self.record {
            Some(r) => file
                .metadata()
                .is_ok_and(|m| m.ino() == r.ino && m.len() == r.size)
                .then_some(file),
            None => Some(file),
        }
    }
}

/// A regular file (not a link) of the effective user: something this tool could have written.
fn ours(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file() && Some(m.uid()) == euid())
}

/// A folder only the effective user can write to (ours, no group or other write bit).
fn private_folder(dir: &Path) -> bool {
    fs::metadata(dir).is_ok_and(|m| Some(m.uid()) == euid() && m.mode() & 0o022 == 0)
}

/// `YYYYMMDDTHHMMSS` with an optional `-N`: the only names backups get.
fn is_stamp(stamp: &str) -> bool {
    let (base, n) = stamp.split_once('-').unwrap_or((stamp, "1"));
    let b = base.as_bytes();
    b.len() == 15
        && b[8] == b'T'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 8 || c.is_ascii_digit())
        && !n.is_empty()
        && n.bytes().all(|c| c.is_ascii_digit())
}

/// The history's records, oldest first; empty when it is missing or not ours.
fn records(target: &Path) -> Vec<Record> {
    let Some(file) = open_ours(&history_path(target)) else {
        return Vec::new();
    };
    let mut text = String::new();
    if std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_HISTORY_BYTES), &mut text)
        .is_err()
    {
        return Vec::new();
    }
    text.lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// The backups of `target` (resolved), oldest first.
pub fn backups(target: &Path) -> anyhow::Result<Vec<Backup>> {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .context("the file has no name")?;
    let dir = target.parent().unwrap_or(Path::new("."));
    fs::metadata(target)
        .with_context(|| format!("{}: cannot read the file", crate::shown::path(target)))?;
    let prefix = format!("{name}.bak.");
    let records = records(target);
    let private = private_folder(dir);
    let mut found: Vec<Backup> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let file_name = entry.file_name().into_string().ok()?;
            let stamp = file_name.strip_prefix(&prefix)?.to_owned();
            let path = entry.path();
            if !is_stamp(&stamp) || !ours(&path) {
                return None;
            }
            let meta = fs::symlink_metadata(&path).ok()?;
            let record = records
                .iter()
                .rev()
                .find(|r| r.backup == file_name && r.ino == meta.ino() && r.size == meta.len())
                .cloned();
            // Anyone who can write to the folder can rename a file of ours (another config's
            // secrets) to a backup's name: there only what the history recorded, down to the
            // inode, is a backup.
            if record.is_none() && !private {
                return None;
            }
            Some(Backup {
                path,
                stamp,
                record,
            })
        })
        .collect();
    found.sort_by_key(|b| order(&b.stamp));
    Ok(found)
}

/// Timestamps sort as text; a `-N` suffix sorts after its base, numerically.
fn order(stamp: &str) -> (String, u32) {
    match stamp.split_once('-') {
        Some((base, n)) => (base.to_owned(), n.parse().unwrap_or(0)),
        None => (stamp.to_owned(), 0),
    }
}

/// The backup the next `undo` restores: the newest one taken by a write that no undo has
/// walked back past yet.
#[must_use]
pub fn next_undo(backups: &[Backup]) -> Option<&Backup> {
    let mut stack: Vec<&Backup> = Vec::new();
    for backup in backups {
        match &backup.record {
            Some(r) if r.by == "undo" => {
                // That undo went back to `restores`: everything from there on is behind us.
                if let Some(back_to) = &r.restores {
                    let back_to = order(back_to);
                    stack.retain(|b| order(&b.stamp) < back_to);
                }
            }
            _ => stack.push(backup),
        }
    }
    stack.pop()
}

/// Adds the record of a backup just taken and removes the oldest backups beyond `--keep`;
/// returns the removed ones. Failing to keep the history never fails the write it follows.
pub fn note_backup(
    target: &Path,
    backup: &Path,
    before: &fs::Metadata,
    restores: Option<String>,
) -> Vec<PathBuf> {
    let run = run();
    let owner = before.uid();
    let mut records = records(target);
    records.push(Record {
        backup: backup
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        by: if restores.is_some() { "undo" } else { run.by }.to_owned(),
        mode: before.mode() & 0o7777,
        uid: owner,
        gid: before.gid(),
        restores,
        ino: fs::symlink_metadata(backup).map_or(0, |m| m.ino()),
        size: fs::symlink_metadata(backup).map_or(0, |m| m.len()),
    });
    let mut pruned = Vec::new();
    if let Ok(all) = backups(target) {
        // Only backups this tool recorded are counted and removed (a `.bak.` copy made by hand
        // is never touched), and never the one just taken (not recorded on disk yet, so it is
        // listed only in a private folder).
        let older: Vec<&Backup> = all
            .iter()
            .filter(|b| b.record.is_some() && b.path != backup)
            .collect();
        let excess = (older.len() + 1).saturating_sub(run.keep);
        for old in older.iter().take(excess) {
            if fs::remove_file(&old.path).is_ok() {
                pruned.push(old.path.clone());
            }
        }
        // The history keeps a line per backup still there, and the new one.
        let new_name = backup.file_name();
        records.retain(|r| {
            new_name.is_some_and(|n| *n == *r.backup)
                || all.iter().any(|b| {
                    !pruned.contains(&b.path) && b.path.file_name().is_some_and(|n| *n == *r.backup)
                })
        });
    }
    let text: String = records
        .iter()
        .filter_map(|r| serde_json::to_string(r).ok())
        .map(|line| line + "\n")
        .collect();
    if let Err(e) = super::write::create(&history_path(target), &text, 0o600, true) {
        eprintln!(
            "warning: the backup history was not updated: {}",
            crate::shown::message(&format!("{e:#}"))
        );
    }
    pruned
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code: a failed assumption is a test failure
mod tests {
    use super::*;

    fn backup(stamp: &str, by: &str, restores: Option<&str>) -> Backup {
        Backup {
            path: PathBuf::from(format!("k.yml.bak.{stamp}")),
            stamp: stamp.to_owned(),
            record: Some(Record {
                backup: format!("k.yml.bak.{stamp}"),
                by: by.to_owned(),
                restores: restores.map(str::to_owned),
                ..Record::default()
            }),
        }
    }

    #[test]
    fn undo_walks_back_one_write_per_call_and_a_later_write_comes_first() {
        let b1 = backup("20260101T000001", "apply", None);
        let b2 = backup("20260101T000002", "apply", None);
        assert_eq!(
            next_undo(&[b1.clone(), b2.clone()]).unwrap().stamp,
            b2.stamp
        );
        // Undo restored b2 and kept u1: the next undo restores b1, not u1.
        let u1 = backup("20260101T000003", "undo", Some("20260101T000002"));
        let history = vec![b1.clone(), b2.clone(), u1.clone()];
        assert_eq!(next_undo(&history).unwrap().stamp, b1.stamp);
        let u2 = backup("20260101T000004", "undo", Some("20260101T000001"));
        assert!(next_undo(&[b1.clone(), b2.clone(), u1.clone(), u2.clone()]).is_none());
        // A write after the undos is what the next undo takes back.
        let b3 = backup("20260101T000005", "wizard", None);
        assert_eq!(
            next_undo(&[b1, b2, u1, u2, b3.clone()]).unwrap().stamp,
            b3.stamp
        );
    }

    #[test]
    fn same_second_backups_order_by_their_number() {
        let mut stamps = ["20260101T000001-10", "20260101T000001-2", "20260101T000001"];
        stamps.sort_by_key(|s| order(s));
        assert_eq!(
            stamps,
            ["20260101T000001", "20260101T000001-2", "20260101T000001-10"]
        );
    }

    #[test]
    fn backups_without_a_history_are_ordered_by_timestamp() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("k.yml");
        fs::write(&file, "a: 1\n").unwrap();
        for stamp in ["20260101T000002", "20260101T000001"] {
            fs::write(dir.path().join(format!("k.yml.bak.{stamp}")), "a: 0\n").unwrap();
        }
        std::os::unix::fs::symlink(&file, dir.path().join("k.yml.bak.20270101T000000")).unwrap();
        let found = backups(&file).unwrap();
        let stamps: Vec<&str> = found.iter().map(|b| b.stamp.as_str()).collect();
        assert_eq!(stamps, ["20260101T000001", "20260101T000002"], "no link");
        assert_eq!(next_undo(&found).unwrap().stamp, "20260101T000002");
    }
}
