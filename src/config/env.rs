//! Environment variables over the config, the way Kratos layers them (kratos-hardening.md §5):
//! the variable name is the config path upper-cased with `_` for `.` (array indexes as numbers:
//! `SECRETS_COOKIE_0`, `…_PROVIDERS_0_CLIENT_SECRET`); the value is cast by the path's type
//! (booleans as Go's `ParseBool`, integers, string arrays as a JSON array or else CSV, objects as
//! JSON); and **arrays from env are merged element-wise into the file's arrays** (§0.8), so
//! `SECRETS_COOKIE=new` over `[a, b]` gives `[new, b]`.
//!
//! Sources: dotenv files (`--env-file`, read as docker compose reads them: [`dotenv`]) and,
//! when asked, the process environment (`--use-env`). The paths known are our own table
//! ([`paths`]).

pub mod dotenv;
pub(crate) mod interpolate;
mod paths;
mod quote;
mod rewrite;

use std::path::Path;

use super::node::{Entry, FileId, Node, Pos, Value};
use super::{ConfigError, load};
use paths::Type;

pub use paths::resolve;

/// One variable: the config path it sets, the value as Kratos casts it, and its line (in an
/// env file; for the process environment, its position in the list of variables used).
pub struct Setting {
    /// Dotted config path (indexes as numbers).
    pub path: String,
    /// The value as Kratos casts it.
    pub value: Value,
    /// 1-based line.
    pub line: u32,
    /// What Kratos makes of a value that does not cast (an invalid boolean reads as false),
    /// for the report; never the value of a secret.
    pub note: Option<String>,
}

/// Reads a dotenv file as docker compose reads it; a line compose would refuse is a syntax
/// error naming `file:line:column`. Unknown variables are ignored.
pub fn read(path: &Path, display: &str) -> Result<Vec<Setting>, ConfigError> {
    let text = load::read_text(path, display)?;
    check(&text, display)?;
    Ok(parse(&text))
}

/// The first line of dotenv `text` that docker compose would refuse, as the error to show.
pub fn check(text: &str, display: &str) -> Result<(), ConfigError> {
    dotenv::parse(text)
        .map(drop)
        .map_err(|e| syntax(display, &e))
}

/// A dotenv syntax error as a config error for `display`.
#[must_use]
pub fn syntax(display: &str, e: &dotenv::SyntaxError) -> ConfigError {
    ConfigError::Syntax {
        file: display.to_owned(),
        line: e.line.into(),
        column: e.column.into(),
        message: e.message.clone(),
    }
}

/// The settings dotenv `text` makes, one per variable in force (a name set twice keeps its
/// later value, and its setting notes the first line). Text after a syntax error is not read:
/// [`check`] is what reports it.
#[must_use]
pub fn parse(text: &str) -> Vec<Setting> {
    let (parsed, _) = dotenv::parse_partial(text);
    parsed
        .in_force()
        .into_iter()
        .filter_map(|(statement, first)| {
            let mut setting = setting(&statement.name, &statement.value, statement.line as usize)?;
            let name = &statement.name;
            let mut notes: Vec<String> = setting.note.take().into_iter().collect();
            if let Some(first) = first {
                notes.push(format!(
                    "{name} is set again (first at line {first}); the later value is used"
                ));
            }
            if !statement.unresolved.is_empty() {
                notes.push(format!(
                    "{name} refers to ${}, which docker compose takes from the environment it \
                     runs in; judged as written",
                    statement.unresolved.join(", $")
                ));
            }
            setting.note = (!notes.is_empty()).then(|| notes.join("; "));
            Some(setting)
        })
        .collect()
}

/// The settings among `vars` (name, value), numbered in order: the process environment.
#[must_use]
pub fn from_vars(vars: &[(String, String)]) -> Vec<Setting> {
    vars.iter()
        .enumerate()
        .filter_map(|(index, (name, value))| setting(name, value, index + 1))
        .collect()
}

/// The name of a variable Kratos reads, else `None`.
#[must_use]
pub fn is_known(name: &str) -> bool {
    resolve(name).is_some()
}

fn setting(name: &str, value: &str, line: usize) -> Option<Setting> {
    let (path, ty) = resolve(name)?;
    let (value, note) = cast(value, ty);
    Some(Setting {
        note: note.map(|n| format!("{name} {n}")),
        path,
        value,
        line: u32::try_from(line).unwrap_or(u32::MAX),
    })
}

/// Casts text as Kratos does for a key of type `ty` (ory/x `configx/koanf_env.go` with
/// spf13/cast): booleans by `strconv.ParseBool`, anything else false; integers in base 0
/// (`010` is 8, `0x10` 16), anything else 0; a list as a JSON array, a JSON value that is no
/// array as nothing, else CSV. The note says when Kratos's reading differs from the text.
fn cast(value: &str, ty: Type) -> (Value, Option<&'static str>) {
    match ty {
        Type::Str => (Value::Str(value.to_owned()), None),
        Type::Bool => match value {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => (Value::Bool(true), None),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => (Value::Bool(false), None),
            _ => (
                Value::Bool(false),
                Some("is not a boolean Go reads (true/false/1/0/t/f): Kratos takes it as false"),
            ),
        },
        Type::Int => match base0(value.trim()) {
            Some(n) => (Value::Int(n), None),
            None => (
                Value::Int(0),
                Some("is not an integer: Kratos takes it as 0"),
            ),
        },
        // Kept as text for the rules to judge, but said: ory/x decodes only a JSON object or
        // array here, so Kratos does not get this value.
        Type::Json => match json(value) {
            Some(v) => (v, None),
            None => (
                Value::Str(value.to_owned()),
                Some("is not JSON: Kratos cannot read it as this setting's object or list"),
            ),
        },
        Type::List => {
            if serde_json::from_str::<serde_json::Value>(value).is_ok_and(|v| !v.is_array()) {
                return (
                    Value::Null,
                    Some("is JSON but not an array: Kratos sets the list to nothing"),
                );
            }
            (
                Value::Seq(
                    list(value)
                        .into_iter()
                        .map(|s| Node::new(Value::Str(s)))
                        .collect(),
                ),
                None,
            )
        }
    }
}

/// An integer the way Go's `strconv.ParseInt(s, 0, 64)` reads it: a sign, then `0x`, `0o`,
/// `0b` or a leading `0` (octal) prefix, `_` between digits allowed only with a prefix.
fn base0(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(b) = lower.strip_prefix("0x") {
        (16, b.replace('_', ""))
    } else if let Some(b) = lower.strip_prefix("0o") {
        (8, b.replace('_', ""))
    } else if let Some(b) = lower.strip_prefix("0b") {
        (2, b.replace('_', ""))
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].replace('_', ""))
    } else {
        if lower.contains('_') {
            return None;
        }
        (10, lower)
    };
    if body.is_empty() {
        return None;
    }
    let n = i64::from_str_radix(&body, radix).ok()?;
    Some(if negative { -n } else { n })
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

/// A string array from one variable: a JSON array, else CSV as Go's `encoding/csv` reads one
/// record (Kratos's castx): `"…"` quotes a field, `""` inside is one quote.
fn list(value: &str) -> Vec<String> {
    if value.trim_start().starts_with('[')
        && let Ok(items) = serde_json::from_str::<Vec<String>>(value)
    {
        return items;
    }
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = value.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_start => quoted = true,
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => quoted = false,
            ',' if !quoted => {
                fields.push(std::mem::take(&mut field));
                at_start = true;
                continue;
            }
            c => field.push(c),
        }
        at_start = false;
    }
    fields.push(field);
    fields
}

/// A value written somewhere (a config file) that an environment variable replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hidden {
    /// The config path of the replaced value.
    pub path: String,
    /// Where the replaced value was written.
    pub pos: Pos,
}

/// Layers `settings` (from source `file`) over `root`: scalars replace, lists merge
/// element-wise. Returns the values the variables replaced, so reports can say a file value
/// is not the one in force.
pub fn layer(root: &mut Node, settings: Vec<Setting>, file: FileId) -> Vec<Hidden> {
    let placed = settings
        .into_iter()
        .map(|s| {
            let pos = Pos {
                file,
                line: s.line,
                column: 1,
            };
            (s, pos)
        })
        .collect();
    layer_at(root, placed)
}

/// The setting for variable `name` = `text` whose value is written at `pos` (a Helm values
/// file's `extraEnv` entry); `None` for a variable Kratos does not read.
#[must_use]
pub fn settings_at(name: &str, text: &str, pos: Pos) -> Option<(Setting, Pos)> {
    setting(name, text, usize::try_from(pos.line).unwrap_or(0)).map(|s| (s, pos))
}

/// [`layer`] with each setting's own position.
pub fn layer_at(root: &mut Node, settings: Vec<(Setting, Pos)>) -> Vec<Hidden> {
    let mut hidden = Vec::new();
    for (setting, pos) in settings {
        let mut node = Node {
            value: setting.value,
            pos,
        };
        stamp(&mut node, pos);
        set(root, &setting.path, node, pos, &mut hidden);
    }
    hidden
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

fn set(root: &mut Node, path: &str, node: Node, pos: Pos, hidden: &mut Vec<Hidden>) {
    let segments: Vec<&str> = path.split('.').collect();
    set_at(
        root,
        &segments,
        node,
        pos,
        &mut |at: &[&str], old: &Node| {
            if old.pos.line > 0 && !old.is_null() && old.pos.file != pos.file {
                hidden.push(Hidden {
                    path: at.join("."),
                    pos: old.pos,
                });
            }
        },
    );
}

/// Walks down `segments`, creating what is missing: a number indexes a list (padded with
/// nulls, as Kratos's index form does) unless the node is a mapping with that key.
fn set_at(
    current: &mut Node,
    segments: &[&str],
    node: Node,
    pos: Pos,
    replaced: &mut dyn FnMut(&[&str], &Node),
) {
    set_below(current, segments, 0, node, pos, replaced);
}

/// [`set_at`] from `depth` on; `segments[..depth]` is the path of `current`.
fn set_below(
    current: &mut Node,
    segments: &[&str],
    depth: usize,
    node: Node,
    pos: Pos,
    replaced: &mut dyn FnMut(&[&str], &Node),
) {
    let Some(segment) = segments.get(depth) else {
        merge_value(current, node, segments, replaced);
        return;
    };
    let index = segment.parse::<usize>().ok();
    let as_index = match (&current.value, index) {
        (Value::Seq(_) | Value::Null, Some(_)) => true,
        (Value::Map(entries), Some(_)) => entries.is_empty(),
        _ => false,
    };
    if let (true, Some(i)) = (as_index, index) {
        if !matches!(current.value, Value::Seq(_)) {
            current.value = Value::Seq(Vec::new());
        }
        if let Value::Seq(items) = &mut current.value {
            while items.len() <= i {
                items.push(Node {
                    value: Value::Null,
                    pos,
                });
            }
            set_below(&mut items[i], segments, depth + 1, node, pos, replaced);
        }
        return;
    }
    if !matches!(current.value, Value::Map(_)) {
        current.value = Value::Map(Vec::new());
    }
    if let Value::Map(entries) = &mut current.value {
        let at = if let Some(i) = entries.iter().position(|e| e.key == *segment) {
            i
        } else {
            entries.push(Entry {
                key: (*segment).to_owned(),
                key_pos: pos,
                node: Node {
                    value: Value::Null,
                    pos,
                },
            });
            entries.len() - 1
        };
        entries[at].key_pos = pos;
        set_below(
            &mut entries[at].node,
            segments,
            depth + 1,
            node,
            pos,
            replaced,
        );
    }
}

/// Element-wise for lists (env item `i` replaces file item `i`, extra file items stay), whole
/// replacement otherwise.
fn merge_value(
    target: &mut Node,
    over: Node,
    path: &[&str],
    replaced: &mut dyn FnMut(&[&str], &Node),
) {
    match (&mut target.value, over.value) {
        (Value::Seq(items), Value::Seq(new)) => {
            for (i, item) in new.into_iter().enumerate() {
                if i < items.len() {
                    let index = i.to_string();
                    let mut at = path.to_vec();
                    at.push(&index);
                    replaced(&at, &items[i]);
                    items[i] = item;
                } else {
                    items.push(item);
                }
            }
            target.pos = over.pos;
        }
        (_, value) => {
            replaced(path, target);
            target.value = value;
            target.pos = over.pos;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cast_as_kratos_casts_them() {
        let one = |name: &str, value: &str| {
            let s = setting(name, value, 1).expect("known variable");
            (s.value, s.note)
        };
        assert_eq!(
            one("DEV", "yes").0,
            Value::Bool(false),
            "invalid bool is false"
        );
        assert!(
            one("DEV", "yes")
                .1
                .is_some_and(|n| n.contains("takes it as false"))
        );
        assert_eq!(one("DEV", "True"), (Value::Bool(true), None));
        assert_eq!(
            one("SERVE_PUBLIC_PORT", "010").0,
            Value::Int(8),
            "base 0: octal"
        );
        assert_eq!(one("SERVE_PUBLIC_PORT", "0x10").0, Value::Int(16));
        assert_eq!(one("SERVE_PUBLIC_PORT", "4433").0, Value::Int(4433));
        assert_eq!(one("SERVE_PUBLIC_PORT", "44a").0, Value::Int(0));
        assert_eq!(
            one("SECRETS_COOKIE", "5").0,
            Value::Null,
            "JSON, not an array"
        );
        assert_eq!(one("SECRETS_COOKIE", "{\"a\":1}").0, Value::Null);
        assert!(matches!(one("SECRETS_COOKIE", "a,b").0, Value::Seq(ref v) if v.len() == 2));
        assert!(matches!(one("SECRETS_COOKIE", "[\"a\"]").0, Value::Seq(ref v) if v.len() == 1));
    }

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

    fn layered(file: &str, env: &str) -> Node {
        let mut root: Node = serde_saphyr::from_str(file).expect("parses");
        layer(&mut root, parse(env), 1);
        root
    }

    fn strings(node: Option<&Node>) -> Vec<&str> {
        node.map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .collect()
    }

    #[test]
    fn csv_reads_quotes_as_go_encoding_csv_does() {
        assert_eq!(list(r#"a,"b,c","d""e",f"#), ["a", "b,c", "d\"e", "f"]);
        assert_eq!(list("single"), ["single"]);
        assert_eq!(
            list(r#"["x,y", "z"]"#),
            ["x,y", "z"],
            "a JSON array wins over CSV"
        );
    }

    #[test]
    fn values_are_cast_by_the_type_of_their_key() {
        let root = layered(
            "serve:\n  public:\n    port: 4433\n",
            "SERVE_PUBLIC_PORT=8080\nLOG_LEAK_SENSITIVE_VALUES=T\nDEV=maybe\nSERVE_PUBLIC_CORS_ENABLED=0\n",
        );
        assert_eq!(
            root.get("serve.public.port").and_then(Node::as_i64),
            Some(8080)
        );
        assert_eq!(
            root.get("log.leak_sensitive_values")
                .and_then(Node::as_bool),
            Some(true)
        );
        assert_eq!(
            root.get("serve.public.cors.enabled")
                .and_then(Node::as_bool),
            Some(false)
        );
        assert_eq!(
            root.get("dev").and_then(Node::as_bool),
            Some(false),
            "an invalid boolean reads as false, as spf13/cast reads it"
        );
    }

    #[test]
    fn index_forms_set_one_element_or_one_field() {
        let root = layered(
            "secrets:\n  cookie: [a, b]\nselfservice:\n  methods:\n    oidc:\n      config:\n        providers:\n          - id: google\n            client_secret: old\n",
            "SECRETS_COOKIE_1=fresh\nSECRETS_DEFAULT_0=only\nSELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_0_CLIENT_SECRET=new\n",
        );
        assert_eq!(strings(root.get("secrets.cookie")), ["a", "fresh"]);
        assert_eq!(strings(root.get("secrets.default")), ["only"]);
        let provider = root
            .get("selfservice.methods.oidc.config.providers.0")
            .expect("kept");
        assert_eq!(
            provider.get("id").and_then(Node::as_str),
            Some("google"),
            "other fields stay"
        );
        assert_eq!(
            provider.get("client_secret").and_then(Node::as_str),
            Some("new")
        );
        assert_eq!(
            provider
                .get("client_secret")
                .map(|n| (n.pos.file, n.pos.line)),
            Some((1, 3))
        );
    }

    #[test]
    fn nested_keys_are_created_and_json_objects_parsed() {
        let root = layered(
            "{}",
            "SELFSERVICE_FLOWS_REGISTRATION_AFTER_PASSWORD_HOOKS=[{\"hook\":\"session\"}]\nSELFSERVICE_METHODS_PASSWORD_CONFIG_MIN_PASSWORD_LENGTH=6\n",
        );
        assert_eq!(
            root.get("selfservice.flows.registration.after.password.hooks.0.hook")
                .and_then(Node::as_str),
            Some("session")
        );
        assert_eq!(
            root.get("selfservice.methods.password.config.min_password_length")
                .and_then(Node::as_i64),
            Some(6)
        );
    }

    #[test]
    fn a_name_set_twice_keeps_the_later_value_and_says_so() {
        let settings = parse("SECRETS_COOKIE=a,b\nDSN=memory\nSECRETS_COOKIE=c\n");
        assert_eq!(settings.len(), 2, "the earlier list is not merged in");
        let cookie = settings
            .iter()
            .find(|s| s.path == "secrets.cookie")
            .expect("set");
        assert!(matches!(&cookie.value, Value::Seq(items) if items.len() == 1));
        assert_eq!(cookie.line, 3);
        assert_eq!(
            cookie.note.as_deref(),
            Some("SECRETS_COOKIE is set again (first at line 1); the later value is used")
        );
    }

    #[test]
    fn a_json_setting_that_is_no_json_and_unknown_references_are_noted() {
        let settings = parse(
            "SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS=nope\nDSN=postgres://k:${DB_PASS}@db/k\n",
        );
        assert!(
            settings[0]
                .note
                .as_deref()
                .is_some_and(|n| n.contains("is not JSON"))
        );
        assert!(
            settings[1]
                .note
                .as_deref()
                .is_some_and(|n| n.contains("refers to $DB_PASS")),
            "{:?}",
            settings[1].note
        );
    }

    #[test]
    fn the_process_environment_keeps_only_kratos_names() {
        let vars = [
            ("PATH".to_owned(), "/usr/bin".to_owned()),
            ("DSN".to_owned(), "memory".to_owned()),
            ("HOME".to_owned(), "/root".to_owned()),
        ];
        let settings = from_vars(&vars);
        assert_eq!(settings.len(), 1);
        assert_eq!(settings[0].path, "dsn");
        assert_eq!(settings[0].line, 2);
    }
}
