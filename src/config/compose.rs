//! docker compose projects: a service that runs `kratos serve` is a deployment. Its command
//! line says which config files Kratos reads (`-c`/`--config`, container paths mapped to host
//! files through the service's `volumes:`) and may switch dev mode on (`--dev`, which Kratos
//! reads as the config key `dev`: cobra flags are a config source, `configx.WithFlags`); its
//! `env_file:` files and `environment:` entries are layered over the config as Kratos sees
//! them (`environment:` wins, as compose gives it precedence); its `ports:` say whether the
//! admin API is published. Findings point into the compose file where the value comes from,
//! and fixes go there (`harden/compose.rs`).
//!
//! Sources: <https://github.com/ory/kratos/blob/v1.3.1/cmd/serve/root.go#L26-L56> (flags as
//! config, `--dev`), <https://docs.docker.com/reference/compose-file/services/> (`command`,
//! `volumes`, `environment`, `env_file`, `ports`).

mod service;

use std::path::{Path, PathBuf};

pub use service::{Command, Port, Service};
pub(crate) use service::{config_flags, split};

use super::node::{FileId, Node, Value};
use super::{ConfigError, Deployment, Source, SourceKind, env, load};

/// File names of a compose project, in the order compose looks for them.
pub const FILE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

/// What a compose deployment keeps for its rules and its fixes.
#[derive(Clone, Debug)]
pub struct Compose {
    /// The compose file's source in the deployment.
    pub file: FileId,
    /// The service, as read.
    pub service: Service,
    /// A Kubernetes container rather than a compose service (`kube.rs`).
    pub kubernetes: bool,
}

/// The compose file at `path` read and parsed (bounded, regular files only).
fn read(path: &Path) -> Result<(String, String, Node), ConfigError> {
    let display = crate::shown::path(path);
    let text = load::read_text(path, &display)?;
    let tree = load::parse(&text, &display)?;
    Ok((display, text, tree))
}

/// The Kratos services of the compose file at `path` that run `kratos serve`.
pub fn services(path: &Path) -> Result<Vec<Service>, ConfigError> {
    let (display, _, tree) = read(path)?;
    Ok(service::kratos_services(&tree, path, &display))
}

/// The service `name` of the compose file at `path`, or its only Kratos service.
pub fn service(path: &Path, name: Option<&str>) -> Result<Service, ConfigError> {
    let (display, _, tree) = read(path)?;
    pick(
        service::kratos_services(&tree, path, &display),
        name,
        &display,
    )
}

fn pick(
    mut found: Vec<Service>,
    name: Option<&str>,
    display: &str,
) -> Result<Service, ConfigError> {
    let unusable = |message: String| ConfigError::Unusable {
        file: display.to_owned(),
        message,
    };
    let names = || {
        found
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match name {
        Some(name) => match found.iter().position(|s| s.name == name) {
            Some(i) => Ok(found.swap_remove(i)),
            None if found.is_empty() => Err(unusable(format!(
                "no service runs `kratos serve`, so there is no `{name}` to read"
            ))),
            None => Err(unusable(format!(
                "no Kratos service `{name}` runs `kratos serve` here; the ones that do: {}",
                names()
            ))),
        },
        None if found.len() == 1 => Ok(found.remove(0)),
        None if found.is_empty() => Err(unusable(
            "no service runs `kratos serve` (an `oryd/kratos` image, or a command running \
             kratos); name the config file with -c instead"
                .to_owned(),
        )),
        None => Err(unusable(format!(
            "several services run `kratos serve` ({}); name one with --service",
            names()
        ))),
    }
}

/// The files a compose deployment is read from and may write: its config files, its env
/// files and the compose file itself.
#[must_use]
pub fn files(service: &Service) -> Vec<PathBuf> {
    let mut files = service.configs.clone();
    files.extend(service.env_files.iter().cloned());
    files.push(service.compose.clone());
    files
}

/// The deployment of `service`: its config files, then its env files, then the compose file
/// (its `environment:` entries and command-line flags).
pub fn load(service: &Service) -> Result<Deployment, ConfigError> {
    if service.configs.is_empty() {
        return Err(ConfigError::Unusable {
            file: service.display.clone(),
            message: format!(
                "service `{}` runs `kratos serve` without `-c`, so this tool has no config \
                 file to read; name it with -c",
                service.name
            ),
        });
    }
    let mut deployment = Deployment::load(&service.configs)?;
    for env_file in &service.env_files {
        deployment.add_env_file(env_file)?;
    }
    let (display, text, _) = read(&service.compose)?;
    deployment.add_compose_text(&service.compose, &display, text, &service.name)?;
    Ok(deployment)
}

/// The variables of the project's `.env` (beside the compose file), which compose uses to
/// fill `${NAME}` in the compose file; empty when there is none or it cannot be read.
fn project_env(compose: &Path) -> std::collections::HashMap<String, String> {
    let path = compose.parent().unwrap_or(Path::new("")).join(".env");
    let Ok(text) = load::read_text(&path, &crate::shown::path(&path)) else {
        return std::collections::HashMap::new();
    };
    let (parsed, _) = env::dotenv::parse_partial(&text);
    parsed
        .in_force()
        .into_iter()
        .map(|(s, _)| (s.name.clone(), s.value.clone()))
        .collect()
}

impl Deployment {
    /// `--dev` on the command line: Kratos reads it as the config key `dev`, placed at `pos`.
    pub(super) fn set_dev(&mut self, pos: super::node::Pos) {
        let node = Node {
            value: Value::Bool(true),
            pos,
        };
        let entry = super::node::Entry {
            key: "dev".to_owned(),
            key_pos: pos,
            node: node.clone(),
        };
        match &mut self.root.value {
            Value::Map(entries) => match entries.iter_mut().find(|e| e.key == "dev") {
                Some(existing) => existing.node = node,
                None => entries.push(entry),
            },
            _ => self.root.value = Value::Map(vec![entry]),
        }
    }

    /// Layers service `name` of compose text `text` (the file at `path`) over the deployment:
    /// its `environment:` entries, `--dev`; the compose file becomes a source.
    pub fn add_compose_text(
        &mut self,
        path: &Path,
        display: &str,
        text: String,
        name: &str,
    ) -> Result<(), ConfigError> {
        let mut tree = load::parse(&text, display)?;
        let id = FileId::try_from(self.sources.len()).unwrap_or(FileId::MAX);
        tree.set_file(id);
        let found = service::kratos_services(&tree, path, display);
        let service = pick(found, Some(name), display)?;
        self.sources.push(Source {
            path: path.to_path_buf(),
            display: display.to_owned(),
            kind: SourceKind::Compose,
            text,
        });
        // Compose fills `${NAME}` from its own environment and the project's `.env` before
        // Kratos sees the value: resolved from `.env` it is read, otherwise it is set where
        // compose runs, which this tool cannot see.
        let project = project_env(path);
        let mut settings = Vec::new();
        for (var, value, pos) in &service.environment {
            let value = if value.contains('$') {
                let known = |name: &str| project.get(name).cloned();
                match env::interpolate::expand(value, &known) {
                    Ok(expanded) if expanded.unresolved.is_empty() => expanded.value,
                    _ => {
                        self.env_notes.push(format!(
                            "{display}:{}: {var} is filled by compose from its own environment \
                             (`$` reference); its value is not known here",
                            pos.line
                        ));
                        continue;
                    }
                }
            } else {
                value.clone()
            };
            settings.extend(env::settings_at(var, &value, *pos));
        }
        for (setting, pos) in &settings {
            if let Some(note) = &setting.note {
                self.env_notes
                    .push(format!("{display}:{}: {note}", pos.line));
            }
        }
        self.keep_shadowed(settings.iter().map(|(s, _)| s.path.as_str()));
        let hidden = env::layer_at(&mut self.root, settings);
        self.hidden.extend(hidden);
        if let Some(pos) = service.dev {
            self.set_dev(pos);
        }
        self.compose = Some(Compose {
            file: id,
            service,
            kubernetes: false,
        });
        Ok(())
    }
}
