//! The key table's constraints against Kratos's own config JSON Schema, read from
//! `../shared/kratos` (never copied; the test says it skipped when the folder is absent).

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;

/// Says, on the real stderr, that a test was skipped (as the integration tests'
/// `common::skip`); under `CI=true` nothing may skip.
fn skip(why: &str) {
    use std::io::Write as _;
    assert!(
        std::env::var_os("CI").is_none_or(|v| v != "true"),
        "under CI=true no test may skip, but: {why}"
    );
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// The schema node of a path (`*` = list items), through `$ref`s and `allOf`/`oneOf`/`anyOf`
/// branches; `None` when the schema has no such key.
fn schema_node<'s>(schema: &'s Value, path: &str) -> Option<&'s Value> {
    fn resolve<'s>(schema: &'s Value, mut node: &'s Value) -> &'s Value {
        while let Some(name) = node["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/definitions/"))
        {
            node = &schema["definitions"][name];
        }
        node
    }
    fn child<'s>(schema: &'s Value, node: &'s Value, segment: &str) -> Option<&'s Value> {
        let node = resolve(schema, node);
        let direct = if segment == "*" {
            node.get("items")
        } else {
            node.get("properties").and_then(|p| p.get(segment))
        };
        direct.map(|n| resolve(schema, n)).or_else(|| {
            ["allOf", "oneOf", "anyOf"]
                .iter()
                .filter_map(|k| node.get(*k).and_then(Value::as_array))
                .flatten()
                .find_map(|branch| child(schema, branch, segment))
        })
    }
    path.split('.')
        .try_fold(schema, |node, segment| child(schema, node, segment))
}

/// A constraint the schema states on a node.
#[derive(Debug, PartialEq)]
enum Stated {
    Enum(BTreeSet<String>),
    Range(i64, i64),
    Length(usize, usize),
    Pattern(String),
}

/// What the schema node states (for a list, on its items); `None` when it states nothing
/// beyond the type.
fn stated(node: &Value) -> Option<Stated> {
    if let Some(values) = node["enum"].as_array() {
        let values = values.iter().filter_map(Value::as_str).map(str::to_owned);
        return Some(Stated::Enum(values.collect()));
    }
    let (min, max) = (node["minimum"].as_i64(), node["maximum"].as_i64());
    if min.is_some() || max.is_some() {
        return Some(Stated::Range(
            min.unwrap_or(i64::MIN),
            max.unwrap_or(i64::MAX),
        ));
    }
    let (min, max) = (node["minLength"].as_u64(), node["maxLength"].as_u64());
    if min.is_some() || max.is_some() {
        let n = |v: Option<u64>, default| v.map_or(default, |v| usize::try_from(v).expect("len"));
        return Some(Stated::Length(n(min, 0), n(max, usize::MAX)));
    }
    node["pattern"]
        .as_str()
        .map(|p| Stated::Pattern(p.to_owned()))
}

/// The duration pattern of Kratos's schema: what [`EditKind::Duration`] checks.
const DURATION: &str = "^([0-9]+(ns|us|ms|s|m|h))+$";

/// True when the line's constraint (or its edit kind, for a duration) says what `node` states.
fn agrees(key: &Key, node: &Value) -> bool {
    let want = stated(node);
    match (key.bound, want) {
        (None, None) => true,
        (None, Some(Stated::Pattern(p))) => match key.edit {
            Some(EditKind::Duration) => p == DURATION,
            // The edit box checks URLs itself; the schema's `^https?://` must agree.
            Some(EditKind::Url) => url_pattern_agrees(node),
            _ => false,
        },
        (Some(OneOf(have)), Some(Stated::Enum(want))) => {
            have.iter()
                .map(|s| (*s).to_owned())
                .collect::<BTreeSet<_>>()
                == want
        }
        (Some(Between(low, high)), Some(Stated::Range(min, max))) => (low, high) == (min, max),
        (Some(Length(low, high)), Some(Stated::Length(min, max))) => (low, high) == (min, max),
        (Some(bound @ (ByteSize | OneUnit | Prefix(_))), Some(Stated::Pattern(_))) => {
            pattern_agrees(node, bound)
        }
        _ => false,
    }
}

/// True when `bound` says what the schema's `pattern` says, checked on examples by the
/// schema itself.
fn pattern_agrees(node: &Value, bound: Bound) -> bool {
    let Ok(validator) = jsonschema::validator_for(node) else {
        return false;
    };
    let samples: Vec<String> = match bound {
        ByteSize => ["128MB", "1B", "64KB", "2EB", "MB", "128", "128mb", "1.5GB"]
            .map(str::to_owned)
            .to_vec(),
        OneUnit => [
            "1m", "30s", "100ms", "7h", "1h30m", "1.5h", "m", "10", "10d",
        ]
        .map(str::to_owned)
        .to_vec(),
        Prefix(prefixes) => prefixes
            .iter()
            .map(|p| format!("{p}mail.example.com:587/"))
            .chain(["http://mail.example.com/", "mail.example.com"].map(str::to_owned))
            .collect(),
        _ => return false,
    };
    samples.iter().all(|s| {
        let value = Value::String(s.clone());
        bound.check(&value).is_ok() == validator.is_valid(&value)
    })
}

/// True when the edit box's URL check and the schema's URL pattern agree on examples.
fn url_pattern_agrees(node: &Value) -> bool {
    let Ok(validator) = jsonschema::validator_for(node) else {
        return false;
    };
    [
        "https://hooks.example.com/x",
        "http://hooks:8080",
        "ftp://hooks.example.com/",
        "hooks.example.com",
        "file:///etc/hook",
    ]
    .iter()
    .all(|s| {
        let accepted = crate::review::validate(EditKind::Url, s).is_ok();
        accepted == validator.is_valid(&Value::from(*s))
    })
}

/// Keys whose schema constraint the table leaves out on purpose, and why.
const OPEN: &[(&str, &str)] = &[(
    "selfservice.methods.oidc.config.providers.*.provider",
    "the provider list grows with each release (v26.2.0 adds amazon, line, uaepass…): one \
     fixed list would refuse another release's provider",
)];

/// Each line's constraint is the one Kratos's v1.3.1 schema states for the key (enum lists,
/// minimum and maximum, item lengths, patterns), and a line without one names a key the
/// schema leaves open. Keys v1.3.1 does not have are checked against v26.2.0.
#[test]
fn constraints_agree_with_the_kratos_schema() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/kratos");
    if !dir.is_dir() {
        skip("../shared/kratos is not present; the key table's schema test did not run");
        return;
    }
    let read = |file: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(file)).expect("reads"))
            .expect("JSON")
    };
    let (v1, v26) = (
        read("config.schema.json"),
        read("v26.2.0/config.schema.json"),
    );
    let mut wrong = Vec::new();
    let mut checked = 0;
    for entry in all() {
        if OPEN.iter().any(|(path, _)| *path == entry.path) {
            continue;
        }
        let Some(node) = schema_node(&v1, &entry.path).or_else(|| schema_node(&v26, &entry.path))
        else {
            continue;
        };
        let node = if entry.key.env == Type::List {
            &node["items"]
        } else {
            node
        };
        if !agrees(&entry.key, node) {
            wrong.push(format!(
                "{}: the table says {:?}, the schema {:?}",
                entry.path,
                entry.key.bound,
                stated(node)
            ));
        }
        checked += usize::from(entry.key.bound.is_some());
    }
    assert!(
        wrong.is_empty(),
        "{} line(s) disagree with Kratos's schema:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(checked >= 20, "only {checked} constraints checked");
}
