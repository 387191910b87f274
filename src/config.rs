//! A Kratos deployment as Kratos sees it: one or more config files layered in `-c` order, plus
//! the identity schemas they name.
//!
//! Owns reading, parsing, layering (kratos-hardening.md §5: maps merge key by key, arrays are
//! replaced whole by the later file) and the Kratos version. It does not judge anything: the
//! rules do.

pub mod compose;
pub mod deployment;
pub mod env;
pub mod helm;
pub mod keys;
pub mod kube;
pub mod load;
pub mod node;
mod provenance;
pub mod schema;

use std::path::{Path, PathBuf};

use node::{FileId, Node, Pos, Value};
pub use provenance::Provenance;
pub use schema::IdentitySchema;

/// Why a configuration could not be loaded. Every message names the file (and line:column
/// where there is one) and says what to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A folder searched for configs could not be listed.
    // The I/O error is part of the message and not a `source`: an error chain (`{:#}`) would
    // print it a second time ("cannot read the file: is a FIFO…: is a FIFO…").
    #[error("{folder}: cannot list the folder: {error}")]
    Folder {
        /// The folder.
        folder: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The file could not be read.
    #[error("{file}: cannot read the file: {error}")]
    Read {
        /// The file as the user named it.
        file: String,
        /// The I/O error (in the message, like `Folder`'s).
        error: std::io::Error,
    },
    /// A directory was given where a file was expected.
    #[error("{file}: is a directory; pass a config file, or use `audit DIR` to search it")]
    IsDirectory {
        /// The path.
        file: String,
    },
    /// The file is larger than [`load::MAX_FILE_BYTES`].
    // Reading stops one byte past the limit, so `bytes` is a lower bound, not the size.
    #[error("{file}: the file is larger than 10 MB; configs over 10 MB are refused")]
    TooLarge {
        /// The file.
        file: String,
        /// Bytes read before stopping (the limit plus one).
        bytes: u64,
    },
    /// A file that is not a config (ignore file, answers file) that cannot be used as one, with
    /// a message about what that file is for.
    #[error("{file}: {message}")]
    Unusable {
        /// The file.
        file: String,
        /// What is wrong and what to change.
        message: String,
    },
    /// The file is not UTF-8.
    #[error("{file}:{line}:{column}: the file is not valid UTF-8; save it as UTF-8")]
    NotUtf8 {
        /// The file.
        file: String,
        /// Line of the first invalid byte.
        line: usize,
        /// Column of the first invalid byte.
        column: usize,
    },
    /// YAML/JSON syntax error (or a duplicate key, or several documents).
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// Line.
        line: u64,
        /// Column.
        column: u64,
        /// What is wrong and what to change.
        message: String,
    },
    /// The document is valid but not a mapping.
    #[error("{file}:1:1: the top level is {found}; a Kratos config is a mapping of settings")]
    NotMapping {
        /// The file.
        file: String,
        /// What was found instead.
        found: String,
    },
    /// Helm values without a Kratos config anywhere the chart reads one.
    #[error(
        "{files}: no Kratos config in these Helm values: neither `kratos.config` nor \
         `<alias>.kratos.config` (an umbrella chart's Kratos subchart) is a mapping; pass the \
         values file that holds it, or add `kratos.config` first"
    )]
    NoHelmConfig {
        /// The values files, comma-separated.
        files: String,
    },
    /// One file named twice in one run (the same path, or two names for one inode).
    #[error(
        "{second}: is the same file as {first}; name each config or env file once (editing one \
         file as two would lose one of the edits). Nothing was read or written"
    )]
    SameFileTwice {
        /// The first name.
        first: String,
        /// The second name.
        second: String,
    },
    /// A `.toml` config.
    #[error(
        "{file}: TOML configs are not supported yet; convert the file to YAML (Kratos reads both)"
    )]
    Toml {
        /// The file.
        file: String,
    },
    /// A worker thread stopped unexpectedly (a bug in kratos-harden, never the input's fault).
    #[error("internal error while auditing {files}; please report it")]
    Internal {
        /// The files the worker was auditing.
        files: String,
    },
    /// An extension Kratos does not read.
    #[error("{file}: Kratos reads only .yml, .yaml, .json and .toml config files; rename the file")]
    Extension {
        /// The file.
        file: String,
    },
}

/// What a source file is to the deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A Kratos config file (`-c`).
    Config,
    /// An identity schema named in `identity.schemas[].url`.
    IdentitySchema,
    /// A dotenv file whose variables override the config (`--env-file`).
    EnvFile,
    /// The process environment (`--use-env`); its text lists the variable names used, one per
    /// line, never their values.
    Environment,
    /// A Helm values file (`--helm-values`); the config is under `kratos.config`.
    HelmValues,
    /// What the Helm chart supplies itself (secrets it generates); no text.
    Chart,
    /// A docker compose file: a Kratos service's command line and `environment:` entries.
    Compose,
    /// A Kubernetes manifest: a Kratos container's command line and `env`.
    Manifest,
    /// A Kratos config inside a manifest's `ConfigMap` (`data:` entry), placed at its lines there.
    Embedded,
}

/// Reads and checks the files `(path, display)` (extension, size, encoding).
fn read_all(paths: Vec<(PathBuf, String)>) -> Result<Vec<(PathBuf, String, String)>, ConfigError> {
    let mut files = Vec::with_capacity(paths.len());
    for (path, display) in paths {
        let format = load::format_of(&path, &display)?;
        let text = load::read_text(&path, &display)?;
        if format == load::Format::Json {
            load::check_json(&text, &display)?;
        }
        files.push((path, display, text));
    }
    Ok(files)
}

/// Parses `files` as sources of `kind` and merges their trees in order (later files win key by
/// key, arrays replaced whole); each node remembers its file.
fn layer_files(
    files: Vec<(PathBuf, String, String)>,
    kind: SourceKind,
) -> Result<Layered, ConfigError> {
    layer_parsed(files.into_iter().map(|f| (f, None)).collect(), kind)
}

/// [`layer_files`] with some files' trees already parsed from their text.
fn layer_parsed(
    files: Vec<((PathBuf, String, String), Option<Node>)>,
    kind: SourceKind,
) -> Result<Layered, ConfigError> {
    let mut sources = Vec::with_capacity(files.len() + 1);
    let mut root: Option<Node> = None;
    let mut shadowed = Vec::new();
    let last = files.len().saturating_sub(1);
    for (index, ((path, display, text), parsed)) in files.into_iter().enumerate() {
        let mut tree = match parsed {
            Some(tree) => tree,
            None => load::parse(&text, &display)?,
        };
        let id = FileId::try_from(index).unwrap_or(FileId::MAX);
        if id != 0 {
            tree.set_file(id);
        }
        // A later file may replace any of these; the replaced ones stay in this file's text.
        if index < last {
            shadowed.extend(replaceable_secrets(&tree, kind));
        }
        sources.push(Source {
            path,
            display,
            kind,
            text,
        });
        root = Some(match root {
            None => tree,
            Some(mut base) => {
                merge(&mut base, tree);
                base
            }
        });
    }
    Ok(Layered {
        sources,
        root: root.unwrap_or_else(|| Node::new(Value::Map(Vec::new()))),
        shadowed,
    })
}

/// The secret-holding strings of one file's tree at their config path (for Helm values, the
/// path below `kratos.config`).
fn replaceable_secrets(tree: &Node, kind: SourceKind) -> Vec<(String, Node)> {
    if kind != SourceKind::HelmValues {
        let found = crate::mask::secret_nodes(tree, "");
        return found.into_iter().map(|(p, n)| (p, n.clone())).collect();
    }
    let mut found = Vec::new();
    for (path, node) in tree.find_strings(&|_| true) {
        let path = match kind {
            SourceKind::HelmValues => match path.split_once("kratos.config.") {
                Some((_, inner)) => inner.to_owned(),
                None => continue,
            },
            _ => path,
        };
        if node
            .as_str()
            .and_then(|v| crate::mask::held(&path, v))
            .is_some()
        {
            found.push((path, node.clone()));
        }
    }
    found
}

/// Files parsed and merged: the sources, the effective tree, and the secrets a later file
/// replaced.
pub(crate) struct Layered {
    pub(crate) sources: Vec<Source>,
    pub(crate) root: Node,
    pub(crate) shadowed: Vec<(String, Node)>,
}

impl Layered {
    fn deployment(self) -> Deployment {
        let mut deployment = Deployment::assemble(self.sources, self.root);
        deployment.shadowed = self.shadowed;
        deployment
    }
}

/// A deployment's name: its config (or Helm values) files joined with ` + `.
#[must_use]
pub fn label(sources: &[Source]) -> String {
    sources
        .iter()
        .filter(|s| matches!(s.kind, SourceKind::Config | SourceKind::HelmValues))
        .map(|s| s.display.as_str())
        .chain(
            // A manifest's config is inside it: the manifest names the deployment.
            sources
                .iter()
                .filter(|s| s.kind == SourceKind::Manifest)
                .map(|s| s.display.as_str()),
        )
        .collect::<Vec<_>>()
        .join(" + ")
}

/// One file that contributed to the deployment.
#[derive(Clone, Debug)]
pub struct Source {
    /// The path on disk (for the demo, a virtual path).
    pub path: PathBuf,
    /// The path as shown to the user.
    pub display: String,
    /// Config or identity schema.
    pub kind: SourceKind,
    /// The text as read (fixes are spliced into it; a write checks the file still holds it).
    pub text: String,
}

/// The Kratos release line the rules target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum KratosVersion {
    /// v1.x (v1.3.1 is the reference), also used for v0.x configs.
    #[serde(rename = "v1")]
    V1,
    /// The calendar-versioned releases (v25.x, v26.x and later).
    #[serde(rename = "v26")]
    V26,
}

impl KratosVersion {
    /// Reads the `version:` key (`v1.3.1`, `v26.2.0`); `None` when it says nothing usable.
    #[must_use]
    pub fn from_version_key(text: &str) -> Option<Self> {
        let major: u32 = text
            .trim()
            .trim_start_matches('v')
            .split('.')
            .next()?
            .parse()
            .ok()?;
        Some(if major >= 25 { Self::V26 } else { Self::V1 })
    }
}

/// A loaded deployment: the merged tree with positions into every file.
#[derive(Clone, Debug)]
pub struct Deployment {
    /// Config files in `-c` order, then identity schema files.
    pub sources: Vec<Source>,
    /// The effective (merged) configuration.
    pub root: Node,
    /// The identity schemas named by the config.
    pub schemas: Vec<IdentitySchema>,
    /// The Kratos version from the `version:` key, if it says one.
    pub declared_version: Option<KratosVersion>,
    /// Values written in a file that an environment variable replaced.
    pub hidden: Vec<env::Hidden>,
    /// Secret-holding strings written in a file but replaced by a later layer (an env
    /// variable, a later `-c` file), at their path: still shown in diffs, so still masked.
    pub shadowed: Vec<(String, Node)>,
    /// What a Helm chart adds (empty for plain configs).
    pub chart: helm::Chart,
    /// The compose service this deployment is, when read from a compose file.
    pub compose: Option<compose::Compose>,
    /// The process environment's Kratos variables, when layered (kept for re-reading the
    /// deployment after a fix; never shown).
    pub environment: Environment,
    /// The files are templates rendered before Kratos reads them (`--template`): `${VAR}`
    /// values are set elsewhere, not literal text.
    pub template: bool,
    /// Variables whose text Kratos reads differently (`file:line: NAME is not a boolean…`).
    pub env_notes: Vec<String>,
}

/// Kratos variables of the process environment. `Debug` shows the names only.
#[derive(Clone, Default)]
pub struct Environment(pub Vec<(String, String)>);

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

impl Deployment {
    /// Loads config files from disk, layering them in order (later files win key by key).
    pub fn load(paths: &[PathBuf]) -> Result<Self, ConfigError> {
        Self::load_named(
            paths
                .iter()
                .map(|p| (p.clone(), crate::shown::path(p)))
                .collect(),
        )
    }

    /// Like [`Deployment::load`], with the name each file is shown under.
    pub fn load_named(paths: Vec<(PathBuf, String)>) -> Result<Self, ConfigError> {
        Self::from_texts(read_all(paths)?)
    }

    /// Builds a deployment from in-memory texts: `(path, display name, text)` in `-c` order.
    /// Relative `file://` schema URLs resolve against each path's folder.
    pub fn from_texts(files: Vec<(PathBuf, String, String)>) -> Result<Self, ConfigError> {
        Ok(layer_files(files, SourceKind::Config)?.deployment())
    }

    /// [`Self::from_texts`] where some texts come with the tree [`load::parse`] made of them
    /// (a patch's verification), which is then not parsed again.
    pub(crate) fn from_parsed_texts(
        files: Vec<((PathBuf, String, String), Option<Node>)>,
    ) -> Result<Self, ConfigError> {
        Ok(layer_parsed(files, SourceKind::Config)?.deployment())
    }

    /// The deployment of an effective tree: version key read, identity schemas loaded.
    pub(crate) fn assemble(sources: Vec<Source>, root: Node) -> Self {
        let declared_version = root
            .get("version")
            .and_then(Node::as_str)
            .and_then(KratosVersion::from_version_key);
        let mut deployment = Self {
            sources,
            root,
            schemas: Vec::new(),
            declared_version,
            hidden: Vec::new(),
            shadowed: Vec::new(),
            chart: helm::Chart::default(),
            compose: None,
            environment: Environment::default(),
            env_notes: Vec::new(),
            template: false,
        };
        deployment.schemas = schema::load_all(&mut deployment);
        deployment
    }

    /// True when a config file is really the Ory Helm chart's `values.yaml` (the Kratos
    /// config sits under `kratos.config` and the root has none of Kratos's own keys).
    #[must_use]
    pub fn looks_like_helm_values(&self) -> bool {
        const KRATOS_KEYS: &[&str] = &[
            "dsn",
            "serve",
            "selfservice",
            "secrets",
            "identity",
            "session",
        ];
        self.root.get("kratos.config").is_some()
            && !KRATOS_KEYS.iter().any(|k| self.root.get(k).is_some())
    }

    /// Layers a dotenv file over the config, as Kratos layers environment variables.
    pub fn add_env_file(&mut self, path: &Path) -> Result<(), ConfigError> {
        let display = crate::shown::path(path);
        let text = load::read_text(path, &display)?;
        // A line compose refuses stops the run with its position, as a broken config does.
        env::check(&text, &display)?;
        self.add_env_text(path, display, text);
        Ok(())
    }

    /// Layers the Kratos variables among `vars` (the process environment) over the config.
    pub fn add_environment(&mut self, vars: &[(String, String)]) {
        let used: Vec<(String, String)> = vars
            .iter()
            .filter(|(name, _)| env::is_known(name))
            .cloned()
            .collect();
        let mut text = String::new();
        for (name, _) in &used {
            text.push_str(name);
            text.push('\n');
        }
        self.environment.0.clone_from(&used);
        let id = FileId::try_from(self.sources.len()).unwrap_or(FileId::MAX);
        self.sources.push(Source {
            path: PathBuf::from("environment"),
            display: "environment".to_owned(),
            kind: SourceKind::Environment,
            text,
        });
        let settings = env::from_vars(&used);
        self.note_casts("environment", &settings);
        self.keep_shadowed(settings.iter().map(|s| s.path.as_str()));
        let hidden = env::layer(&mut self.root, settings, id);
        self.hidden.extend(hidden);
    }

    /// Share of the string values written as `${…}`, and how many there are: most values of a
    /// file rendered by envsubst or Terraform look like that.
    #[must_use]
    pub fn template_share(&self) -> (usize, usize) {
        fn walk(node: &Node, total: &mut usize, refs: &mut usize) {
            if let Some(s) = node.as_str() {
                *total += 1;
                if s.contains("${") {
                    *refs += 1;
                }
            }
            node.items().iter().for_each(|n| walk(n, total, refs));
            node.entries()
                .iter()
                .for_each(|e| walk(&e.node, total, refs));
        }
        let (mut total, mut refs) = (0, 0);
        walk(&self.root, &mut total, &mut refs);
        (refs, total)
    }

    /// Keeps the notes of settings whose text Kratos casts to something else.
    fn note_casts(&mut self, display: &str, settings: &[env::Setting]) {
        for setting in settings {
            if let Some(note) = &setting.note {
                self.env_notes
                    .push(format!("{display}:{}: {note}", setting.line));
            }
        }
    }

    /// Keeps the secrets `settings` are about to replace (see [`Deployment::shadowed`]).
    fn keep_shadowed<'p>(&mut self, paths: impl IntoIterator<Item = &'p str>) {
        for path in paths {
            if let Some(node) = self.root.get(path) {
                let found = crate::mask::secret_nodes(node, path);
                self.shadowed
                    .extend(found.into_iter().map(|(p, n)| (p, n.clone())));
            }
        }
    }

    /// Layers dotenv text already in memory (`path` and `display` name where it comes from).
    pub fn add_env_text(&mut self, path: &Path, display: String, text: String) {
        let settings = env::parse(&text);
        self.note_casts(&display, &settings);
        self.keep_shadowed(settings.iter().map(|s| s.path.as_str()));
        let id = FileId::try_from(self.sources.len()).unwrap_or(FileId::MAX);
        self.sources.push(Source {
            path: path.to_path_buf(),
            display,
            kind: SourceKind::EnvFile,
            text,
        });
        let hidden = env::layer(&mut self.root, settings, id);
        self.hidden.extend(hidden);
    }

    /// Where a value at `pos` comes from, for reports.
    #[must_use]
    pub fn provenance(&self, pos: Option<Pos>, file: FileId) -> Provenance<'_> {
        let source = self.source(pos.map_or(file, |p| p.file));
        Provenance::new(source, pos)
    }

    /// True when `node` was written in a config or Helm values file (committed text, not an
    /// env file, the environment or the chart's own Secret).
    #[must_use]
    pub fn in_config_file(&self, node: &Node) -> bool {
        matches!(
            self.source(node.pos.file).kind,
            SourceKind::Config | SourceKind::HelmValues | SourceKind::Embedded
        )
    }

    /// The source a position points into.
    #[must_use]
    pub fn source(&self, file: FileId) -> &Source {
        let index = usize::from(file).min(self.sources.len().saturating_sub(1));
        &self.sources[index]
    }

    /// The folder a config file lives in (for relative `file://` URLs).
    #[must_use]
    pub fn folder_of(&self, file: FileId) -> &Path {
        self.source(file).path.parent().unwrap_or(Path::new("."))
    }
}

/// Layers `over` onto `base` as Kratos does: mappings merge key by key, everything else (arrays
/// included) is replaced whole.
pub fn merge(base: &mut Node, over: Node) {
    match (&mut base.value, over.value) {
        (Value::Map(base_entries), Value::Map(over_entries)) => {
            for entry in over_entries {
                if let Some(existing) = base_entries.iter_mut().find(|e| e.key == entry.key) {
                    existing.key_pos = entry.key_pos;
                    merge(&mut existing.node, entry.node);
                } else {
                    base_entries.push(entry);
                }
            }
        }
        (_, value) => {
            base.value = value;
            base.pos = over.pos;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(files: &[(&str, &str)]) -> Deployment {
        Deployment::from_texts(
            files
                .iter()
                .map(|(name, text)| (PathBuf::from(name), (*name).to_owned(), (*text).to_owned()))
                .collect(),
        )
        .expect("loads")
    }

    #[test]
    fn later_files_win_key_by_key_and_arrays_are_replaced() {
        let d = deployment(&[
            (
                "a.yml",
                "log:\n  level: debug\n  format: json\nsecrets:\n  cookie: [a, b]\n",
            ),
            ("b.yml", "log:\n  level: info\nsecrets:\n  cookie: [c]\n"),
        ]);
        assert_eq!(d.root.get("log.level").and_then(Node::as_str), Some("info"));
        assert_eq!(d.root.get("log.level").map(|n| n.pos.file), Some(1));
        assert_eq!(d.root.get("log.format").map(|n| n.pos.file), Some(0));
        assert_eq!(
            d.root.get("secrets.cookie").map(|n| n.items().len()),
            Some(1)
        );
    }

    #[test]
    fn version_key_selects_release_line() {
        assert_eq!(
            KratosVersion::from_version_key("v1.3.1"),
            Some(KratosVersion::V1)
        );
        assert_eq!(
            KratosVersion::from_version_key("v0.7.1-alpha.1"),
            Some(KratosVersion::V1)
        );
        assert_eq!(
            KratosVersion::from_version_key("v26.2.0"),
            Some(KratosVersion::V26)
        );
        assert_eq!(KratosVersion::from_version_key("latest"), None);
        let d = deployment(&[("a.yml", "version: v26.2.0\n")]);
        assert_eq!(d.declared_version, Some(KratosVersion::V26));
    }
}
