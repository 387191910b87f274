//! Reading one deployment from what a run names: its config files (or the Ory Helm chart's
//! values files instead), then the env files layered over them and, when asked, the process
//! environment, in that order, as Kratos (and its chart) see them at run time.
//!
//! Owns which files are read for a deployment, the names they are shown under, refusing a file
//! named twice, and reading the process environment. Reading each file goes through [`load`]
//! (bounded, regular files only); parsing and layering are the [`Deployment`]'s. It prints
//! nothing and knows no command line: the commands hand it the layer flags as [`Layers`] and
//! report its errors.
//!
//! [`load`]: super::load

use std::path::{Path, PathBuf};

use super::{ConfigError, Deployment};

/// What is layered over (or read instead of) a deployment's config files.
#[derive(Clone, Copy, Debug, Default)]
pub struct Layers<'a> {
    /// Dotenv files whose variables override the config; later files win.
    pub env_files: &'a [PathBuf],
    /// Also layer the process environment's Kratos variables (after the env files).
    pub use_env: bool,
    /// The Helm chart's values files: when any, they are read instead of config files.
    pub helm_values: &'a [PathBuf],
    /// The files are templates rendered before Kratos reads them (`${VAR}` is set elsewhere).
    pub template: bool,
    /// A docker compose file: the deployment is its Kratos service instead of config files.
    pub compose: Option<&'a Path>,
    /// A Kubernetes manifest: the deployment is its Kratos container instead of config files.
    pub manifest: Option<&'a Path>,
    /// The compose service (or manifest container), when the file has several.
    pub service: Option<&'a str>,
}

impl<'a> Layers<'a> {
    /// Whether the deployment is read from Helm values files.
    #[must_use]
    pub fn helm(&self) -> bool {
        !self.helm_values.is_empty()
    }

    /// The files the deployment is read from: the Helm values files when given, else `configs`.
    #[must_use]
    pub fn files<'b>(&self, configs: &'b [PathBuf]) -> &'b [PathBuf]
    where
        'a: 'b,
    {
        if self.helm() {
            self.helm_values
        } else {
            configs
        }
    }
}

/// One deployment for a command that works on one (`apply`, `rotate`, the wizard): the config
/// files `configs`, or the Helm values files of `layers` instead, with its env files and, when
/// `layers.use_env`, the process environment layered over.
pub fn load(configs: &[PathBuf], layers: Layers<'_>) -> Result<Deployment, ConfigError> {
    let environment = if layers.use_env {
        process_environment()
    } else {
        Vec::new()
    };
    load_files(named(layers.files(configs)), layers, &environment)
}

/// One deployment from `files` (config files, or Helm values files when `layers.helm()`), with
/// the env files and, when `layers.use_env`, the variables of `environment` layered over it in
/// that order. `environment` is the caller's: `audit` reads the process environment once for
/// every deployment it audits.
pub fn load_files(
    files: Vec<(PathBuf, String)>,
    layers: Layers<'_>,
    environment: &[(String, String)],
) -> Result<Deployment, ConfigError> {
    refuse_same_file_twice(
        files
            .iter()
            .map(|(path, display)| (path.as_path(), display.clone()))
            .chain(
                layers
                    .env_files
                    .iter()
                    .map(|p| (p.as_path(), crate::shown::path(p))),
            ),
    )?;
    let mut deployment = if let Some(manifest) = layers.manifest {
        super::kube::load(manifest, layers.service)?
    } else if let Some(compose) = layers.compose {
        super::compose::load(&super::compose::service(compose, layers.service)?)?
    } else if layers.helm() {
        Deployment::load_helm_values(files)?
    } else {
        Deployment::load_named(files)?
    };
    for env_file in layers.env_files {
        deployment.add_env_file(env_file)?;
    }
    if layers.use_env {
        deployment.add_environment(environment);
    }
    deployment.template = layers.template;
    Ok(deployment)
}

/// Refuses a run that names one file twice (same device and inode, under any names): editing
/// one file as two would lose one of the edits.
fn refuse_same_file_twice<'a>(
    files: impl Iterator<Item = (&'a Path, String)>,
) -> Result<(), ConfigError> {
    use std::os::unix::fs::MetadataExt as _;
    let mut seen: Vec<((u64, u64), String)> = Vec::new();
    for (path, display) in files {
        // A file that cannot be looked at is left to the read, which names the problem.
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        let id = (meta.dev(), meta.ino());
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == id) {
            return Err(ConfigError::SameFileTwice {
                first: first.clone(),
                second: display,
            });
        }
        seen.push((id, display));
    }
    Ok(())
}

/// Paths with the names they are shown under (escaped for the terminal, as given).
#[must_use]
pub fn named(paths: &[PathBuf]) -> Vec<(PathBuf, String)> {
    paths
        .iter()
        .map(|p| (p.clone(), crate::shown::path(p)))
        .collect()
}

/// The process environment as UTF-8 pairs. `vars_os`: a variable that is not UTF-8 (never a
/// Kratos one) must not abort the audit.
#[must_use]
pub fn process_environment() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_values_are_read_instead_of_the_config_files() {
        let configs = [PathBuf::from("kratos.yml")];
        let values = [PathBuf::from("values.yaml")];
        let plain = Layers::default();
        assert_eq!(plain.files(&configs), &configs);
        let helm = Layers {
            helm_values: &values,
            ..Layers::default()
        };
        assert!(helm.helm());
        assert_eq!(helm.files(&configs), &values);
    }

    #[test]
    fn one_file_under_two_names_is_refused() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let config = dir.path().join("kratos.yml");
        std::fs::write(&config, "version: v1.3.1\n")?;
        let link = dir.path().join("again.yml");
        std::os::unix::fs::symlink(&config, &link)?;
        let files = vec![
            (config, "kratos.yml".to_owned()),
            (link, "again.yml".to_owned()),
        ];
        let err = load_files(files, Layers::default(), &[]).err();
        assert!(
            matches!(&err, Some(ConfigError::SameFileTwice { first, second })
                if first == "kratos.yml" && second == "again.yml"),
            "{err:?}"
        );
        Ok(())
    }
}
