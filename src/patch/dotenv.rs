//! Fixes on a dotenv file: a fix whose value an env file sets rewrites that variable's value
//! and not one byte more. The name, `export`, the spacing around `=`, an inline comment, the
//! line's own ending and every other line (multi-line values, mixed CRLF/LF endings included)
//! stay as they are; the value keeps its quoting style when that style can carry the new value
//! for every reader ([`dotenv::quote_as`]). The file is then read back and every edited path
//! must hold the intended value.
//!
//! Only `Set` is supported: the value of an existing variable, or one element of a list
//! variable (`SECRETS_COOKIE=a,b` with `secrets.cookie.1`). Anything else is refused with the
//! variable to change by hand.

use serde_json::Value;

use super::{Op, PatchError, Patched};
use crate::config::env::{self, dotenv};
use crate::config::node::{Node, Pos, Value as NodeValue};

/// Applies `ops` to dotenv `text` and verifies the result.
pub fn apply(text: &str, ops: &[Op]) -> Result<Patched, PatchError> {
    let mut out = text.to_owned();
    parsed(&out)?;
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
        match edit(&mut out, op) {
            Ok(()) => {
                if let Op::Set { path, value } = op {
                    intended.push((path.clone(), value.clone()));
                }
            }
            Err(reason) => refused.push((i, reason)),
        }
    }
    verify(&out, &intended)?;
    Ok(Patched {
        text: out,
        refused,
        tree: None,
    })
}

fn refuse(line: usize, reason: String) -> PatchError {
    PatchError::Refused { line, reason }
}

/// The file as compose reads it; a file compose would refuse is not edited.
fn parsed(text: &str) -> Result<dotenv::Dotenv, PatchError> {
    dotenv::parse(text).map_err(|e| {
        PatchError::Parse(format!(
            "line {}, column {}: {}",
            e.line, e.column, e.message
        ))
    })
}

fn edit(text: &mut String, op: &Op) -> Result<(), PatchError> {
    let Op::Set { path, value } = op else {
        return Err(refuse(
            0,
            format!(
                "`{}` can only be changed by hand in the env file",
                op.path()
            ),
        ));
    };
    let file = parsed(text)?;
    // The statement in force for each Kratos variable (the last one of a name, as read).
    let vars: Vec<(&dotenv::Statement, String)> = file
        .in_force()
        .into_iter()
        .filter_map(|(s, _)| env::resolve(&s.name).map(|(p, _)| (s, p)))
        .collect();
    if let Some((var, _)) = vars.iter().find(|(_, p)| p == path) {
        let line = var.line as usize;
        let new = render(value)
            .ok_or_else(|| refuse(line, format!("`{path}` cannot be written as one variable")))?;
        return replace(text, &file, var, &new, path);
    }
    // One element of a list variable.
    if let Some((list_path, element)) = path.rsplit_once('.')
        && let Ok(element) = element.parse::<usize>()
        && let Some((var, _)) = vars.iter().find(|(_, p)| p == list_path)
    {
        let line = var.line as usize;
        let Some(mut items) = current_list(var) else {
            return Err(refuse(
                line,
                format!("`{list_path}` is not a list of strings here"),
            ));
        };
        let Some(new) = value.as_str() else {
            return Err(refuse(line, format!("`{path}` is not a string")));
        };
        match element.cmp(&items.len()) {
            std::cmp::Ordering::Less => new.clone_into(&mut items[element]),
            std::cmp::Ordering::Equal => items.push(new.to_owned()),
            std::cmp::Ordering::Greater => {
                return Err(refuse(
                    line,
                    format!("`{path}` is past the end of the list"),
                ));
            }
        }
        let rendered = render(&Value::Array(
            items.into_iter().map(Value::String).collect(),
        ))
        .ok_or_else(|| refuse(line, format!("`{list_path}` cannot be written")))?;
        return replace(text, &file, var, &rendered, path);
    }
    Err(refuse(
        0,
        format!("no variable in this env file sets `{path}`; change it where it is set"),
    ))
}

/// Writes `new` in place of `var`'s value, quoted as the line quotes it when possible. Refused
/// when the value cannot be quoted for every reader, or when the edit would change another
/// variable too (one that refers to this one with `$`).
fn replace(
    text: &mut String,
    file: &dotenv::Dotenv,
    var: &dotenv::Statement,
    new: &str,
    path: &str,
) -> Result<(), PatchError> {
    let line = var.line as usize;
    let name = &var.name;
    let written = dotenv::quote_as(new, var.quote).map_err(|why| {
        refuse(
            line,
            format!(
                "`{path}`: the new value of {name} cannot be written so that docker compose, \
                 python-dotenv and shells all read it back: {why}; set it by hand"
            ),
        )
    })?;
    let mut edited = text.clone();
    edited.replace_range(var.value_span.clone(), &written);
    let after = parsed(&edited)?;
    let others = |f: &dotenv::Dotenv| -> Vec<(String, String)> {
        f.in_force()
            .into_iter()
            .filter(|(s, _)| s.name != *name)
            .map(|(s, _)| (s.name.clone(), s.value.clone()))
            .collect()
    };
    if others(file) != others(&after) {
        return Err(refuse(
            line,
            format!(
                "`{path}`: another variable refers to {name} with `$`, so changing it would \
                 change that one too; edit the env file by hand"
            ),
        ));
    }
    *text = edited;
    Ok(())
}

/// The strings of a list variable's current value, as Kratos reads it.
fn current_list(var: &dotenv::Statement) -> Option<Vec<String>> {
    let (setting, _) = env::settings_at(&var.name, &var.value, Pos::default())?;
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
pub(crate) fn render(value: &Value) -> Option<String> {
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

    #[test]
    fn other_lines_keep_their_bytes_even_with_mixed_endings_and_multi_line_values() {
        let text = "A='one\r\ntwo'\nDEV=true # local\r\nB=\"x\ny\"\r\nexport  DSN = \"memory\"\n";
        let out = apply(
            text,
            &[
                set("dev", json!(false)),
                set("dsn", json!("postgres://k@db/k")),
            ],
        )
        .expect("patches");
        assert_eq!(
            out.text,
            "A='one\r\ntwo'\nDEV=false # local\r\nB=\"x\ny\"\r\nexport  DSN = \"postgres://k@db/k\"\n"
        );
    }

    #[test]
    fn the_quoting_style_changes_only_when_it_cannot_carry_the_value() {
        let one = |text: &str, value: &str| {
            apply(text, &[set("dsn", json!(value))])
                .expect("patches")
                .text
        };
        assert_eq!(one("DSN=\"a\"\n", "it's"), "DSN=\"it's\"\n");
        assert_eq!(one("DSN=\"a\"\n", "x$y"), "DSN='x$y'\n");
        assert_eq!(one("DSN='a'\n", "it's"), "DSN=\"it's\"\n");
        assert_eq!(one("DSN=a\n", "b"), "DSN=b\n");
    }

    #[test]
    fn a_value_no_quoting_carries_is_refused_without_showing_it() {
        let out = apply("DSN=a\n", &[set("dsn", json!("it's $s3cr3t"))]).expect("patches");
        assert_eq!(out.text, "DSN=a\n");
        let reason = out.refused[0].1.to_string();
        assert!(
            reason.contains("DSN") && !reason.contains("s3cr3t"),
            "{reason}"
        );
    }

    #[test]
    fn an_edit_that_would_change_another_variable_is_refused() {
        let text = "SECRETS_DEFAULT=old\nSECRETS_COOKIE=$SECRETS_DEFAULT\n";
        let out = apply(text, &[set("secrets.default", json!(["new"]))]).expect("patches");
        assert_eq!(out.text, text);
        assert!(out.refused[0].1.to_string().contains("refers to"));
    }

    #[test]
    fn a_file_compose_would_refuse_is_not_edited() {
        let err = apply("DSN='open\n", &[set("dsn", json!("x"))]).expect_err("refused");
        assert!(err.to_string().contains("line 1, column 5"), "{err}");
    }
}
