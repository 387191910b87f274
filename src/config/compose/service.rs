//! One compose service read from the compose file's tree: whether it is Kratos running
//! `serve`, its command line, the host files behind its `-c` paths, its env files, its
//! `environment:` entries and its published ports, each with its place in the compose file.

use std::path::{Path, PathBuf};

use crate::config::node::{Node, Pos, Value};

/// A Kratos service of a compose file.
#[derive(Clone, Debug)]
pub struct Service {
    /// The service's key under `services:`.
    pub name: String,
    /// The compose file.
    pub compose: PathBuf,
    /// The compose file as shown.
    pub display: String,
    /// `image:`, where set.
    pub image: Option<(String, Pos)>,
    /// The command line's words, with where the command is written; `list` for the list form.
    pub command: Option<Command>,
    /// Host paths of the config files named with `-c`/`--config`, in order.
    pub configs: Vec<PathBuf>,
    /// `env_file:` files, relative to the compose file's folder.
    pub env_files: Vec<PathBuf>,
    /// `environment:` entries with a value: name, value, where the value is written.
    pub environment: Vec<(String, String, Pos)>,
    /// For each entry of `environment`, its path in the compose file and whether it is the
    /// `NAME=value` list form.
    pub environment_paths: Vec<(String, String, bool)>,
    /// `ports:` entries.
    pub ports: Vec<Port>,
    /// Where `--dev` is, when the command has it.
    pub dev: Option<Pos>,
    /// The command as written, when it is one string.
    pub command_text: Option<String>,
    /// Variables that come from a Kubernetes Secret (where secrets belong), not a literal.
    pub from_secret: Vec<String>,
}

/// A service's command line.
#[derive(Clone, Debug)]
pub struct Command {
    /// `services.NAME.command`.
    pub path: String,
    /// The words, as compose splits them.
    pub words: Vec<String>,
    /// Written as a list (`[serve, -c, …]`), not one string.
    pub list: bool,
}

/// A `ports:` entry: the host address and port it publishes the container port on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// The host address (`127.0.0.1`), `None` for every interface.
    pub host_ip: Option<String>,
    /// The container port (or range) as written.
    pub target: String,
    /// The whole entry as written (`127.0.0.1:4434:4434`, or the long form's fields).
    pub written: String,
    /// The entry's place.
    pub pos: Pos,
}

impl Port {
    /// True when the port is reachable on every host interface.
    #[must_use]
    pub fn on_all_interfaces(&self) -> bool {
        self.host_ip
            .as_deref()
            .is_none_or(|ip| matches!(ip, "0.0.0.0" | "::" | "[::]" | ""))
    }

    /// True when the entry publishes container port `port` (alone or in a range).
    #[must_use]
    pub fn publishes(&self, port: u16) -> bool {
        let target = self.target.split('/').next().unwrap_or("");
        match target.split_once('-') {
            Some((low, high)) => match (low.parse::<u16>(), high.parse::<u16>()) {
                (Ok(low), Ok(high)) => (low..=high).contains(&port),
                _ => false,
            },
            None => target.parse() == Ok(port),
        }
    }
}

/// The services of compose tree `root` (the file at `path`) that run `kratos serve`.
pub(super) fn kratos_services(root: &Node, path: &Path, display: &str) -> Vec<Service> {
    let folder = path.parent().unwrap_or(Path::new("."));
    root.child("services")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| read(&entry.key, &entry.node, (path, folder, display)))
        .collect()
}

fn read(name: &str, node: &Node, (path, folder, display): (&Path, &Path, &str)) -> Option<Service> {
    let image = node
        .child("image")
        .and_then(|n| n.as_str().map(|s| (s.to_owned(), n.pos)));
    let command = command(name, node);
    let entrypoint = node.child("entrypoint").map(words).unwrap_or_default();
    let kratos_image = image.as_ref().is_some_and(|(i, _)| is_kratos_image(i));
    let runs_kratos = entrypoint
        .first()
        .or(command.as_ref().and_then(|c| c.words.first()))
        .is_some_and(|w| w.rsplit('/').next() == Some("kratos"));
    if !kratos_image && !runs_kratos {
        return None;
    }
    // The image's own command is `serve` (ENTRYPOINT kratos, CMD serve).
    let words: Vec<String> = command
        .as_ref()
        .map_or_else(|| vec!["serve".to_owned()], |c| c.words.clone());
    if !words.iter().any(|w| w == "serve") || words.iter().any(|w| w == "migrate") {
        return None;
    }
    let mounts = mounts(node, folder);
    let configs = config_flags(&words)
        .iter()
        .map(|c| host_path(c, &mounts, folder))
        .collect();
    let dev_pos = command.as_ref().and_then(|c| dev_position(node, c));
    let (environment, environment_paths) = environment(name, node);
    Some(Service {
        name: name.to_owned(),
        compose: path.to_path_buf(),
        display: display.to_owned(),
        image,
        dev: dev_pos,
        command_text: node
            .child("command")
            .and_then(Node::as_str)
            .map(str::to_owned),
        command,
        configs,
        env_files: env_files(node, folder),
        from_secret: Vec::new(),
        environment,
        environment_paths,
        ports: ports(node),
    })
}

/// `oryd/kratos` from any registry, with any tag or digest (not `oryd/kratos-selfservice-…`).
fn is_kratos_image(image: &str) -> bool {
    let name = image.split('@').next().unwrap_or(image);
    // A tag follows the last `:` after the last `/` (a registry port comes before a `/`).
    let name = match name.rsplit_once(':') {
        Some((head, tag)) if !tag.contains('/') => head,
        _ => name,
    };
    name == "oryd/kratos" || name.ends_with("/oryd/kratos")
}

fn command(name: &str, node: &Node) -> Option<Command> {
    let command = node.child("command")?;
    Some(Command {
        path: format!("services.{name}.command"),
        list: matches!(command.value, Value::Seq(_)),
        words: words(command),
    })
}

/// A command as compose splits it: a list as it is, a string shell-like (quotes group).
fn words(node: &Node) -> Vec<String> {
    match &node.value {
        Value::Seq(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        Value::Str(s) => split(s),
        _ => Vec::new(),
    }
}

/// Shell-like word splitting: whitespace separates, single and double quotes group.
pub(crate) fn split(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (_, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// The values of `-c`/`--config` (repeatable; pflag also splits each on commas).
pub(crate) fn config_flags(words: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut iter = words.iter();
    while let Some(word) = iter.next() {
        let value = match word.as_str() {
            "-c" | "--config" => iter.next().cloned(),
            w => w
                .strip_prefix("--config=")
                .or_else(|| w.strip_prefix("-c="))
                .or_else(|| w.strip_prefix("-c").filter(|v| !v.is_empty()))
                .map(str::to_owned),
        };
        out.extend(
            value
                .iter()
                .flat_map(|v| v.split(','))
                .filter(|v| !v.is_empty())
                .map(str::to_owned),
        );
    }
    out
}

/// Where `--dev` is: the list item, or the command string (its column when it is on the
/// command's own line).
fn dev_position(node: &Node, command: &Command) -> Option<Pos> {
    let is_dev = |w: &str| w == "--dev" || w == "--dev=true";
    let at = command.words.iter().position(|w| is_dev(w))?;
    let written = node.child("command")?;
    Some(match &written.value {
        Value::Seq(items) => items.get(at).map_or(written.pos, |i| i.pos),
        _ => written.pos,
    })
}

/// `volumes:` bind mounts as (container path, host path), short and long syntax.
fn mounts(node: &Node, folder: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for volume in node.child("volumes").map(Node::items).unwrap_or_default() {
        let (source, target) = match &volume.value {
            Value::Str(short) => {
                let mut parts = short.splitn(3, ':');
                match (parts.next(), parts.next()) {
                    (Some(source), Some(target)) => (source.to_owned(), target.to_owned()),
                    _ => continue,
                }
            }
            Value::Map(_) => {
                let field = |k: &str| volume.child(k).and_then(Node::as_str);
                if field("type").is_some_and(|t| t != "bind") {
                    continue;
                }
                match (field("source"), field("target")) {
                    (Some(s), Some(t)) => (s.to_owned(), t.to_owned()),
                    _ => continue,
                }
            }
            _ => continue,
        };
        // A named volume has no host path this tool can read.
        if source.starts_with('.') || source.starts_with('/') {
            out.push((
                target.trim_end_matches('/').to_owned(),
                joined(folder, &source),
            ));
        }
    }
    out
}

/// The host file behind container path `path`: through the deepest mount holding it, else
/// the path itself relative to the compose file's folder (a config baked into the image).
fn host_path(path: &str, mounts: &[(String, PathBuf)], folder: &Path) -> PathBuf {
    let path = path.strip_prefix("file://").unwrap_or(path);
    mounts
        .iter()
        .filter_map(|(target, host)| {
            let rest = path.strip_prefix(target.as_str())?;
            (rest.is_empty() || rest.starts_with('/'))
                .then(|| (target.len(), host.join(rest.trim_start_matches('/'))))
        })
        .max_by_key(|(depth, _)| *depth)
        .map_or_else(
            || joined(folder, path.trim_start_matches('/')),
            |(_, host)| host,
        )
}

/// `rel` below `folder` without `.` components (`./kratos` next to `compose.yaml` is shown as
/// `kratos`, as every other path argument is).
fn joined(folder: &Path, rel: &str) -> PathBuf {
    let mut path = folder.to_path_buf();
    for part in Path::new(rel).components() {
        if part != std::path::Component::CurDir {
            path.push(part);
        }
    }
    path
}

fn env_files(node: &Node, folder: &Path) -> Vec<PathBuf> {
    let Some(list) = node.child("env_file") else {
        return Vec::new();
    };
    let one = |n: &Node| {
        n.as_str()
            .or_else(|| n.child("path").and_then(Node::as_str))
            .map(|p| joined(folder, p))
    };
    match &list.value {
        Value::Seq(items) => items.iter().filter_map(one).collect(),
        _ => one(list).into_iter().collect(),
    }
}

/// `environment:` (map or `NAME=value` list) entries with a value, and their paths.
type Environment = (Vec<(String, String, Pos)>, Vec<(String, String, bool)>);

fn environment(name: &str, node: &Node) -> Environment {
    let (mut values, mut paths) = (Vec::new(), Vec::new());
    let Some(env) = node.child("environment") else {
        return (values, paths);
    };
    let base = format!("services.{name}.environment");
    match &env.value {
        Value::Map(entries) => {
            for e in entries {
                let text = match &e.node.value {
                    Value::Str(s) => s.clone(),
                    Value::Bool(b) => b.to_string(),
                    Value::Int(i) => i.to_string(),
                    Value::Float(f) => f.to_string(),
                    // `NAME:` with no value is passed through from compose's own environment.
                    _ => continue,
                };
                values.push((e.key.clone(), text, e.node.pos));
                paths.push((e.key.clone(), format!("{base}.{}", e.key), false));
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                let Some((var, value)) = item.as_str().and_then(|s| s.split_once('=')) else {
                    continue;
                };
                values.push((var.to_owned(), value.to_owned(), item.pos));
                paths.push((var.to_owned(), format!("{base}.{i}"), true));
            }
        }
        _ => {}
    }
    (values, paths)
}

fn ports(node: &Node) -> Vec<Port> {
    let mut out = Vec::new();
    for entry in node.child("ports").map(Node::items).unwrap_or_default() {
        let port = match &entry.value {
            Value::Str(_) | Value::Int(_) => {
                let text = match &entry.value {
                    Value::Int(i) => i.to_string(),
                    _ => entry.as_str().unwrap_or("").to_owned(),
                };
                short_port(&text).map(|(ip, target)| (ip, target, text))
            }
            Value::Map(_) => {
                let field = |k: &str| {
                    entry.child(k).and_then(|n| match &n.value {
                        Value::Str(s) => Some(s.clone()),
                        Value::Int(i) => Some(i.to_string()),
                        _ => None,
                    })
                };
                field("target").map(|target| {
                    let ip = field("host_ip");
                    let published = field("published").unwrap_or_default();
                    let written = format!(
                        "{}{published}:{target}",
                        ip.as_deref().map(|i| format!("{i}:")).unwrap_or_default()
                    );
                    (ip, target, written)
                })
            }
            _ => None,
        };
        if let Some((host_ip, target, written)) = port {
            out.push(Port {
                host_ip,
                target,
                written,
                pos: entry.pos,
            });
        }
    }
    out
}

/// `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`, the host address bracketed for IPv6.
fn short_port(text: &str) -> Option<(Option<String>, String)> {
    let (host_ip, rest) = match text.strip_prefix('[') {
        Some(v6) => {
            let (ip, rest) = v6.split_once(']')?;
            (Some(ip.to_owned()), rest.trim_start_matches(':'))
        }
        None => (None, text),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    match (host_ip, parts.as_slice()) {
        (Some(ip), [_, target]) => Some((Some(ip), (*target).to_owned())),
        (None, [ip, _, target]) => Some((Some((*ip).to_owned()), (*target).to_owned())),
        (None, [_, target] | [target]) => Some((None, (*target).to_owned())),
        _ => None,
    }
}
