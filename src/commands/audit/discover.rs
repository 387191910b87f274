//! Which deployments `audit PATH...` looks at, in sorted path order. One folder is walked
//! lazily, so auditing starts with the first config found instead of after the whole tree has
//! been listed; several paths are collected, merged and sorted first.

use std::path::{Path, PathBuf};

use crate::config::ConfigError;

/// Config file names searched for in folders.
const CONFIG_NAMES: &[&str] = &["kratos.yml", "kratos.yaml", "kratos.json"];

/// Folders never entered.
const SKIPPED: &[&str] = &[".git", "node_modules"];

/// One deployment to audit: its files with the names they are shown under, or a compose file
/// and the service in it.
#[derive(Clone, Debug)]
pub struct Job {
    /// The config files; for a compose deployment, the compose file alone.
    pub files: Vec<(PathBuf, String)>,
    /// The compose service (or manifest container), when `files` is a compose file (or a
    /// manifest).
    pub service: Option<String>,
    /// What `files` are.
    pub kind: JobKind,
}

/// What a job's files are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobKind {
    /// Kratos config files.
    Config,
    /// A compose file.
    Compose,
    /// A Kubernetes manifest.
    Manifest,
    /// Helm values.
    Helm,
}

impl Job {
    /// A deployment of config files.
    #[must_use]
    pub fn files(files: Vec<(PathBuf, String)>) -> Self {
        Self {
            files,
            service: None,
            kind: JobKind::Config,
        }
    }
}

/// What the walk finds: a file, the service in it, and what it is.
type Found = (PathBuf, Option<String>, JobKind);

/// The deployments below `paths`, in sorted path order: files stay as given; folders are
/// searched recursively for `kratos.{yml,yaml,json}` and compose files (not following
/// symlinked folders, skipping `.git` and `node_modules`). Each service of a compose file that
/// runs `kratos serve` is a deployment, and the config files it reads are audited as part of
/// it, not again on their own. A folder that cannot be listed, or a compose file that does not
/// parse, is an error in the stream, where its deployments would have been.
///
/// # Errors
/// A folder below which no config is found.
pub fn jobs(
    paths: &[PathBuf],
) -> anyhow::Result<Box<dyn Iterator<Item = Result<Job, ConfigError>> + Send>> {
    let job = |(p, service, kind): Found| {
        let name = crate::shown::path(&p);
        Job {
            files: vec![(p, name)],
            service,
            kind,
        }
    };
    let mut roots = Vec::with_capacity(paths.len());
    for path in paths {
        if path.is_dir() {
            let mut walk = Walk::new(path).peekable();
            if walk.peek().is_none() {
                anyhow::bail!(
                    "{}: no kratos.yml, kratos.yaml, kratos.json, compose file or manifest with \
                     a Kratos service, or Helm values, below this folder; name the config file \
                     instead",
                    path.display()
                );
            }
            roots.push(Box::new(walk) as Box<dyn Iterator<Item = _> + Send>);
        } else {
            roots.push(Box::new(std::iter::once(Ok((
                path.clone(),
                None,
                JobKind::Config,
            )))));
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

/// The deployments below a folder, found depth first with each folder's entries sorted by
/// name: the same order as sorting the full paths component by component. A folder's compose
/// files are read as soon as the folder is listed, so the configs their services read are
/// known before any of them is reached.
struct Walk {
    /// Entries still to visit, per open folder.
    stack: Vec<std::vec::IntoIter<Entry>>,
    /// Config files a compose service reads (audited with it).
    claimed: std::collections::HashSet<PathBuf>,
}

/// One entry of a folder listing.
enum Entry {
    Folder(PathBuf),
    Config(PathBuf),
    /// A Kratos service of a compose file.
    Service(Found),
    /// A compose file that could not be read.
    Broken(ConfigError),
}

impl Walk {
    fn new(root: &Path) -> Self {
        Self {
            stack: vec![vec![Entry::Folder(root.to_path_buf())].into_iter()],
            claimed: std::collections::HashSet::new(),
        }
    }

    /// Lists `dir`, reading its compose files and claiming their services' configs.
    fn list(&mut self, dir: &Path) -> std::io::Result<Vec<Entry>> {
        let mut out = Vec::new();
        for (path, folder) in entries(dir)? {
            let compose = path
                .file_name()
                .is_some_and(|n| COMPOSE_NAMES.contains(&n.to_string_lossy().as_ref()));
            if folder {
                out.push(Entry::Folder(path));
            } else if compose {
                match crate::config::compose::services(&path) {
                    Ok(services) => {
                        for service in services {
                            self.claimed.extend(service.configs.iter().cloned());
                            out.push(Entry::Service((
                                path.clone(),
                                Some(service.name),
                                JobKind::Compose,
                            )));
                        }
                    }
                    Err(e) => out.push(Entry::Broken(e)),
                }
            } else if is_config_name(&path) && !is_manifest(&path) {
                out.push(Entry::Config(path));
            } else {
                out.extend(other_yaml(&path));
            }
        }
        Ok(out)
    }
}

impl Iterator for Walk {
    type Item = Result<Found, ConfigError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let Some(entry) = self.stack.last_mut()?.next() else {
                self.stack.pop();
                continue;
            };
            match entry {
                Entry::Config(path) if self.claimed.contains(&path) => {}
                Entry::Config(path) => return Some(Ok((path, None, JobKind::Config))),
                Entry::Broken(e) => return Some(Err(e)),
                Entry::Service(found) => return Some(Ok(found)),
                Entry::Folder(path) => match self.list(&path) {
                    Ok(entries) => self.stack.push(entries.into_iter()),
                    Err(error) => {
                        return Some(Err(ConfigError::Folder {
                            folder: crate::shown::path(&path),
                            error,
                        }));
                    }
                },
            }
        }
    }
}

/// True for `kratos.{yml,yaml,json}`.
fn is_config_name(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| CONFIG_NAMES.contains(&n.to_string_lossy().as_ref()))
}

/// True for a `kratos.yaml` that is a Kubernetes manifest rather than a config (a document
/// with `apiVersion:` and `kind:` at its top level).
fn is_manifest(path: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    crate::config::load::read_text(path, &crate::shown::path(path)).is_ok_and(|text| {
        let top = |key: &str| text.starts_with(key) || text.contains(&format!("\n{key}"));
        top("apiVersion:") && top("kind:")
    })
}

/// Another YAML file of the tree: the Kratos containers of a Kubernetes manifest, or Helm
/// values holding `kratos.config`. Read only when its text names Kratos (a cheap filter, so a
/// tree of unrelated YAML costs one bounded read per file).
fn other_yaml(path: &Path) -> Vec<Entry> {
    let display = crate::shown::path(path);
    let Ok(text) = crate::config::load::read_text(path, &display) else {
        return Vec::new();
    };
    if text.contains("oryd/kratos") && text.contains("kind:") {
        return match crate::config::kube::kratos_containers(path) {
            Ok(names) => names
                .into_iter()
                .map(|n| Entry::Service((path.to_path_buf(), Some(n), JobKind::Manifest)))
                .collect(),
            Err(e) => vec![Entry::Broken(e)],
        };
    }
    let values = path
        .file_name()
        .is_some_and(|n| n.to_string_lossy().contains("values"));
    if values && text.contains("kratos:") && text.contains("config:") {
        let helm = crate::config::Deployment::load_helm_values(vec![(path.to_path_buf(), display)]);
        if helm.is_ok() {
            return vec![Entry::Service((path.to_path_buf(), None, JobKind::Helm))];
        }
    }
    Vec::new()
}

/// Compose file names searched for in folders.
const COMPOSE_NAMES: &[&str] = crate::config::compose::FILE_NAMES;

/// A folder's sub-folders (not symlinks, not skipped ones), config files and compose files,
/// sorted by name: `(path, is a folder)`.
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
        } else if CONFIG_NAMES.contains(&name.as_ref())
            || COMPOSE_NAMES.contains(&name.as_ref())
            // Other YAML is only looked into when it is a plain file (a FIFO or device named
            // like a config is still reported, as any config that cannot be read).
            || (kind.is_file() && (name.ends_with(".yaml") || name.ends_with(".yml")))
        {
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
            .map(|found| found.map(|(path, _, _)| path))
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
