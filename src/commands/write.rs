//! Writing files the way a careful operator would: refuse when the file changed since it was
//! read, take a timestamped backup, write a temporary file in the same folder, fsync it, keep
//! mode and owner (tightened to 0600 when the file now holds secrets), rename it over the
//! original and fsync the folder. A crash leaves either the old or the new file, never half.
//! A symlinked config is written through: the target changes, the link stays. A read-only
//! file is left alone.
//!
//! What is never written: anything that exists and is not a regular file (a device such as
//! `/dev/null`, a FIFO, a socket, a folder), a symlink at a path the tool creates (`--output`,
//! init outputs, backups), and backups over anything at all (they are created with
//! `create_new`, `O_EXCL`).

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// What a write did.
#[derive(Debug)]
pub struct Written {
    /// The file written (symlinks resolved).
    pub path: PathBuf,
    /// The backup, if one was taken.
    pub backup: Option<PathBuf>,
    /// The mode was tightened to 0600 (it was wider and the file holds secrets).
    pub tightened: bool,
    /// Old backups removed to keep `--keep` of them.
    pub pruned: Vec<PathBuf>,
}

/// How `undo` puts a backup back: with the mode and owner the file had when it was taken.
#[derive(Debug)]
pub struct Restore {
    /// The mode to give the file.
    pub mode: u32,
    /// Its owner and group (only root can give a file away; others keep theirs).
    pub owner: (u32, u32),
    /// The timestamp of the backup restored (recorded with undo's own backup).
    pub restores: String,
}

/// The UTF-8 byte-order mark some editors put first.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Replaces `path`'s content `expected` with `text` (a byte-order mark the file had is kept).
pub fn replace(
    path: &Path,
    expected: &str,
    text: &str,
    backup: bool,
    holds_secrets: bool,
) -> anyhow::Result<Written> {
    replace_as(path, expected, text, backup, holds_secrets, None)
}

/// [`replace`] for `undo`: the restored content gets the mode and owner `how` names, and the
/// backup of what it replaces is recorded as undo's (so the next undo walks further back).
pub fn restore(
    path: &Path,
    expected: &str,
    text: &str,
    backup: bool,
    how: &Restore,
) -> anyhow::Result<Written> {
    replace_as(path, expected, text, backup, false, Some(how))
}

fn replace_as(
    path: &Path,
    expected: &str,
    text: &str,
    backup: bool,
    holds_secrets: bool,
    restoring: Option<&Restore>,
) -> anyhow::Result<Written> {
    let Current {
        target,
        meta,
        bom,
        bytes: current,
    } = current(path, expected)?;
    let old_mode = meta.permissions().mode() & 0o7777;
    let tightened = holds_secrets && old_mode & 0o077 != 0;
    let (mode, owner) = match restoring {
        Some(how) => (how.mode & 0o777, how.owner),
        None if tightened => (0o600, (meta.uid(), meta.gid())),
        None => (old_mode, (meta.uid(), meta.gid())),
    };
    // A backup is owner-only whatever the file's mode: it keeps the old content, which may hold
    // secrets the new one no longer has (moved out with `--secrets-to`).
    let backup_path = if backup {
        Some(take_backup(&target, &current, 0o600)?)
    } else {
        None
    };
    let bytes = if bom {
        [BOM, text.as_bytes()].concat()
    } else {
        text.as_bytes().to_vec()
    };
    write_new(
        &target,
        &bytes,
        mode,
        Some(owner),
        true,
        backup_path.as_deref(),
    )?;
    let pruned = backup_path.as_ref().map_or_else(Vec::new, |b| {
        super::history::note_backup(&target, b, &meta, restoring.map(|r| r.restores.clone()))
    });
    Ok(Written {
        path: target,
        backup: backup_path,
        tightened,
        pruned,
    })
}

/// The file `replace` is about to replace, checked: resolved, regular, still `expected`,
/// writable by its mode.
struct Current {
    target: PathBuf,
    meta: fs::Metadata,
    bom: bool,
    bytes: Vec<u8>,
}

fn current(path: &Path, expected: &str) -> anyhow::Result<Current> {
    let target = fs::canonicalize(path)
        .with_context(|| format!("{}: cannot resolve the path", crate::shown::path(path)))?;
    in_locked_folder(target.parent().unwrap_or(Path::new("/")), path)?;
    // Resolved, the config must be a regular file: never a device, FIFO or socket. The check is
    // made on the opened file, and the content compared is read from that same open file.
    let mut file = open_regular_file(&target, path)?;
    let meta = file.metadata()?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(&mut file, crate::config::load::MAX_FILE_BYTES + 1),
        &mut bytes,
    )
    .with_context(|| format!("{}: cannot read the file", crate::shown::path(path)))?;
    // The loader drops a UTF-8 byte-order mark; compare without it and write it back.
    let bom = bytes.starts_with(BOM);
    let body = if bom { &bytes[BOM.len()..] } else { &bytes[..] };
    if body != expected.as_bytes() {
        bail!(
            "{}: the file changed on disk since it was read; nothing was written. Run the \
             command again on the new content",
            crate::shown::path(path)
        );
    }
    let mode = meta.permissions().mode() & 0o7777;
    // A rename would replace a read-only file as easily as any other (and root may write
    // anything): the mode says the operator meant it not to change.
    if mode & 0o200 == 0 {
        bail!(
            "{}: the file is read-only (mode {mode:04o}); nothing was written. Make it \
             writable (`chmod u+w`) if kratos-harden should change it",
            crate::shown::path(path)
        );
    }
    Ok(Current {
        target,
        meta,
        bom,
        bytes,
    })
}

/// Refuses a write of `path` into `dir` when the run holds locks and `dir` is not one of them:
/// a link retargeted between the lock and the write would land it where another run may write.
fn in_locked_folder(dir: &Path, path: &Path) -> anyhow::Result<()> {
    if super::lock::covers(dir) {
        return Ok(());
    }
    bail!(
        "{}: the file now resolves into a folder this run did not lock (a link changed while it \
         ran?); nothing was written there. Run the command again",
        crate::shown::path(path)
    )
}

/// What [`replace`] would refuse, checked before any file of a run is written: the file is
/// regular, unchanged since read, writable by its mode, and its folder takes a new file.
pub fn check_replace(path: &Path, expected: &str) -> anyhow::Result<()> {
    let found = current(path, expected)?;
    folder_takes_files(&found.target)
}

/// What [`create`] would refuse, checked before any file of a run is written.
pub fn check_create(path: &Path, force: bool) -> anyhow::Result<()> {
    refuse_existing(path, force)?;
    folder_takes_files(path)
}

/// A temporary file can be made beside `path` (it is removed at once): a folder the user
/// cannot write to, or a full or read-only file system, fails here instead of half-way.
fn folder_takes_files(path: &Path) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Registered like every temporary file: a signal while it exists removes it.
    new_temp(dir)
        .map(|(tmp, unfinished)| {
            drop(tmp);
            drop(unfinished);
        })
        .with_context(|| {
            format!(
                "{}: cannot create a file in the folder (the new content is written beside \
                 the file, then renamed over it); make the folder writable, or write \
                 elsewhere with `--output`. Nothing was written",
                crate::shown::path(dir)
            )
        })
}

/// A new `.kratos-harden-*.tmp` file in `dir`, registered for signal cleanup as it is created.
fn new_temp(dir: &Path) -> std::io::Result<(tempfile::NamedTempFile, super::signals::Unfinished)> {
    super::signals::Unfinished::create(|| {
        let tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir)?;
        let path = tmp.path().to_owned();
        Ok((tmp, path))
    })
}

/// Creates `path` with `text` and `mode`; refuses to overwrite unless `force`, and never
/// replaces a symlink or anything that is not a regular file (with `force` either).
pub fn create(path: &Path, text: &str, mode: u32, force: bool) -> anyhow::Result<()> {
    refuse_existing(path, force)?;
    // Without `force`, something created at `path` after the check above is never replaced:
    // the temporary file is linked in only if the name is still free.
    write_new(path, text.as_bytes(), mode, None, force, None)
}

/// A symlink, anything not a regular file, or (without `force`) any file at `path`.
fn refuse_existing(path: &Path, force: bool) -> anyhow::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => bail!(
            "{}: is a symbolic link; kratos-harden does not write through links it did not \
             read. Remove the link or name the real file; nothing was written",
            crate::shown::path(path)
        ),
        Ok(meta) => {
            if !meta.file_type().is_file() {
                return Err(not_regular(
                    path,
                    crate::config::load::special_kind(meta.file_type()),
                ));
            }
            if !force {
                bail!(
                    "{}: already exists; pass --force to overwrite it",
                    crate::shown::path(path)
                );
            }
        }
        Err(_) => {}
    }
    Ok(())
}

/// Opens `target` (met as `shown`) for reading if it is a regular file: renaming over a
/// device, FIFO or socket would replace it (`/dev/null` as a regular file), and reading one may
/// hang. Decided on the opened file, never on a path looked at before.
fn open_regular_file(target: &Path, shown: &Path) -> anyhow::Result<fs::File> {
    use crate::config::load::Opened;
    crate::config::load::open_regular(target).map_err(|e| match e {
        Opened::Io(e) => anyhow::Error::new(e).context(format!(
            "{}: cannot read the file",
            crate::shown::path(shown)
        )),
        Opened::Folder => not_regular(shown, "a folder"),
        Opened::Special(what) => not_regular(shown, what),
    })
}

fn not_regular(shown: &Path, what: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{}: is {what}, not a regular file; name a regular file or a new one. Nothing was \
         written",
        crate::shown::path(shown)
    )
}

/// `FILE.bak.YYYYMMDDTHHMMSS` (with `-N` when that exists), with `mode`.
/// Created with `create_new` (`O_EXCL`): a file or link planted under the name is never
/// followed or replaced; the next free name is taken instead.
fn take_backup(target: &Path, content: &[u8], mode: u32) -> anyhow::Result<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let stamp = crate::ignore::timestamp();
    let base = format!("{}.bak.{stamp}", target.display());
    for n in 0..1000 {
        let candidate = if n == 0 {
            PathBuf::from(&base)
        } else {
            PathBuf::from(format!("{base}-{n}"))
        };
        let created = super::signals::Unfinished::create(|| {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(&candidate)
                .map(|file| (file, candidate.clone()))
        });
        let (mut file, unfinished) = match created {
            Ok(created) => created,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| {
                    format!(
                        "{}: cannot write the backup (it goes beside the file); make the \
                         folder writable, or write elsewhere with `--output`",
                        crate::shown::path(&candidate)
                    )
                });
            }
        };
        // The umask may have narrowed the mode; a wider one is never asked for.
        let filled = fs::set_permissions(&candidate, fs::Permissions::from_mode(mode))
            .and_then(|()| file.write_all(content))
            .and_then(|()| file.sync_all());
        if let Err(e) = filled {
            // A partial backup would pass for a real one.
            let _ = fs::remove_file(&candidate);
            return Err(e).with_context(|| {
                format!(
                    "{}: cannot write the backup",
                    crate::shown::path(&candidate)
                )
            });
        }
        unfinished.finish(|| ());
        return Ok(candidate);
    }
    bail!("{base}: a thousand backups with this timestamp exist; nothing was written")
}

/// Temporary files are `.kratos-harden-XXXXXX.tmp`, so one left by a killed run is known.
const TEMP_PREFIX: &str = ".kratos-harden-";
const TEMP_SUFFIX: &str = ".tmp";

/// Removes temporary files a killed run left in `dir` (a kill -9 skips every cleanup): ours by
/// name, regular files (never links) of this user, untouched for a minute (a run in progress
/// writes its own within milliseconds). Says so on stderr.
fn remove_stale_temps(dir: &Path, me: u32, ours: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let Ok(meta) = fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age.as_secs() >= 60);
        let mine = meta.uid() == me && entry.path() != ours;
        if meta.file_type().is_file() && old && mine && fs::remove_file(entry.path()).is_ok() {
            eprintln!(
                "note: removed {}, a temporary file left by an interrupted kratos-harden run",
                crate::shown::path(&entry.path())
            );
        }
    }
}

/// Temp file in the same folder, fsync, mode (and owner), rename, fsync the folder. `backup`
/// (of what is replaced) is only reported: a signal after the rename names it for `undo`.
fn write_new(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
    clobber: bool,
    backup: Option<&Path>,
) -> anyhow::Result<()> {
    write_with(path, mode, owner, clobber, backup, |file| {
        file.write_all(bytes)
    })
}

/// [`write_new`] with the content written by `fill` (tests make it fail like a full disk).
fn write_with(
    path: &Path,
    mode: u32,
    owner: Option<(u32, u32)>,
    clobber: bool,
    backup: Option<&Path>,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    in_locked_folder(dir, path)?;
    let (mut tmp, unfinished) = new_temp(dir).with_context(|| {
        format!(
            "{}: cannot create a temporary file in the folder (the new content is written \
                 beside the file, then renamed over it); make the folder writable, or write \
                 elsewhere with `--output`",
            crate::shown::path(dir)
        )
    })?;
    // Our own temporary file tells whose files are ours (the effective user).
    if let Ok(meta) = tmp.as_file().metadata() {
        remove_stale_temps(dir, meta.uid(), tmp.path());
    }
    fill(tmp.as_file_mut())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", crate::shown::path(path)))?;
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(mode))?;
    if let Some((uid, gid)) = owner {
        // Only root can give a file away; for anyone else it already has their ownership.
        let _ = std::os::unix::fs::chown(tmp.path(), Some(uid), Some(gid));
    }
    unfinished.pause_for_tests();
    // A signal now waits for the rename (and reports the file written), or drops the
    // temporary file before it.
    unfinished.rename(backup, || {
        if clobber {
            tmp.persist(path)
                .map_err(|e| e.error)
                .with_context(|| format!("{}: cannot replace the file", crate::shown::path(path)))
        } else {
            tmp.persist_noclobber(path)
                .map_err(|e| e.error)
                .with_context(|| {
                    format!(
                        "{}: cannot create the file (something appeared at that name while \
                     writing?); nothing was written",
                        crate::shown::path(path)
                    )
                })
        }
    })?;
    if let Ok(folder) = fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_keeps_mode_and_backs_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("kratos.yml");
        fs::write(&file, "a: 1\n").expect("write");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).expect("chmod");
        let written = replace(&file, "a: 1\n", "a: 2\n", true, false).expect("writes");
        assert_eq!(fs::read_to_string(&file).expect("read"), "a: 2\n");
        assert_eq!(
            fs::metadata(&file).expect("meta").permissions().mode() & 0o777,
            0o640
        );
        let backup = written.backup.expect("backup");
        assert_eq!(fs::read_to_string(&backup).expect("read"), "a: 1\n");
        let history = super::super::history::backups(&file.canonicalize().expect("resolve"));
        assert_eq!(history.expect("listed")[0].path, backup);
        // Secrets tighten the mode.
        let written = replace(&file, "a: 2\n", "a: 3\n", false, true).expect("writes");
        assert!(written.tightened);
        assert_eq!(
            fs::metadata(&file).expect("meta").permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn a_full_disk_leaves_the_original_and_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("kratos.yml");
        fs::write(&file, "a: 1\n").expect("write");
        let err = write_with(&file, 0o644, None, true, None, |f| {
            f.write_all(b"a: ")?;
            Err(std::io::Error::from(std::io::ErrorKind::StorageFull))
        })
        .expect_err("fails");
        assert!(err.to_string().contains("cannot write"), "{err}");
        assert_eq!(fs::read_to_string(&file).expect("read"), "a: 1\n");
        let left: Vec<_> = fs::read_dir(dir.path()).expect("list").collect();
        assert_eq!(left.len(), 1, "the temporary file is removed");
    }

    #[test]
    fn read_only_files_are_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("kratos.yml");
        fs::write(&file, "a: 1\n").expect("write");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o444)).expect("chmod");
        let err = replace(&file, "a: 1\n", "a: 2\n", true, false).expect_err("refused");
        assert!(err.to_string().contains("read-only (mode 0444)"), "{err}");
        assert_eq!(fs::read_to_string(&file).expect("read"), "a: 1\n");
        assert_eq!(
            fs::read_dir(dir.path()).expect("list").count(),
            1,
            "no backup, no temp"
        );
    }

    #[test]
    fn changed_files_are_not_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("kratos.yml");
        fs::write(&file, "a: changed\n").expect("write");
        let err = replace(&file, "a: 1\n", "a: 2\n", true, false).expect_err("refuses");
        assert!(err.to_string().contains("changed on disk"));
        assert_eq!(fs::read_to_string(&file).expect("read"), "a: changed\n");
    }

    #[test]
    fn symlinks_are_written_through() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.yml");
        let link = dir.path().join("kratos.yml");
        fs::write(&real, "a: 1\n").expect("write");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        replace(&link, "a: 1\n", "a: 2\n", false, false).expect("writes");
        assert!(
            fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).expect("read"), "a: 2\n");
    }
}
