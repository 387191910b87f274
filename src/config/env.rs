//! Env files (`--env-file`): dotenv lines layered over the config files the way Kratos layers
//! environment variables (kratos-hardening.md §5): the variable name is the config path in
//! upper case with `_` for `.`; string arrays are a JSON array or CSV; and **arrays from env are
//! merged element-wise into the file's arrays** (§0.8), so `SECRETS_COOKIE=new` over
//! `[a, b]` gives `[new, b]`.
//!
//! This first cut knows the variables kratos-harden itself writes and the common secret and
//! connection keys; the full schema-wide mapping is the effective-configuration issue.

use std::path::Path;

use super::node::{Entry, FileId, Node, Pos, Value};
use super::{ConfigError, load};

/// Known variables: name, config path, whether the value is a string list.
const KNOWN: &[(&str, &str, Kind)] = &[
    ("SECRETS_DEFAULT", "secrets.default", Kind::List),
    ("SECRETS_COOKIE", "secrets.cookie", Kind::List),
    ("SECRETS_CIPHER", "secrets.cipher", Kind::List),
    ("SECRETS_PAGINATION", "secrets.pagination", Kind::List),
    ("DSN", "dsn", Kind::Text),
    (
        "COURIER_SMTP_CONNECTION_URI",
        "courier.smtp.connection_uri",
        Kind::Text,
    ),
    ("SERVE_PUBLIC_BASE_URL", "serve.public.base_url", Kind::Text),
    ("SERVE_ADMIN_BASE_URL", "serve.admin.base_url", Kind::Text),
    ("LOG_LEVEL", "log.level", Kind::Text),
    (
        "LOG_LEAK_SENSITIVE_VALUES",
        "log.leak_sensitive_values",
        Kind::Bool,
    ),
    ("DEV", "dev", Kind::Bool),
    (
        "SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS",
        "selfservice.methods.oidc.config.providers",
        Kind::Json,
    ),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Bool,
    List,
    /// An object or array of objects given as JSON (Kratos accepts JSON for such keys).
    Json,
}

/// One variable read from an env file: its config path, value and line.
pub struct Setting {
    /// Dotted config path.
    pub path: &'static str,
    /// The value as Kratos casts it.
    pub value: Value,
    /// 1-based line in the env file.
    pub line: u32,
}

/// Reads a dotenv file (`KEY=value`, `export KEY=value`, `#` comments, single or double quotes
/// as docker compose reads them). Unknown variables are ignored.
pub fn read(path: &Path, display: &str) -> Result<Vec<Setting>, ConfigError> {
    let text = load::read_text(path, display)?;
    Ok(parse(&text))
}

/// Parses dotenv text.
#[must_use]
pub fn parse(text: &str) -> Vec<Setting> {
    let mut settings = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let Some((_, path, kind)) = KNOWN.iter().find(|(n, _, _)| *n == name.trim()) else {
            continue;
        };
        let value = unquote(value.trim());
        let value = match kind {
            Kind::Text => Value::Str(value),
            Kind::Bool => match value.to_ascii_lowercase().as_str() {
                "true" | "1" => Value::Bool(true),
                "false" | "0" => Value::Bool(false),
                _ => Value::Str(value),
            },
            Kind::Json => json(&value).unwrap_or(Value::Str(value)),
            Kind::List => Value::Seq(
                list(&value)
                    .into_iter()
                    .map(|s| Node::new(Value::Str(s)))
                    .collect(),
            ),
        };
        settings.push(Setting {
            path,
            value,
            line: u32::try_from(index + 1).unwrap_or(u32::MAX),
        });
    }
    settings
}

/// A JSON value as a tree (positions are stamped with the env line when layered); `None` when
/// it is not JSON, and the text is then kept as a string for the rules to judge.
fn json(text: &str) -> Option<Value> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(from_json(value))
}

fn from_json(value: serde_json::Value) -> Value {
    let leaf = |v: Value| Node::new(v);
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .or_else(|| n.as_f64().map(Value::Float))
            .unwrap_or(Value::Null),
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(items) => {
            Value::Seq(items.into_iter().map(|i| leaf(from_json(i))).collect())
        }
        serde_json::Value::Object(map) => Value::Map(
            map.into_iter()
                .map(|(key, v)| Entry {
                    key,
                    key_pos: Pos::default(),
                    node: leaf(from_json(v)),
                })
                .collect(),
        ),
    }
}

fn unquote(value: &str) -> String {
    for q in ['\'', '"'] {
        if let Some(inner) = value.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return inner.to_owned();
        }
    }
    value.to_owned()
}

/// A string array from one variable: a JSON array, else CSV (Kratos's castx rules).
fn list(value: &str) -> Vec<String> {
    if value.trim_start().starts_with('[')
        && let Ok(items) = serde_json::from_str::<Vec<String>>(value)
    {
        return items;
    }
    value
        .split(',')
        .map(|s| s.trim_matches('"').to_owned())
        .collect()
}

/// Layers `settings` (from source `file`) over `root`: scalars replace, lists merge element-wise.
pub fn layer(root: &mut Node, settings: Vec<Setting>, file: FileId) {
    for setting in settings {
        let pos = Pos {
            file,
            line: setting.line,
            column: 1,
        };
        let mut node = Node {
            value: setting.value,
            pos,
        };
        stamp(&mut node, pos);
        set(root, setting.path, node, pos);
    }
}

/// Every node and key of a value from the env file points at its line there.
fn stamp(node: &mut Node, pos: Pos) {
    node.pos = pos;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|item| stamp(item, pos)),
        Value::Map(entries) => {
            for entry in entries {
                entry.key_pos = pos;
                stamp(&mut entry.node, pos);
            }
        }
        _ => {}
    }
}

fn set(root: &mut Node, path: &str, node: Node, pos: Pos) {
    let mut current = root;
    let segments: Vec<&str> = path.split('.').collect();
    for (depth, segment) in segments.iter().enumerate() {
        if !matches!(current.value, Value::Map(_)) {
            current.value = Value::Map(Vec::new());
        }
        let Value::Map(entries) = &mut current.value else {
            return;
        };
        let index = if let Some(i) = entries.iter().position(|e| e.key == *segment) {
            i
        } else {
            entries.push(Entry {
                key: (*segment).to_owned(),
                key_pos: pos,
                node: Node {
                    value: Value::Map(Vec::new()),
                    pos,
                },
            });
            entries.len() - 1
        };
        if depth + 1 == segments.len() {
            let target = &mut entries[index];
            target.key_pos = pos;
            merge_value(&mut target.node, node);
            return;
        }
        current = &mut entries[index].node;
    }
}

/// Element-wise for lists (env item `i` replaces file item `i`, extra file items stay), whole
/// replacement otherwise.
fn merge_value(target: &mut Node, over: Node) {
    match (&mut target.value, over.value) {
        (Value::Seq(items), Value::Seq(new)) => {
            for (i, item) in new.into_iter().enumerate() {
                if i < items.len() {
                    items[i] = item;
                } else {
                    items.push(item);
                }
            }
            target.pos = over.pos;
        }
        (_, value) => {
            target.value = value;
            target.pos = over.pos;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_arrays_merge_element_wise() {
        let mut root: Node =
            serde_saphyr::from_str("secrets:\n  cookie: [a, b]\n").expect("parses");
        layer(
            &mut root,
            parse("# c\nSECRETS_COOKIE=new\nDSN='postgres://x'\nOTHER=1\n"),
            1,
        );
        let cookie: Vec<&str> = root
            .get("secrets.cookie")
            .expect("list")
            .items()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(cookie, ["new", "b"], "a placeholder at index 1 stays valid");
        assert_eq!(root.get("dsn").and_then(Node::as_str), Some("postgres://x"));
        assert_eq!(
            root.get("dsn").map(|n| (n.pos.file, n.pos.line)),
            Some((1, 3))
        );
    }

    #[test]
    fn json_and_csv_lists() {
        let s = parse("SECRETS_DEFAULT=[\"x,y\",\"z\"]\nSECRETS_CIPHER=a,b\n");
        assert!(matches!(&s[0].value, Value::Seq(items) if items.len() == 2));
        assert!(matches!(&s[1].value, Value::Seq(items) if items.len() == 2));
    }
}
