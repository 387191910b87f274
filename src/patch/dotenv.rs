//! Fixes on a dotenv file: a fix whose value an env file sets edits that variable's line and
//! nothing else (comments, order, `export`, quoting style and line endings kept), then the file
//! is read back and every edited path must hold the intended value.
//!
//! Only `Set` is supported: the value of an existing variable, or one element of a list
//! variable (`SECRETS_COOKIE=a,b` with `secrets.cookie.1`). Anything else is refused with the
//! variable to change by hand.

use serde_json::Value;

use super::{Op, PatchError, Patched};
use crate::config::env;
use crate::config::node::{Node, Value as NodeValue};

/// One variable line: where it sits and how its value is written.
struct Line {
    /// 0-based index in the file's lines.
    index: usize,
    /// Text before the value (`export NAME=`), kept as is.
    head: String,
    /// The quote around the value, if any.
    quote: Option<char>,
    /// The config path the variable sets.
    path: String,
}

/// Applies `ops` to dotenv `text` and verifies the result.
pub fn apply(text: &str, ops: &[Op]) -> Result<Patched, PatchError> {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut refused = Vec::new();
    let mut intended: Vec<(String, Value)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        // A variable changed twice in one batch (or a list and one of its elements) has no
        // single right reading: the later change is refused (found by fuzzing).
        let inside = |a: &str, b: &str| a.strip_prefix(b).is_some_and(|r| r.starts_with('.'));
        if let Some((earlier, _)) = intended
            .iter()
            .find(|(p, _)| p == op.path() || inside(p, op.path()) || inside(op.path(), p))
        {
            let reason = format!(
                "`{}` is changed twice in one batch (`{earlier}`)",
                op.path()
            );
            refused.push((i, refuse(0, reason)));
            continue;
        }
        match edit(&mut lines, op) {
            Ok(()) => {
                if let Op::Set { path, value } = op {
                    intended.push((path.clone(), value.clone()));
                }
            }
            Err(reason) => refused.push((i, reason)),
        }
    }
    let mut out = lines.join(newline);
    if text.ends_with('\n') {
        out.push_str(newline);
    }
    verify(&out, &intended)?;
    Ok(Patched { text: out, refused })
}

fn refuse(line: usize, reason: String) -> PatchError {
    PatchError::Refused { line, reason }
}

fn edit(lines: &mut [String], op: &Op) -> Result<(), PatchError> {
    let Op::Set { path, value } = op else {
        return Err(refuse(
            0,
            format!(
                "`{}` can only be changed by hand in the env file",
                op.path()
            ),
        ));
    };
    let vars: Vec<Line> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| parse_line(i, l))
        .collect();
    // The last definition wins, as when the file is read.
    if let Some(var) = vars.iter().rev().find(|v| v.path == *path) {
        let text = render(value).ok_or_else(|| {
            refuse(
                var.index + 1,
                format!("`{path}` cannot be written as one variable"),
            )
        })?;
        lines[var.index] = format!("{}{}", var.head, quoted(&text, var.quote));
        return Ok(());
    }
    // One element of a list variable.
    if let Some((list_path, element)) = path.rsplit_once('.')
        && let Ok(element) = element.parse::<usize>()
        && let Some(var) = vars.iter().rev().find(|v| v.path == list_path)
    {
        let current = current_list(&lines[var.index]);
        let Some(mut items) = current else {
            return Err(refuse(
                var.index + 1,
                format!("`{list_path}` is not a list of strings here"),
            ));
        };
        let Some(new) = value.as_str() else {
            return Err(refuse(var.index + 1, format!("`{path}` is not a string")));
        };
        match element.cmp(&items.len()) {
            std::cmp::Ordering::Less => new.clone_into(&mut items[element]),
            std::cmp::Ordering::Equal => items.push(new.to_owned()),
            std::cmp::Ordering::Greater => {
                return Err(refuse(
                    var.index + 1,
                    format!("`{path}` is past the end of the list"),
                ));
            }
        }
        let text = render(&Value::Array(
            items.into_iter().map(Value::String).collect(),
        ))
        .ok_or_else(|| refuse(var.index + 1, format!("`{list_path}` cannot be written")))?;
        lines[var.index] = format!("{}{}", var.head, quoted(&text, var.quote));
        return Ok(());
    }
    Err(refuse(
        0,
        format!("no variable in this env file sets `{path}`; change it where it is set"),
    ))
}

/// A variable line Kratos reads: `[export ]NAME=value`, value optionally quoted.
fn parse_line(index: usize, line: &str) -> Option<Line> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return None;
    }
    let (name_part, value) = line.split_once('=')?;
    let name = name_part
        .trim()
        .strip_prefix("export ")
        .unwrap_or(name_part.trim())
        .trim();
    let (path, _) = env::resolve(name)?;
    let value = value.trim();
    let quote = ['\'', '"']
        .into_iter()
        .find(|q| value.len() >= 2 && value.starts_with(*q) && value.ends_with(*q));
    Some(Line {
        index,
        head: format!("{name_part}="),
        quote,
        path,
    })
}

/// The strings of a list variable's current value, as Kratos reads it.
fn current_list(line: &str) -> Option<Vec<String>> {
    let settings = env::parse(line);
    let setting = settings.first()?;
    match &setting.value {
        NodeValue::Seq(items) => items
            .iter()
            .map(|n| n.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// The text of a value as a variable: strings as they are, lists as CSV when every item is
/// plain, else as a JSON array; objects as JSON. `None` when a line cannot hold it.
fn render(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let strings: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            let plain = strings.iter().all(|s| {
                !s.is_empty() && !s.contains([',', '"', '\'', '[', ' ', '#']) && s.trim() == *s
            });
            if plain {
                strings.join(",")
            } else {
                serde_json::to_string(value).ok()?
            }
        }
        Value::Null => return None,
        other => serde_json::to_string(other).ok()?,
    };
    (!text.contains(['\n', '\r'])).then_some(text)
}

/// `text` in the line's quoting: kept when it can hold the text, single quotes when the text
/// needs some, bare otherwise.
fn quoted(text: &str, quote: Option<char>) -> String {
    let needs = text.is_empty() || text.contains([' ', '#', '"', '\'', '$', '\\']);
    match quote {
        Some(q) if !text.contains(q) => format!("{q}{text}{q}"),
        _ if !needs => text.to_owned(),
        _ if !text.contains('\'') => format!("'{text}'"),
        _ => format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

/// Reads the edited text back: every intended path holds its value.
fn verify(text: &str, intended: &[(String, Value)]) -> Result<(), PatchError> {
    let mut root = Node::new(NodeValue::Map(Vec::new()));
    env::layer(&mut root, env::parse(text), 0);
    for (path, value) in intended {
        let got = root.get(path).map(Node::to_json);
        let same = match (&got, value) {
            (Some(Value::Array(a)), Value::Array(b)) => a == b,
            (Some(got), want) => {
                got == want || (got.as_str().is_some() && got.as_str() == render(want).as_deref())
            }
            (None, _) => false,
        };
        if !same {
            return Err(PatchError::Verify { path: path.clone() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(path: &str, value: Value) -> Op {
        Op::Set {
            path: path.to_owned(),
            value,
        }
    }

    #[test]
    fn only_the_variable_line_changes() {
        let text = "# prod\r\nexport LOG_LEAK_SENSITIVE_VALUES=true\r\nDSN='postgres://k:p@db/k?sslmode=verify-full'\r\n";
        let out = apply(text, &[set("log.leak_sensitive_values", json!(false))]).expect("patches");
        assert_eq!(
            out.text,
            "# prod\r\nexport LOG_LEAK_SENSITIVE_VALUES=false\r\nDSN='postgres://k:p@db/k?sslmode=verify-full'\r\n"
        );
        assert!(out.refused.is_empty());
        let again =
            apply(&out.text, &[set("log.leak_sensitive_values", json!(false))]).expect("patches");
        assert_eq!(again.text, out.text, "a second run is a no-op");
    }

    #[test]
    fn a_list_element_is_replaced_in_place_and_quoting_kept() {
        let text = "SECRETS_COOKIE=\"q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w,PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\"\n";
        let out = apply(
            text,
            &[set(
                "secrets.cookie.1",
                json!("Zk3Qw9Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp0YaQWERTY12"),
            )],
        )
        .expect("patches");
        assert_eq!(
            out.text,
            "SECRETS_COOKIE=\"q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w,Zk3Qw9Lm2Rt7Xv4Bn8Hc6Jd1Fg5Sp0YaQWERTY12\"\n"
        );
    }

    #[test]
    fn what_a_line_cannot_express_is_refused() {
        let text = "DSN=memory\n";
        let out = apply(
            text,
            &[
                Op::Remove {
                    path: "dsn".to_owned(),
                },
                set("serve.admin.host", json!("127.0.0.1")),
            ],
        )
        .expect("patches");
        assert_eq!(out.text, text);
        assert_eq!(out.refused.len(), 2);
    }

    #[test]
    fn values_that_need_quotes_get_them() {
        let out = apply(
            "COURIER_SMTP_CONNECTION_URI=x\n",
            &[set(
                "courier.smtp.connection_uri",
                json!("smtps://a:b c@h/"),
            )],
        )
        .expect("patches");
        assert_eq!(out.text, "COURIER_SMTP_CONNECTION_URI='smtps://a:b c@h/'\n");
    }

    /// Found by fuzzing: a variable set twice in one batch misverified; the second is refused.
    #[test]
    fn a_variable_changed_twice_in_one_batch_keeps_the_first() {
        let ops = [set("dsn", json!("needs: quoting")), set("dsn", json!(true))];
        let out = apply("DSN=\n", &ops).expect("patches");
        assert_eq!(out.text, "DSN='needs: quoting'\n");
        assert_eq!(out.refused.len(), 1);
        let ops = [
            set("secrets.cookie", json!(["a"])),
            set("secrets.cookie.0", json!("b")),
        ];
        let out = apply("SECRETS_COOKIE=x\n", &ops).expect("patches");
        assert_eq!(out.refused.len(), 1);
    }
}
