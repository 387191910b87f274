//! Kubernetes manifests: a workload (`Deployment`, `StatefulSet`, `DaemonSet`, `Pod`, `Job`,
//! `CronJob`) with a container running `kratos serve` is a deployment. Its `command`/`args`
//! give the `-c` files and `--dev`; a `-c` file mounted from a `ConfigMap` is read from the
//! `ConfigMap`'s `data:` entry in the same file, positions placed at its lines in the manifest;
//! `env` literals are layered at their `value:`, `valueFrom` entries are named as set
//! elsewhere, `envFrom` `ConfigMaps` and Secrets in the same file are layered too. Multi-document
//! files (`---`) are read whole; documents that are not Kratos are skipped.
//!
//! Fixes are not written into manifests yet: every finding placed in one is left to the
//! operator, naming the file (`harden/compose.rs` refuses them).
//!
//! Sources: <https://kubernetes.io/docs/concepts/configuration/configmap/#using-configmaps-as-files-from-a-pod>,
//! <https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/>.

use std::path::Path;

use base64::Engine as _;

use super::compose::{Command, Compose, Service};
use super::node::{FileId, Node, Pos, Value};
use super::{ConfigError, Deployment, Source, SourceKind, env, load};

/// The pod spec's path in each workload kind.
fn pod_spec(doc: &Node) -> Option<&Node> {
    match doc.get("kind")?.as_str()? {
        "Pod" => doc.get("spec"),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => {
            doc.get("spec.template.spec")
        }
        "CronJob" => doc.get("spec.jobTemplate.spec.template.spec"),
        _ => None,
    }
}

/// A Kratos container of a manifest file, with the documents it refers to.
struct Found<'a> {
    workload: String,
    container: &'a Node,
    spec: &'a Node,
}

/// The `workload/container` names of the containers running `kratos serve` in the manifest at
/// `path` (empty for a file that is not such a manifest).
pub fn kratos_containers(path: &Path) -> Result<Vec<String>, ConfigError> {
    let display = crate::shown::path(path);
    let text = load::read_text(path, &display)?;
    let docs = load::parse_documents(&text, &display)?;
    Ok(containers(&docs).into_iter().map(|f| f.workload).collect())
}

/// The deployment of the Kratos container of the manifest at `path` (`container` names it when
/// the file has several).
pub fn load(path: &Path, container: Option<&str>) -> Result<Deployment, ConfigError> {
    let display = crate::shown::path(path);
    let text = load::read_text(path, &display)?;
    let docs = load::parse_documents(&text, &display)?;
    let unusable = |message: String| ConfigError::Unusable {
        file: display.clone(),
        message,
    };
    let found = containers(&docs);
    let pick = pick(&found, container).map_err(unusable)?;
    let one = &found[pick];
    let words = words(one.container);
    let configs = config_texts(&words, one, &docs, &text, &display)?;
    if configs.is_empty() {
        return Err(unusable(format!(
            "`{}` runs `kratos serve` with no `-c` file read from a ConfigMap in this file; name \
             the config file with -c",
            one.workload
        )));
    }
    let mut deployment = Deployment::from_parsed_texts(configs)?;
    for source in &mut deployment.sources {
        if source.kind == SourceKind::Config {
            source.kind = SourceKind::Embedded;
        }
    }
    let id = FileId::try_from(deployment.sources.len()).unwrap_or(FileId::MAX);
    deployment.sources.push(Source {
        path: path.to_path_buf(),
        display: display.clone(),
        kind: SourceKind::Manifest,
        text: text.clone(),
    });
    let mut container = one.container.clone();
    container.set_file(id);
    let (environment, notes, from_secret) = environment(&container, &docs, id, &display);
    deployment.env_notes.extend(notes);
    let mut settings = Vec::new();
    for (var, value, pos) in &environment {
        settings.extend(env::settings_at(var, value, *pos));
    }
    deployment.keep_shadowed(settings.iter().map(|(s, _)| s.path.as_str()));
    let hidden = env::layer_at(&mut deployment.root, settings);
    deployment.hidden.extend(hidden);
    let dev = dev_position(&container, &words);
    if let Some(pos) = dev {
        deployment.set_dev(pos);
    }
    let service = Service {
        name: one.workload.clone(),
        compose: path.to_path_buf(),
        display,
        image: container
            .get("image")
            .and_then(|n| n.as_str().map(|s| (s.to_owned(), n.pos))),
        command: Some(Command {
            path: String::new(),
            words,
            list: true,
        }),
        configs: Vec::new(),
        env_files: Vec::new(),
        environment,
        environment_paths: Vec::new(),
        ports: Vec::new(),
        dev,
        command_text: None,
        from_secret,
    };
    deployment.compose = Some(Compose {
        file: id,
        service,
        kubernetes: true,
    });
    Ok(deployment)
}

/// Every container of `docs` that runs `kratos serve`, with its workload.
fn containers(docs: &[Node]) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    for doc in docs {
        let Some(spec) = pod_spec(doc) else { continue };
        let workload = doc
            .get("metadata.name")
            .and_then(Node::as_str)
            .unwrap_or("?");
        for c in spec.get("containers").map(Node::items).unwrap_or_default() {
            if runs_kratos_serve(c) {
                let name = c.get("name").and_then(Node::as_str).unwrap_or("?");
                found.push(Found {
                    workload: format!("{workload}/{name}"),
                    container: c,
                    spec,
                });
            }
        }
    }
    found
}

/// The index of the container `name` names (`workload/container` or `container`), or the
/// only one; otherwise what to say.
fn pick(found: &[Found<'_>], name: Option<&str>) -> Result<usize, String> {
    let names = found
        .iter()
        .map(|f| f.workload.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    match name {
        Some(name) => found
            .iter()
            .position(|f| f.workload == name || f.workload.ends_with(&format!("/{name}")))
            .ok_or_else(|| {
                format!("no container `{name}` runs `kratos serve` (those that do: {names})")
            }),
        None if found.len() == 1 => Ok(0),
        None if found.is_empty() => {
            Err("no workload here has a container running `kratos serve`".to_owned())
        }
        None => Err(format!(
            "several containers run `kratos serve` ({names}); name one with --service"
        )),
    }
}

/// The container's command line: `command` (or the image's `kratos`) then `args` (or the
/// image's `serve`).
fn words(container: &Node) -> Vec<String> {
    let list = |key: &str| -> Option<Vec<String>> {
        container.get(key).map(|n| {
            n.items()
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
    };
    let mut words = list("command").unwrap_or_else(|| vec!["kratos".to_owned()]);
    words.extend(list("args").unwrap_or_else(|| vec!["serve".to_owned()]));
    words
}

fn runs_kratos_serve(container: &Node) -> bool {
    let image = container.get("image").and_then(Node::as_str).unwrap_or("");
    let name = image.split(['@', ':']).next().unwrap_or("");
    let kratos = name == "oryd/kratos"
        || name.ends_with("/oryd/kratos")
        || words(container)
            .first()
            .is_some_and(|w| w.rsplit('/').next() == Some("kratos"));
    let words = words(container);
    kratos && words.iter().any(|w| w == "serve") && !words.iter().any(|w| w == "migrate")
}

/// Where `--dev` is written: its item of `command` or `args`.
fn dev_position(container: &Node, words: &[String]) -> Option<Pos> {
    if !words.iter().any(|w| w == "--dev" || w == "--dev=true") {
        return None;
    }
    ["args", "command"]
        .iter()
        .flat_map(|k| container.get(k).map(Node::items).unwrap_or_default())
        .find(|i| matches!(i.as_str(), Some("--dev" | "--dev=true")))
        .map(|i| i.pos)
}

/// The config texts behind the `-c` files, each parsed and placed at its lines in the manifest.
type Texts = Vec<((std::path::PathBuf, String, String), Option<Node>)>;

fn config_texts(
    words: &[String],
    one: &Found<'_>,
    docs: &[Node],
    text: &str,
    display: &str,
) -> Result<Texts, ConfigError> {
    let mut out = Vec::new();
    for path in super::compose::config_flags(words) {
        let Some((map, key)) = configmap_key(&path, one) else {
            continue;
        };
        let Some(entry) = docs
            .iter()
            .filter(|d| d.get("kind").and_then(Node::as_str) == Some("ConfigMap"))
            .filter(|d| d.get("metadata.name").and_then(Node::as_str) == Some(map.as_str()))
            .find_map(|d| d.get("data").and_then(|data| data.entry(&key)))
        else {
            continue;
        };
        let Some(config) = entry.node.as_str() else {
            continue;
        };
        // A block scalar's content starts on the line after its key, at its indentation.
        let line = usize::try_from(entry.key_pos.line).unwrap_or(0);
        let indent = text
            .lines()
            .skip(line)
            .find(|l| !l.trim().is_empty())
            .map_or(0, |l| l.len() - l.trim_start().len());
        let shown = format!("{display} (ConfigMap {map}, {key})");
        let mut tree = load::parse(config, &shown)?;
        tree.shift(entry.key_pos.line, u32::try_from(indent).unwrap_or(0));
        out.push((
            (one.container_path(), display.to_owned(), config.to_owned()),
            Some(tree),
        ));
    }
    Ok(out)
}

impl Found<'_> {
    fn container_path(&self) -> std::path::PathBuf {
        std::path::PathBuf::from(format!("configmap:{}", self.workload))
    }
}

/// The `ConfigMap` and key mounted at container path `path`, if one is.
fn configmap_key(path: &str, one: &Found<'_>) -> Option<(String, String)> {
    let path = path.strip_prefix("file://").unwrap_or(path);
    for mount in one
        .container
        .get("volumeMounts")
        .map(Node::items)
        .unwrap_or_default()
    {
        let (Some(name), Some(at)) = (
            mount.get("name").and_then(Node::as_str),
            mount.get("mountPath").and_then(Node::as_str),
        ) else {
            continue;
        };
        let at = at.trim_end_matches('/');
        let file = match mount.get("subPath").and_then(Node::as_str) {
            Some(sub) if path == at => sub.to_owned(),
            Some(_) => continue,
            None => path.strip_prefix(at)?.strip_prefix('/')?.to_owned(),
        };
        let volume = one
            .spec
            .get("volumes")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .find(|v| v.get("name").and_then(Node::as_str) == Some(name))?;
        let map = volume.get("configMap.name").and_then(Node::as_str)?;
        // `items` maps keys to file names; without it each key is a file.
        let key = volume
            .get("configMap.items")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .find(|i| i.get("path").and_then(Node::as_str) == Some(file.as_str()))
            .and_then(|i| i.get("key").and_then(Node::as_str))
            .map_or(file.clone(), str::to_owned);
        return Some((map.to_owned(), key));
    }
    None
}

/// `env` literals and the entries of `envFrom` `ConfigMaps` and Secrets found in `docs`, with
/// their places; notes for what is set elsewhere.
type Environment = (Vec<(String, String, Pos)>, Vec<String>, Vec<String>);

fn environment(container: &Node, docs: &[Node], id: FileId, display: &str) -> Environment {
    let mut values = Vec::new();
    let mut notes = Vec::new();
    let mut from_secret = Vec::new();
    let find = |kind: &str, name: &str| {
        docs.iter()
            .filter(|d| d.get("kind").and_then(Node::as_str) == Some(kind))
            .find(|d| d.get("metadata.name").and_then(Node::as_str) == Some(name))
    };
    for from in container
        .get("envFrom")
        .map(Node::items)
        .unwrap_or_default()
    {
        let prefix = from.get("prefix").and_then(Node::as_str).unwrap_or("");
        if let Some(name) = from.get("configMapRef.name").and_then(Node::as_str) {
            match find("ConfigMap", name) {
                Some(map) => {
                    for e in map.get("data").map(Node::entries).unwrap_or_default() {
                        if let Some(v) = e.node.as_str() {
                            let mut pos = e.node.pos;
                            pos.file = id;
                            values.push((format!("{prefix}{}", e.key), v.to_owned(), pos));
                        }
                    }
                }
                None => notes.push(format!("{display}: envFrom ConfigMap `{name}` is not in this file; its variables are not known here")),
            }
        }
        if let Some(name) = from.get("secretRef.name").and_then(Node::as_str) {
            match find("Secret", name) {
                Some(secret) => {
                    let found = secret_values(secret, prefix, id);
                    from_secret.extend(found.iter().map(|(name, _, _)| name.clone()));
                    values.extend(found);
                }
                None => notes.push(format!("{display}: envFrom Secret `{name}` is not in this file; its variables are not known here")),
            }
        }
    }
    for entry in container.get("env").map(Node::items).unwrap_or_default() {
        let Some(name) = entry.get("name").and_then(Node::as_str) else {
            continue;
        };
        if let Some(value) = entry.get("value") {
            let text = match &value.value {
                Value::Str(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Int(i) => i.to_string(),
                _ => continue,
            };
            values.push((name.to_owned(), text, value.pos));
        } else if entry.get("valueFrom").is_some() && env::resolve(name).is_some() {
            notes.push(format!(
                "{display}:{}: {name} comes from `valueFrom`, set outside this file; its value is \
                 not known here",
                entry.pos.line
            ));
        }
    }
    (values, notes, from_secret)
}

/// A Secret's `stringData` and (base64-decoded) `data` entries as variables.
fn secret_values(secret: &Node, prefix: &str, id: FileId) -> Vec<(String, String, Pos)> {
    let mut out = Vec::new();
    for (field, encoded) in [("stringData", false), ("data", true)] {
        for e in secret.get(field).map(Node::entries).unwrap_or_default() {
            let Some(raw) = e.node.as_str() else { continue };
            let value = if encoded {
                match base64::engine::general_purpose::STANDARD.decode(raw.trim()) {
                    Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    Err(_) => continue,
                }
            } else {
                raw.to_owned()
            };
            let mut pos = e.node.pos;
            pos.file = id;
            out.push((format!("{prefix}{}", e.key), value, pos));
        }
    }
    out
}
