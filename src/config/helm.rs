//! The Ory Helm chart's `values.yaml` as a deployment (`audit --helm-values`): the Kratos config
//! is `kratos.config`, and the chart adds what a plain config would not show.
//!
//! What the chart does with the values (ory/k8s `helm/charts/kratos`, chart 0.62 as in the corpus
//! file 08; read from its `values.yaml` comments and templates, not run here):
//! - `secret.enabled` (default true) creates a Secret holding `dsn`, `secretsDefault`,
//!   `secretsCookie`, `secretsCipher` and `smtpConnectionURI` and injects them as `DSN`,
//!   `SECRETS_*` and `COURIER_SMTP_CONNECTION_URI`. A secret left empty in
//!   `kratos.config.secrets` is filled with `randAlphaNum 32` (templates/secrets.yaml), with no
//!   `lookup` of the Secret already there. The default annotations make the Secret a
//!   `pre-install, pre-upgrade` hook with `before-hook-creation` (values.yaml L106-112), so every
//!   `helm upgrade` generates all of them anew (KH213); only a hook without `pre-upgrade` keeps
//!   them. They are stood in as set (so the "missing" rules stay quiet) and listed in
//!   [`Chart::regenerated`]. With `secret.enabled: false` the pods read a Secret the operator
//!   made (`secret.nameOverride`), whose values this tool cannot see: they are taken as set.
//! - An umbrella chart nests the Kratos chart under its alias: `<alias>.kratos.config`.
//! - `kratos.development: true` runs Kratos with `--dev`.
//! - `deployment.extraEnv` entries with a literal `value` are environment variables of the pod.
//! - `cleanup.enabled: true` schedules `kratos cleanup sql` as a `CronJob`.

use std::path::PathBuf;

use super::node::{FileId, Node, Pos, Value};
use super::{ConfigError, Deployment, Source, SourceKind, env, layer_files, read_all};
use crate::secret::{Kind, OsSecrets, Secret};

/// The secrets the chart generates when they are left empty.
const GENERATED: &[&str] = &["default", "cookie", "cipher"];

/// What the chart adds beyond `kratos.config`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chart {
    /// True when the deployment was read from Helm values.
    pub helm: bool,
    /// Where the Kratos config sits in the values (`kratos.config`, or
    /// `<alias>.kratos.config` under an umbrella chart); fixes are written there.
    pub config_path: String,
    /// `cleanup.enabled: true`: the chart's `CronJob` runs `kratos cleanup sql`.
    pub cleanup_scheduled: bool,
    /// Secrets (`default`, `cookie`, `cipher`) the chart generates anew at every upgrade.
    pub regenerated: Vec<&'static str>,
}

impl Deployment {
    /// Reads Helm values files from disk; see [`Deployment::from_helm_values`].
    pub fn load_helm_values(paths: Vec<(PathBuf, String)>) -> Result<Self, ConfigError> {
        Self::from_helm_values(read_all(paths)?)
    }

    /// A deployment from Helm values files (`(path, display, text)`, later files win as with
    /// `helm -f a.yaml -f b.yaml`): `kratos.config` as the config, plus the chart's own
    /// secret handling, `--dev`, extra env and cleanup job.
    pub fn from_helm_values(files: Vec<(PathBuf, String, String)>) -> Result<Self, ConfigError> {
        let names = files
            .iter()
            .map(|(_, display, _)| display.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let layered = layer_files(files, SourceKind::HelmValues)?;
        let (mut sources, values, shadowed) = (layered.sources, layered.root, layered.shadowed);
        let Some((config_path, config)) = kratos_config(&values) else {
            return Err(ConfigError::NoHelmConfig { files: names });
        };
        let mut root = config.clone();
        let chart_id = FileId::try_from(sources.len()).unwrap_or(FileId::MAX);
        sources.push(Source {
            path: PathBuf::from("helm-chart"),
            display: "Helm chart".to_owned(),
            kind: SourceKind::Chart,
            text: String::new(),
        });
        // Stood in either way: with `secret.enabled: false` the operator's Secret supplies them.
        let mut generated = generated_secrets(&mut root, chart_id);
        if values.get("secret.enabled").and_then(Node::as_bool) == Some(false) {
            generated.clear();
        }
        if let Some(dev) = values
            .get("kratos.development")
            .filter(|n| n.as_bool() == Some(true))
        {
            set(
                &mut root,
                "dev",
                Node {
                    value: Value::Bool(true),
                    pos: dev.pos,
                },
            );
        }
        let mut deployment = Self::assemble(sources, root);
        deployment.shadowed = shadowed;
        deployment.chart = Chart {
            helm: true,
            regenerated: if hook_keeps_secret(&values) {
                Vec::new()
            } else {
                generated
            },
            config_path,
            cleanup_scheduled: values.get("cleanup.enabled").and_then(Node::as_bool) == Some(true),
        };
        extra_env(&values, &mut deployment);
        Ok(deployment)
    }
}

/// The Kratos config in the values: `kratos.config`, else one umbrella level deeper
/// (`<alias>.kratos.config`), with the path it was found at.
fn kratos_config(values: &Node) -> Option<(String, &Node)> {
    let is_map = |n: &&Node| matches!(n.value, Value::Map(_));
    if let Some(config) = values.get("kratos.config").filter(is_map) {
        return Some(("kratos.config".to_owned(), config));
    }
    values.entries().iter().find_map(|e| {
        let config = e.node.get("kratos.config").filter(is_map)?;
        // Keys with dots cannot be addressed by a dotted path: such an alias is not followed.
        (!e.key.contains('.')).then(|| (format!("{}.kratos.config", e.key), config))
    })
}

/// True when the chart's Secret is created once and kept: a `helm.sh/hook` annotation that
/// names `pre-install` but not `pre-upgrade`. The chart's default is both (regenerated on every
/// upgrade); no hook at all makes the Secret a release resource, rendered anew on every
/// upgrade too. With `enableDefaultAnnotations` (default true) the hook comes from
/// `secretAnnotations`, which values merge into the chart's default; otherwise from
/// `extraAnnotations`.
fn hook_keeps_secret(values: &Node) -> bool {
    let defaults = values
        .get("secret.enableDefaultAnnotations")
        .and_then(Node::as_bool)
        != Some(false);
    let source = if defaults {
        "secret.secretAnnotations"
    } else {
        "secret.extraAnnotations"
    };
    let hook = values
        .get(source)
        .and_then(|a| a.entry("helm.sh/hook"))
        .map(|e| e.node.as_str().map(str::to_owned));
    let hook = match hook {
        Some(set) => set.unwrap_or_default(),
        None if defaults => "pre-install, pre-upgrade".to_owned(),
        None => String::new(),
    };
    let names: Vec<&str> = hook.split(',').map(str::trim).collect();
    names.contains(&"pre-install") && !names.contains(&"pre-upgrade")
}

/// Secrets the chart's Secret supplies although `kratos.config.secrets` leaves them empty: a
/// stand-in value from the chart source, so "missing secret" rules see what the pods get.
/// Returns the names stood in.
fn generated_secrets(root: &mut Node, chart: FileId) -> Vec<&'static str> {
    let mut generated = Vec::new();
    for name in GENERATED {
        let path = format!("secrets.{name}");
        let empty = root
            .get(&path)
            .is_none_or(|n| n.items().is_empty() && n.as_str().is_none_or(str::is_empty));
        if !empty {
            continue;
        }
        // The stand-in: 32 random characters, like the chart's (or an operator's Secret we
        // cannot read); never shown, and findings on it name the chart. If the OS cannot give
        // randomness, the secret is left missing and reported, which errs on the safe side.
        let Ok(stand_in) = Secret::generate(Kind::Cipher, &mut OsSecrets) else {
            continue;
        };
        let stand_in = stand_in.expose();
        let pos = Pos {
            file: chart,
            line: 0,
            column: 0,
        };
        let item = Node {
            value: Value::Str(stand_in.to_owned()),
            pos,
        };
        set(
            root,
            &path,
            Node {
                value: Value::Seq(vec![item]),
                pos,
            },
        );
        generated.push(*name);
    }
    generated
}

/// `deployment.extraEnv` entries `{name, value}` (literal values only; `valueFrom` cannot be
/// read here) layered as environment variables, positioned at the entry in the values file.
fn extra_env(values: &Node, deployment: &mut Deployment) {
    let Some(list) = values.get("deployment.extraEnv") else {
        return;
    };
    let mut settings = Vec::new();
    for entry in list.items() {
        let (Some(name), Some(value)) =
            (entry.get("name").and_then(Node::as_str), entry.get("value"))
        else {
            continue;
        };
        let text = match &value.value {
            Value::Str(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            _ => continue,
        };
        settings.extend(env::settings_at(name, &text, value.pos));
    }
    for (setting, pos) in &settings {
        if let Some(note) = &setting.note {
            let file = &deployment.source(pos.file).display;
            deployment
                .env_notes
                .push(format!("{file}:{}: {note}", pos.line));
        }
    }
    let hidden = env::layer_at(&mut deployment.root, settings);
    deployment.hidden.extend(hidden);
}

/// Sets `path` (mapping keys only) to `node`, creating the mappings on the way.
fn set(root: &mut Node, path: &str, node: Node) {
    let mut current = root;
    for key in path.split('.') {
        if !matches!(current.value, Value::Map(_)) {
            current.value = Value::Map(Vec::new());
        }
        let Value::Map(entries) = &mut current.value else {
            return;
        };
        let at = if let Some(i) = entries.iter().position(|e| e.key == key) {
            i
        } else {
            entries.push(super::node::Entry {
                key: key.to_owned(),
                key_pos: node.pos,
                node: Node {
                    value: Value::Null,
                    pos: node.pos,
                },
            });
            entries.len() - 1
        };
        current = &mut entries[at].node;
    }
    *current = node;
}
