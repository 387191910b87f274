//! Where an effective value comes from, as reports show it: a file position, a variable in an
//! env file, or a variable of the process environment.

use std::fmt::Write as _;

use super::node::Pos;
use super::{Source, SourceKind};

/// Where an effective value comes from: a file position, or an environment variable (from an
/// env file line or the process environment).
#[derive(Clone, Copy, Debug)]
pub struct Provenance<'a> {
    /// The source holding the value.
    pub source: &'a Source,
    /// Line and column, when the key exists.
    pub pos: Option<Pos>,
    /// The variable that set it, for env sources.
    pub variable: Option<&'a str>,
    /// The file value this one replaced (an env variable over a config key).
    pub overrides: Option<(&'a Source, Pos)>,
}

impl<'a> Provenance<'a> {
    /// The provenance of a value at `pos` in `source`.
    #[must_use]
    pub fn new(source: &'a Source, pos: Option<Pos>) -> Self {
        let variable = match source.kind {
            SourceKind::EnvFile | SourceKind::Environment => pos.and_then(|p| {
                let line = source
                    .text
                    .lines()
                    .nth(usize::try_from(p.line).ok()?.checked_sub(1)?)?;
                let line = line.trim();
                let line = line.strip_prefix("export ").unwrap_or(line);
                Some(line.split_once('=').map_or(line, |(name, _)| name).trim())
            }),
            // An `environment:` entry (`NAME: value`, `- NAME=value`), a ConfigMap or Secret
            // entry, or a container's `- name: NAME` / `value: …` pair.
            SourceKind::Compose | SourceKind::Manifest => pos.and_then(|p| {
                let index = usize::try_from(p.line).ok()?.checked_sub(1)?;
                let mut lines = source.text.lines().skip(index.saturating_sub(1));
                let before = if index > 0 { lines.next() } else { None };
                let line = lines.next()?.trim().trim_start_matches("- ");
                let line = if line.starts_with("value:") {
                    before?
                        .trim()
                        .trim_start_matches("- ")
                        .strip_prefix("name:")?
                        .trim()
                } else {
                    line
                };
                let line = line.trim_start_matches(['"', '\'']);
                let name = line.split([':', '=', '"', '\'']).next()?.trim();
                let variable = name
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_uppercase() || b == b'_')
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
                variable.then_some(name)
            }),
            SourceKind::Config
            | SourceKind::IdentitySchema
            | SourceKind::HelmValues
            | SourceKind::Chart
            | SourceKind::Embedded => None,
        };
        Self {
            source,
            pos,
            variable,
            overrides: None,
        }
    }

    /// `kind` as reports name it. A key missing from a config is `default` (Kratos's default
    /// is in force) or, for `secrets.*`, `fallback` (Kratos falls back to another secret or to
    /// a random one per process).
    #[must_use]
    pub fn kind_at(&self, path: &str) -> &'static str {
        match (self.pos, self.source.kind) {
            (None, SourceKind::Config | SourceKind::HelmValues) if path.starts_with("secrets.") => {
                "fallback"
            }
            (None, SourceKind::Config | SourceKind::HelmValues) => "default",
            _ => self.source.kind.as_str(),
        }
    }

    /// For text output: `kratos.yml:12:5`, `env SECRETS_COOKIE (from .env:3)`,
    /// `env SECRETS_COOKIE`, or `kratos.yml (missing key)`.
    #[must_use]
    pub fn describe(&self) -> String {
        let file = &self.source.display;
        let mut text = match (self.variable, self.source.kind, self.pos) {
            (_, SourceKind::Chart, _) => {
                "Helm chart: its generated Secret, or the operator's".to_owned()
            }
            (Some(var), SourceKind::Environment, _) => format!("env {var}"),
            (Some(var), _, Some(p)) => format!("env {var} (from {file}:{})", p.line),
            (_, _, Some(p)) => format!("{file}:{}:{}", p.line, p.column),
            (_, SourceKind::HelmValues, None) => format!("{file} (missing under kratos.config)"),
            (_, _, None) => format!("{file} (missing key)"),
        };
        if let Some((source, p)) = self.overrides {
            let _ = write!(
                text,
                " [overrides {}:{}:{}]",
                source.display, p.line, p.column
            );
        }
        text
    }
}

impl SourceKind {
    /// False for sources that are not a file one can open (the process environment, the chart).
    #[must_use]
    pub fn has_file(self) -> bool {
        !matches!(self, SourceKind::Environment | SourceKind::Chart)
    }

    /// The name people read: `config`, `identity schema`, `env file`, …
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Config => "config",
            SourceKind::IdentitySchema => "identity schema",
            SourceKind::EnvFile => "env file",
            SourceKind::Environment => "environment",
            SourceKind::HelmValues => "Helm values",
            SourceKind::Chart => "Helm chart",
            SourceKind::Compose => "compose file",
            SourceKind::Manifest => "Kubernetes manifest",
            SourceKind::Embedded => "ConfigMap config",
        }
    }

    /// The name reports use: `config`, `identity-schema`, `env-file`, `env`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Config => "config",
            SourceKind::IdentitySchema => "identity-schema",
            SourceKind::EnvFile => "env-file",
            SourceKind::Environment => "env",
            SourceKind::HelmValues => "helm",
            SourceKind::Chart => "default",
            SourceKind::Compose => "compose",
            SourceKind::Manifest => "manifest",
            SourceKind::Embedded => "configmap",
        }
    }
}
