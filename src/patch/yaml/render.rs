//! Writing values as YAML or JSON text that reads back as exactly that value: scalars keep
//! the style they replace when that style can hold the new text, and anything YAML would read
//! as another type (`yes`, `on`, `1e3`, `null`, `~`, a leading `*`/`&`/`!`/`#`, `: `) is
//! quoted.

use serde_json::Value;
use serde_saphyr::granit_parser::ScalarStyle;

use crate::patch::Format;

/// How the document writes things, learnt from its text.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The document's format (JSON: keys and strings always double-quoted).
    pub format: Format,
    /// Line ending: `\n` or `\r\n`.
    pub newline: &'static str,
    /// Indentation step (2 or 4).
    pub step: usize,
    /// Block sequences written at their key's column (`key:\n- a`).
    pub indentless: bool,
    /// Where each comment (`#…`) starts, in text order: a rewrite must not drop one.
    pub comments: Vec<usize>,
}

impl Layout {
    /// True for a JSON document.
    #[must_use]
    pub fn json(&self) -> bool {
        self.format == Format::Json
    }
}

/// A scalar (string, number, boolean or null) as text. `prefer` is the style being replaced;
/// `flow` is true inside `[...]`/`{...}`.
#[must_use]
pub fn scalar(value: &Value, layout: &Layout, prefer: Option<ScalarStyle>, flow: bool) -> String {
    match value {
        Value::String(s) => string(s, layout, prefer, flow),
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(_) | Value::Object(_) => flow_collection(value, layout),
    }
}

fn string(s: &str, layout: &Layout, prefer: Option<ScalarStyle>, flow: bool) -> String {
    if layout.json() {
        return double(s);
    }
    match prefer {
        Some(ScalarStyle::SingleQuoted) if !s.chars().any(char::is_control) => {
            format!("'{}'", s.replace('\'', "''"))
        }
        Some(ScalarStyle::DoubleQuoted) => double(s),
        _ if plain_safe(s, flow) => s.to_owned(),
        _ => double(s),
    }
}

/// JSON string escaping, which is also valid YAML double-quoted text.
#[must_use]
pub fn double(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// True when `s` can be written unquoted and still read back as the same string.
#[must_use]
pub fn plain_safe(s: &str, flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s
        || s.chars().any(|c| c.is_control() || c == '\u{feff}')
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || (flow && s.contains([',', '[', ']', '{', '}']))
    {
        return false;
    }
    !reads_as_other_type(s)
}

/// True when a plain scalar `s` would be read as null, a boolean or a number (YAML 1.2 core
/// schema plus the YAML 1.1 booleans serde-saphyr and Kratos's loader accept).
fn reads_as_other_type(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) {
        return true;
    }
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, ".inf" | ".nan" | "inf" | "nan" | "infinity") {
        return true;
    }
    let digits = body.replace('_', "");
    if digits.parse::<f64>().is_ok() {
        return true;
    }
    let radix = ["0x", "0o", "0b"].iter().any(|p| {
        digits
            .strip_prefix(p)
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_hexdigit()))
    });
    // YAML 1.1 sexagesimal numbers (`1:30`) and anything digit-led with only digits, dots
    // and colons is quoted too: cheap insurance, the verification catches the rest.
    radix
        || (body.starts_with(|c: char| c.is_ascii_digit())
            && body.chars().all(|c| c.is_ascii_digit() || ".:".contains(c)))
}

/// A mapping key as text.
#[must_use]
pub fn key(k: &str, layout: &Layout, flow: bool) -> String {
    if !layout.json() && plain_safe(k, flow) {
        k.to_owned()
    } else {
        double(k)
    }
}

/// A collection in flow style (`[a, b]`, `{k: v}`), JSON when the document is JSON.
#[must_use]
pub fn flow_collection(value: &Value, layout: &Layout) -> String {
    match value {
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|v| scalar(v, layout, None, true))
                .collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        key(k, layout, true),
                        scalar(v, layout, None, true)
                    )
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => scalar(other, layout, None, true),
    }
}

/// The text that follows `key:` for `value` whose key sits at column `col`: ` scalar`, ` []`,
/// or a newline and an indented block.
#[must_use]
pub fn after_key(value: &Value, layout: &Layout, col: usize) -> String {
    match value {
        Value::Array(items) if !items.is_empty() && !layout.json() => {
            let dash = if layout.indentless {
                col
            } else {
                col + layout.step
            };
            let mut out = String::new();
            for item in items {
                out.push_str(layout.newline);
                out.push_str(&" ".repeat(dash));
                out.push_str("- ");
                out.push_str(item_text(item, layout, dash + 2).trim_start_matches(' '));
            }
            out
        }
        Value::Object(map) if !map.is_empty() && !layout.json() => {
            let mut out = String::new();
            for (k, v) in map {
                out.push_str(layout.newline);
                out.push_str(&entry(k, v, layout, col + layout.step));
            }
            out
        }
        Value::Object(map) if !map.is_empty() => {
            // JSON: a pretty object whose keys sit one step right of `col`.
            let mut out = String::from(" {");
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}{}{}",
                        layout.newline,
                        " ".repeat(col + layout.step),
                        entry(k, v, layout, col + layout.step).trim_start_matches(' ')
                    )
                })
                .collect();
            out.push_str(&parts.join(","));
            out.push_str(layout.newline);
            out.push_str(&" ".repeat(col));
            out.push('}');
            out
        }
        other => format!(" {}", scalar(other, layout, None, layout.json())),
    }
}

/// `key: value` at column `col` (the first line indented, nested lines too).
#[must_use]
pub fn entry(k: &str, v: &Value, layout: &Layout, col: usize) -> String {
    format!(
        "{}{}:{}",
        " ".repeat(col),
        key(k, layout, layout.json()),
        after_key(v, layout, col)
    )
}

/// The text of one block sequence item (after its `- `) whose content starts at column `col`;
/// continuation lines are indented to `col`.
#[must_use]
pub fn item_text(item: &Value, layout: &Layout, col: usize) -> String {
    match item {
        Value::Object(map) if !map.is_empty() => {
            let mut lines: Vec<String> =
                map.iter().map(|(k, v)| entry(k, v, layout, col)).collect();
            if let Some(first) = lines.first_mut() {
                *first = first.trim_start_matches(' ').to_owned();
            }
            lines.join(layout.newline)
        }
        Value::Array(items) if !items.is_empty() => {
            flow_collection(&Value::Array(items.clone()), layout)
        }
        other => scalar(other, layout, None, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn yaml() -> Layout {
        Layout {
            format: Format::Yaml,
            newline: "\n",
            step: 2,
            indentless: false,
            comments: Vec::new(),
        }
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "yes",
            "on",
            "Off",
            "y",
            "1e3",
            "0x1F",
            "null",
            "~",
            "",
            " lead",
            "a: b",
            "a #b",
            "#x",
            "- x",
            "*x",
            "&x",
            "!x",
            "x:",
            "12",
            "1.5",
            ".inf",
            "1:30",
            "@x",
            "%x",
            "tab\there",
        ] {
            assert!(!plain_safe(s, false), "{s:?} must be quoted");
        }
        for s in [
            "kratos",
            "https://app.acme.io/",
            "xchacha20-poly1305",
            "highest_available",
            "15m",
        ] {
            assert!(plain_safe(s, false), "{s:?} can stay plain");
        }
        assert!(!plain_safe("a,b", true));
    }

    #[test]
    fn styles_are_kept_when_they_can_hold_the_text() {
        let l = yaml();
        let s = |v: &str, p| scalar(&json!(v), &l, p, false);
        assert_eq!(s("x", Some(ScalarStyle::SingleQuoted)), "'x'");
        assert_eq!(s("it's", Some(ScalarStyle::SingleQuoted)), "'it''s'");
        assert_eq!(s("x", Some(ScalarStyle::DoubleQuoted)), "\"x\"");
        assert_eq!(s("yes", Some(ScalarStyle::Plain)), "\"yes\"");
        assert_eq!(s("a\nb", Some(ScalarStyle::SingleQuoted)), "\"a\\nb\"");
    }

    #[test]
    fn blocks_after_a_key() {
        let l = yaml();
        assert_eq!(after_key(&json!("x"), &l, 0), " x");
        assert_eq!(
            after_key(&json!({"a": {"b": 1}}), &l, 2),
            "\n    a:\n      b: 1"
        );
        assert_eq!(
            after_key(&json!(["x", {"hook": "session"}]), &l, 0),
            "\n  - x\n  - hook: session"
        );
        let indentless = Layout {
            indentless: true,
            ..yaml()
        };
        assert_eq!(after_key(&json!(["x"]), &indentless, 2), "\n  - x");
        let json = Layout {
            format: Format::Json,
            ..yaml()
        };
        assert_eq!(
            after_key(&json!({"a": "b"}), &json, 2),
            " {\n    \"a\": \"b\"\n  }"
        );
    }
}
