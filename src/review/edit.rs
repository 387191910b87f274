//! Editing a proposed value: what kind of value it is (the key table's edit kind for the
//! path, `config::keys`), how typed text (wizard) or a recorded value (`apply --answers`) is
//! checked, and putting the edited (or regenerated) value back into the operations. Both
//! front-ends go through [`validate`] or [`validate_value`], then [`judge`], so a value the
//! wizard refuses is refused by a replay too.

use serde_json::Value;

use crate::config::keys;
pub use crate::config::keys::{EditKind, SecretList};
use crate::kratos::{duration, uri::Uri};
use crate::patch::Op;
use crate::rules::rotation::acceptable;
use crate::secret::{self, Kind, Secret, SecretError};

mod judge;

use judge::holds_secret;
pub use judge::{Proof, judge};

/// The edit kind of a proposal, if it is one `Set` whose value can be typed: the key table's
/// kind for the path, when the proposed value has that shape (a value the kind cannot show,
/// such as a file path where a URL usually goes, is not offered for editing).
#[must_use]
pub fn kind_of(ops: &[Op], generated: &[(String, Secret)]) -> Option<EditKind> {
    let [Op::Set { path, value }] = ops else {
        return None;
    };
    let kind = keys::lookup(path)?.edit?;
    if let EditKind::Secret(_) = kind {
        let first = value.as_array()?.first()?.as_str()?;
        // Only a list that starts with a generated secret has a value to replace.
        generated
            .iter()
            .any(|(_, s)| s.expose() == first)
            .then_some(())?;
        return Some(kind);
    }
    if holds_secret(path, value) {
        // Editing would show the credential and record it in an answers file in plain text.
        return None;
    }
    let fits = match (kind, value) {
        (EditKind::Bool, Value::Bool(_))
        | (EditKind::Integer, Value::Number(_))
        | (EditKind::Text, Value::String(_)) => true,
        (EditKind::Duration, Value::String(s)) => {
            duration::parse(s).is_some() && !s.chars().all(|c| c.is_ascii_digit())
        }
        // A DSN or SMTP URI is text: only http(s) URLs are checked as URLs.
        (EditKind::Url, Value::String(s)) => Uri::parse(s).is_some_and(|u| is_http(&u)),
        (EditKind::UrlList, Value::Array(items)) => items
            .iter()
            .all(|i| i.as_str().is_some_and(|s| Uri::parse(s).is_some())),
        _ => false,
    };
    fits.then_some(kind)
}

/// The text an edit starts from: the proposed value (a secret only when revealed).
#[must_use]
pub fn initial_text(kind: EditKind, ops: &[Op], reveal: bool) -> String {
    let Some(Op::Set { value, .. }) = ops.first() else {
        return String::new();
    };
    match (kind, value) {
        (EditKind::Secret(_), _) if !reveal => String::new(),
        (EditKind::Secret(_), Value::Array(items)) => items
            .first()
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        (EditKind::UrlList, Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// Checks typed text; the value to use, or a message saying what is wrong. A message never
/// repeats a secret or a password typed where it does not belong.
pub fn validate(kind: EditKind, text: &str) -> Result<Value, String> {
    let text = text.trim();
    if !matches!(kind, EditKind::Secret(_))
        && text.split([',', ' ']).any(|t| password_of(t).is_some())
    {
        return Err(CREDENTIAL.to_owned());
    }
    match kind {
        EditKind::Duration => match duration::parse(text) {
            Some(_) if kratos_duration(text) => Ok(Value::String(text.to_owned())),
            // Go would parse `1.5h` or `90µs`, but Kratos's schema refuses them first.
            Some(_) => Err(format!(
                "'{text}' is not a duration Kratos accepts: write whole numbers and a unit (ns, \
                 us, ms, s, m, h), e.g. 90m or 1h30m"
            )),
            None => Err(format!(
                "'{text}' is not a duration: write e.g. 15m, 1h or 24h"
            )),
        },
        EditKind::Bool => match text {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err("write true or false".to_owned()),
        },
        EditKind::Integer => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("'{text}' is not a whole number")),
        EditKind::Url => url(text).map(Value::String),
        EditKind::UrlList => url_list(text.split([',', ' ']).filter(|s| !s.is_empty())),
        EditKind::Text if text.is_empty() => Err("the value cannot be empty".to_owned()),
        EditKind::Text if text.chars().any(char::is_control) => {
            Err("the value cannot hold line breaks, tabs or other control characters".to_owned())
        }
        EditKind::Text => Ok(Value::String(text.to_owned())),
        EditKind::Secret(list) => {
            let key = if list == SecretList::Cipher {
                "cipher"
            } else {
                "cookie"
            };
            if acceptable(key, text) {
                Ok(Value::String(text.to_owned()))
            } else if list == SecretList::Cipher {
                Err("a cipher secret must be exactly 32 ASCII characters, random, not a placeholder".to_owned())
            } else {
                Err("a secret must be at least 32 random characters, not a placeholder".to_owned())
            }
        }
    }
}

/// Checks a recorded value (an answers file's `value:`) as [`validate`] checks typed text,
/// after checking its type: a mapping where a boolean belongs is refused, not turned into
/// text. Numbers and booleans must be written unquoted, as the wizard records them.
pub fn validate_value(kind: EditKind, value: &Value) -> Result<Value, String> {
    let text = match (kind, value) {
        (EditKind::UrlList, Value::Array(items)) => {
            let texts: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            let Some(texts) = texts else {
                return Err("every entry of the list must be a URL written as a string".to_owned());
            };
            if texts.iter().any(|t| password_of(t).is_some()) {
                return Err(CREDENTIAL.to_owned());
            }
            return url_list(texts.into_iter().map(str::trim));
        }
        (EditKind::Bool, Value::Bool(_)) | (EditKind::Integer, Value::Number(_)) => {
            value.to_string()
        }
        (EditKind::Bool | EditKind::Integer, _) | (_, Value::Bool(_) | Value::Number(_)) => {
            return Err(wrong_type(kind, value));
        }
        (_, Value::String(s)) => s.clone(),
        _ => return Err(wrong_type(kind, value)),
    };
    validate(kind, &text)
}

fn wrong_type(kind: EditKind, value: &Value) -> String {
    let found = match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string (quoted)",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    };
    let wanted = match kind {
        EditKind::Duration => "a duration such as 15m",
        EditKind::Bool => "true or false, unquoted",
        EditKind::Integer => "a whole number, unquoted",
        EditKind::Url => "an http(s) URL",
        EditKind::UrlList => "a list of http(s) URLs",
        EditKind::Text => "text",
        EditKind::Secret(_) => "a secret",
    };
    format!("the value is {found}; this fix takes {wanted}")
}

/// Refusal for a credential typed or recorded where the value is shown and kept in clear.
const CREDENTIAL: &str = "the value holds a password or other credential, which would be shown \
    in the report and kept in an answers file in plain text: leave the credential out (set it \
    through the environment) and write the rest";

/// The non-empty password of `scheme://user:password@…`, if `text` is such a URI.
fn password_of(text: &str) -> Option<&str> {
    Uri::parse(text)
        .and_then(|u| u.password)
        .filter(|p| !p.is_empty())
}

fn is_http(u: &Uri<'_>) -> bool {
    u.scheme_is("https") || u.scheme_is("http")
}

/// The duration form Kratos's schema allows: `^([0-9]+(ns|us|ms|s|m|h))+$`.
fn kratos_duration(text: &str) -> bool {
    let mut rest = text;
    while !rest.is_empty() {
        let after = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        let digits = rest.len() - after.len();
        let tail = after.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        let unit = &after[..after.len() - tail.len()];
        if digits == 0 || !matches!(unit, "ns" | "us" | "ms" | "s" | "m" | "h") {
            return false;
        }
        rest = tail;
    }
    !text.is_empty()
}

fn url(text: &str) -> Result<String, String> {
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a URL cannot hold spaces, line breaks or control characters".to_owned());
    }
    match Uri::parse(text) {
        Some(u) if is_http(&u) && !u.host.is_empty() => Ok(text.to_owned()),
        _ => Err(format!("'{text}' is not an http(s) URL")),
    }
}

fn url_list<'t>(items: impl Iterator<Item = &'t str>) -> Result<Value, String> {
    let list = items
        .map(|s| url(s).map(Value::String))
        .collect::<Result<Vec<Value>, String>>()?;
    if list.is_empty() {
        Err("give at least one URL".to_owned())
    } else {
        Ok(Value::Array(list))
    }
}

/// The operations with an edited value put in (a secret replaces the new first secret).
#[must_use]
pub fn with_value(ops: &[Op], value: &Value) -> Vec<Op> {
    let [Op::Set { path, value: old }] = ops else {
        return ops.to_vec();
    };
    let new = match (old, value) {
        (Value::Array(items), Value::String(_)) if path.starts_with("secrets.") => {
            let mut items = items.clone();
            if let Some(first) = items.first_mut() {
                *first = value.clone();
            }
            Value::Array(items)
        }
        _ => value.clone(),
    };
    vec![Op::Set {
        path: path.clone(),
        value: new,
    }]
}

/// A regenerated secret: the new operations, the replaced value, the new secret and its path.
pub type Regenerated = (Vec<Op>, String, (String, Secret));

/// Replaces the generated secret in `ops` by a new one of the same length.
pub fn regenerate(
    ops: &[Op],
    generated: &[String],
    source: &mut dyn secret::Source,
) -> Result<Option<Regenerated>, SecretError> {
    for (index, op) in ops.iter().enumerate() {
        let Op::Set {
            path,
            value: Value::Array(items),
        } = op
        else {
            continue;
        };
        let Some((slot, old)) = items.iter().enumerate().find_map(|(i, v)| {
            v.as_str()
                .filter(|s| generated.iter().any(|g| g == s))
                .map(|s| (i, s.to_owned()))
        }) else {
            continue;
        };
        let kind = if old.len() == Kind::Cipher.chars() {
            Kind::Cipher
        } else {
            Kind::Signing
        };
        let fresh = Secret::generate(kind, source)?;
        let mut items = items.clone();
        items[slot] = Value::String(fresh.expose().to_owned());
        let mut new_ops = ops.to_vec();
        new_ops[index] = Op::Set {
            path: path.clone(),
            value: Value::Array(items),
        };
        return Ok(Some((new_ops, old, (path.clone(), fresh))));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_per_kind() {
        assert_eq!(validate(EditKind::Duration, "15m"), Ok(json!("15m")));
        assert!(validate(EditKind::Duration, "15 minutes").is_err());
        assert_eq!(validate(EditKind::Integer, "12"), Ok(json!(12)));
        assert!(validate(EditKind::Url, "app.acme.io").is_err());
        assert_eq!(
            validate(EditKind::UrlList, "https://a.io/, https://b.io/"),
            Ok(json!(["https://a.io/", "https://b.io/"]))
        );
        assert!(validate(EditKind::UrlList, "https://a.io/, nope").is_err());
        assert!(validate(EditKind::Secret(SecretList::Cipher), "too-short").is_err());
        assert!(
            validate(
                EditKind::Secret(SecretList::Cipher),
                "Zk3Qw9Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp0Ya"
            )
            .is_ok()
        );
        assert!(
            validate(
                EditKind::Secret(SecretList::Signing),
                "PLEASE-CHANGE-ME-I-AM-VERY-INSECURE"
            )
            .is_err()
        );
    }

    #[test]
    fn the_edit_kind_is_the_key_tables_when_the_value_fits() {
        let kind = |path: &str, value: Value| {
            let ops = [Op::Set {
                path: path.into(),
                value,
            }];
            kind_of(&ops, &[])
        };
        assert_eq!(
            kind("session.lifespan", json!("24h")),
            Some(EditKind::Duration)
        );
        assert_eq!(
            kind("serve.public.base_url", json!("https://a.io/")),
            Some(EditKind::Url)
        );
        // Kratos also takes file:// and base64:// template bodies: text, not a web URL.
        assert_eq!(
            kind(
                "courier.http.request_config.body",
                json!("https://t.io/b.jsonnet")
            ),
            Some(EditKind::Text)
        );
        assert_eq!(
            kind("selfservice.allowed_return_urls", json!(["/dashboard"])),
            None,
            "a relative path where URLs go"
        );
        assert_eq!(kind("dsn", json!("postgres://u:pw@db/k")), None);
        assert_eq!(kind("secrets.cookie", json!(["not generated now"])), None);
        assert_eq!(kind("no.such.key", json!("x")), None);
    }

    #[test]
    fn edited_secret_replaces_the_new_first_entry() {
        let ops = vec![Op::Set {
            path: "secrets.cookie".into(),
            value: json!(["generated", "kept"]),
        }];
        assert_eq!(
            with_value(&ops, &json!("typed")),
            vec![Op::Set {
                path: "secrets.cookie".into(),
                value: json!(["typed", "kept"])
            }]
        );
    }
}
