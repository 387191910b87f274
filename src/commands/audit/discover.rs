//! Which deployments `audit PATH...` looks at, in sorted path order. One folder is walked
//! lazily, so auditing starts with the first config found instead of after the whole tree has
//! been listed; several paths are collected, merged and sorted first.

use std::path::{Path, PathBuf};

use crate::config::ConfigError;

/// Config file names searched for in folders.
const CONFIG_NAMES: &[&str] = &["kratos.yml", "kratos.yaml", "kratos.json"];

/// Folders never entered.
const SKIPPED: &[&str] = &[".git", "node_modules"];

/// One deployment to audit: its files with the names they are shown under.
pub type Job = Vec<(PathBuf, String)>;

/// The deployments below `paths`, in sorted path order: files stay as given; folders are
/// searched recursively for `kratos.{yml,yaml,json}` (not following symlinked folders,
/// skipping `.git` and `node_modules`). A folder that cannot be listed is an error in the
/// stream, where its configs would have been.
///
/// # Errors
/// A folder below which no config is found.
pub fn jobs(
    paths: &[PathBuf],
) -> anyhow::Result<Box<dyn Iterator<Item = Result<Job, ConfigError>> + Send>> {
    let job = |p: PathBuf| {
        let name = crate::shown::path(&p);
        vec![(p, name)]
    };
    let mut roots = Vec::with_capacity(paths.len());
    for path in paths {
        if path.is_dir() {
            let mut walk = Walk::new(path).peekable();
            if walk.peek().is_none() {
                anyhow::bail!(
                    "{}: no kratos.yml, kratos.yaml or kratos.json below this folder; name the \
                     config file instead",
                    path.display()
                );
            }
            roots.push(Box::new(walk) as Box<dyn Iterator<Item = _> + Send>);
        } else {
            roots.push(Box::new(std::iter::once(Ok(path.clone()))));
        }
    }
    if roots.len() == 1 {
        let only = roots.pop().into_iter().flatten();
        return Ok(Box::new(only.map(move |r| r.map(job))));
    }
    // Several paths may overlap or come in any order: merge, sort, deduplicate.
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for item in roots.into_iter().flatten() {
        match item {
            Ok(path) => found.push(path),
            Err(e) => errors.push(Err(e)),
        }
    }
    found.sort();
    found.dedup();
    Ok(Box::new(
        errors
            .into_iter()
            .chain(found.into_iter().map(move |p| Ok(job(p)))),
    ))
}

/// The configs below a folder, found depth first with each folder's entries sorted by name:
/// the same order as sorting the full paths component by component.
struct Walk {
    /// Entries still to visit, per open folder: `(path, is a folder)`.
    stack: Vec<std::vec::IntoIter<(PathBuf, bool)>>,
}

impl Walk {
    fn new(root: &Path) -> Self {
        Self {
            stack: vec![vec![(root.to_path_buf(), true)].into_iter()],
        }
    }
}

impl Iterator for Walk {
    type Item = Result<PathBuf, ConfigError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some((path, folder)) = self.stack.last_mut()?.next() else {
                self.stack.pop();
                continue;
            };
            if !folder {
                return Some(Ok(path));
            }
            match entries(&path) {
                Ok(entries) => self.stack.push(entries.into_iter()),
                Err(error) => {
                    return Some(Err(ConfigError::Folder {
                        folder: crate::shown::path(&path),
                        error,
                    }));
                }
            }
        }
    }
}

/// A folder's sub-folders (not symlinks, not skipped ones) and config files, sorted by name.
fn entries(dir: &Path) -> std::io::Result<Vec<(PathBuf, bool)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if kind.is_dir() {
            if !SKIPPED.contains(&name.as_ref()) {
                out.push((entry.path(), true));
            }
        } else if CONFIG_NAMES.contains(&name.as_ref()) {
            out.push((entry.path(), false));
        }
    }
    out.sort_unstable_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lazy walk gives exactly what listing everything and sorting the paths gives.
    #[test]
    fn the_walk_is_in_sorted_path_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let names = [
            "a/kratos.yml",
            "a-b/kratos.yml",
            "a/deep/kratos.json",
            "a/deep/x/kratos.yaml",
            "b/kratos.yml",
            "b.c/kratos.yml",
            "kratos.yml",
            "A/kratos.yml",
            "node_modules/kratos.yml",
            ".git/kratos.yml",
            "z/other.yml",
        ];
        for name in names {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, "dsn: memory\n").expect("write");
        }
        let walked: Vec<PathBuf> = Walk::new(dir.path())
            .collect::<Result<_, _>>()
            .expect("lists");
        let mut sorted = walked.clone();
        sorted.sort();
        assert_eq!(walked, sorted);
        assert_eq!(walked.len(), 8, "{walked:?}");
        assert!(
            walked
                .iter()
                .all(|p| !p.to_string_lossy().contains("node_modules"))
        );
    }
}
