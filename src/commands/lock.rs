//! One writer per folder: `apply`, `wizard`, `rotate` and `undo` hold an advisory lock on each
//! folder they may write in, from before they read until they exit, so two runs never read the
//! same file and then both replace it (the second would silently drop the first's fixes and
//! secrets). `audit` never takes it: reading needs no lock.
//!
//! The lock is `flock` on the folder itself, not on a lock file: nothing is created that an
//! attacker could pre-plant as a link or FIFO, nothing is left behind, and the config is
//! replaced by rename (a lock on the file would stay on the old inode). The kernel drops the
//! lock when the process ends, even by SIGKILL, so a crash never leaves a stale lock.

use std::fs::{self, File, TryLockError};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};

use anyhow::bail;

thread_local! {
    /// The folders this run holds locks on (device, inode), for [`covers`]. Per thread: a run
    /// locks and writes on its main thread (and unit tests, each on its own, do not mix).
    static LOCKED: std::cell::RefCell<Vec<(u64, u64)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether a write into `folder` is covered by this run's locks: always when the run took
/// none (`init`), else only a folder it locked. A link retargeted between the lock and the
/// write (so the write would land in a folder another run may hold) fails this.
pub fn covers(folder: &Path) -> bool {
    let locked = LOCKED.with(|l| l.borrow().clone());
    locked.is_empty() || fs::metadata(folder).is_ok_and(|m| locked.contains(&(m.dev(), m.ino())))
}

/// Held locks; released when dropped (or at exit).
#[derive(Debug)]
pub struct Held {
    _folders: Vec<File>,
}

/// Locks the folders of everything a run may write: its config files (or Helm values), env
/// files, and the other destinations given (`--output`, `--secrets-to`, `--record`).
pub fn for_run(
    configs: &[PathBuf],
    layers: &crate::cli::Layers,
    secrets_to: &crate::fix::SecretsTo,
    others: &[Option<&Path>],
) -> anyhow::Result<Held> {
    // The files the deployment is read from are the ones its fixes are written to.
    let from_compose = match &layers.compose {
        Some(compose) => crate::config::compose::files(&crate::config::compose::service(
            compose,
            layers.service.as_deref(),
        )?),
        None => Vec::new(),
    };
    let from_compose = match &layers.manifest {
        Some(manifest) => vec![manifest.clone()],
        None => from_compose,
    };
    let files = if layers.compose.is_some() || layers.manifest.is_some() {
        &from_compose
    } else {
        crate::config::deployment::Layers::from(layers).files(configs)
    };
    let mut paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    paths.extend(layers.env_file.iter().map(PathBuf::as_path));
    if let crate::fix::SecretsTo::EnvFile(path) | crate::fix::SecretsTo::K8sSecret(path) =
        secrets_to
    {
        paths.push(path);
    }
    paths.extend(others.iter().flatten());
    hold(&paths)
}

/// The folders writes to `paths` land in: a file's resolved folder (a config that is a link is
/// written through to its target), or the folder a new file would be created in.
fn folders(paths: &[&Path]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        let resolved = fs::canonicalize(path).ok();
        let folder = if let Some(target) = &resolved {
            target.parent().map(Path::to_path_buf)
        } else {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            fs::canonicalize(parent).ok()
        };
        if let Some(folder) = folder
            && !out.contains(&folder)
        {
            out.push(folder);
        }
    }
    out
}

/// Locks the folders of `paths`, or says which run holds one. A folder that cannot be opened
/// is left to the write itself to report (it fails there with its own message).
pub fn hold(paths: &[&Path]) -> anyhow::Result<Held> {
    let mut held = Vec::new();
    let mut seen = Vec::new();
    for folder in folders(paths) {
        let Ok(handle) = File::open(&folder) else {
            continue;
        };
        let Ok(meta) = handle.metadata() else {
            continue;
        };
        if !meta.is_dir() || seen.contains(&(meta.dev(), meta.ino())) {
            continue;
        }
        seen.push((meta.dev(), meta.ino()));
        match handle.try_lock() {
            Ok(()) => {
                LOCKED.with(|l| l.borrow_mut().push((meta.dev(), meta.ino())));
                held.push(handle);
            }
            Err(TryLockError::WouldBlock) => {
                let by = holder(meta.dev(), meta.ino())
                    .map(|pid| format!(" (PID {pid})"))
                    .unwrap_or_default();
                bail!(
                    "{}: in use by another kratos-harden run{by} that may write there; nothing \
                     was read or written. Run again when it has finished",
                    crate::shown::path(&folder)
                );
            }
            // A file system without flock (some network mounts): run unlocked rather than
            // refuse every write there.
            Err(TryLockError::Error(_)) => {}
        }
    }
    Ok(Held { _folders: held })
}

/// The process holding a `flock` on the inode, from `/proc/locks`
/// (`N: FLOCK ADVISORY WRITE PID MAJOR:MINOR:INODE 0 EOF`, major and minor in hex). Some file
/// systems (overlays, FUSE) list the lock under another device number than `stat` reports:
/// then the inode alone names it, if exactly one holder has that inode.
fn holder(dev: u64, ino: u64) -> Option<u32> {
    let locks = fs::read_to_string("/proc/locks").ok()?;
    let (major, minor) = split_dev(dev);
    let wanted = format!("{major:02x}:{minor:02x}:{ino}");
    let suffix = format!(":{ino}");
    let mut exact = None;
    let mut by_inode = Vec::new();
    for line in locks.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // A waiting lock is listed as `N: -> FLOCK …`; only the holder counts.
        let (Some(&"FLOCK"), Some(pid), Some(&id)) = (fields.get(1), fields.get(4), fields.get(5))
        else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if id == wanted {
            exact = Some(pid);
        } else if id.ends_with(&suffix) && !by_inode.contains(&pid) {
            by_inode.push(pid);
        }
    }
    exact.or(match by_inode[..] {
        [pid] => Some(pid),
        _ => None,
    })
}

/// Linux's `dev_t` split into major and minor (glibc's `gnu_dev_major`/`gnu_dev_minor` layout).
fn split_dev(dev: u64) -> (u64, u64) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & 0xffff_f000);
    let minor = (dev & 0xff) | ((dev >> 12) & 0xffff_ff00);
    (major, minor)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // test code: a failed assumption is a test failure
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_folder_is_refused_and_names_this_process() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kratos.yml");
        fs::write(&file, "dsn: memory\n").unwrap();
        let first = hold(&[&file]).unwrap();
        // flock locks belong to the open file: a second open in this process conflicts too.
        let error = hold(&[&file]).unwrap_err().to_string();
        assert!(
            error.contains("in use by another kratos-harden run"),
            "{error}"
        );
        // The PID is named whenever the kernel lists this process's lock on the folder's inode
        // (some sandboxes show no or other PIDs in /proc/locks: then the message omits it).
        let ino = fs::metadata(dir.path()).unwrap().ino();
        let pid = std::process::id().to_string();
        let listed = fs::read_to_string("/proc/locks").is_ok_and(|locks| {
            locks.lines().any(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                fields.get(1) == Some(&"FLOCK")
                    && fields.get(4) == Some(&pid.as_str())
                    && fields
                        .get(5)
                        .is_some_and(|id| id.ends_with(&format!(":{ino}")))
            })
        });
        assert_eq!(
            error.contains(&format!("PID {pid}")),
            listed,
            "{error}\n{:?}",
            fs::read_to_string("/proc/locks")
        );
        drop(first);
        hold(&[&file]).unwrap();
    }

    #[test]
    fn a_new_file_locks_its_folder_and_one_folder_is_locked_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.yml");
        let b = dir.path().join("not-yet.yml");
        fs::write(&a, "dsn: memory\n").unwrap();
        // Locking one folder twice in one call would conflict with itself.
        let _held = hold(&[&a, &b]).unwrap();
        assert!(hold(&[&b]).is_err());
    }

    #[test]
    fn only_locked_folders_are_covered_once_a_lock_is_held() {
        let locked = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let file = locked.path().join("kratos.yml");
        fs::write(&file, "dsn: memory\n").unwrap();
        let _held = hold(&[&file]).unwrap();
        assert!(covers(locked.path()));
        // A link retargeted into this folder after the lock was taken: not covered.
        assert!(!covers(other.path()));
    }

    #[test]
    fn dev_numbers_split_as_glibc_does() {
        // makedev(8, 1) and makedev(259, 3) in the glibc layout.
        assert_eq!(split_dev(0x801), (8, 1));
        assert_eq!(split_dev((259 << 8) | 3), (259, 3));
        assert_eq!(split_dev(0x0000_1000_0000_0000 | (1 << 8)), (0x1001, 0));
    }
}
