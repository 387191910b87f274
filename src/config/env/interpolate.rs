//! `$` references in env-file values, as docker compose expands them in unquoted and
//! double-quoted values (compose-go `template`, the grammar `$$`, `$NAME`, `${NAME}` and
//! `${NAME<op>word}` with `:-`, `-`, `:+`, `+`, `:?`, `?`).
//!
//! Compose looks a name up in the environment it runs in first and then among the variables
//! set earlier in the same file. Only the second is known here, so a reference to any other
//! name is kept as written and reported, instead of guessing compose's environment (an empty
//! guess would make a `${DB_PASSWORD}` DSN look password-less).

/// The result of expanding one value.
pub struct Expanded {
    /// The value with every resolvable reference replaced.
    pub value: String,
    /// Names referred to that the file does not set earlier (kept as written), in order.
    pub unresolved: Vec<String>,
}

/// A reference compose refuses (`${` not followed by a name, an unclosed `${…`): compose
/// fails to load the file, so this is a syntax error.
pub struct Invalid {
    /// Byte offset of the `$` in the text given.
    pub at: usize,
    /// What is wrong and what to change.
    pub message: String,
}

/// Expands `text`; `known` gives the value of a variable set earlier in the file.
pub fn expand(text: &str, known: &dyn Fn(&str) -> Option<String>) -> Result<Expanded, Invalid> {
    let mut unresolved = Vec::new();
    let value = substitute(text, 0, known, &mut unresolved)?;
    Ok(Expanded { value, unresolved })
}

/// [`expand`] of `text`, which starts at byte `base` of the value (for error offsets).
fn substitute(
    text: &str,
    base: usize,
    known: &dyn Fn(&str) -> Option<String>,
    unresolved: &mut Vec<String>,
) -> Result<String, Invalid> {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(found) = text[at..].find('$') {
        let dollar = at + found;
        out.push_str(&text[at..dollar]);
        let after = &text[dollar + 1..];
        if after.starts_with('$') {
            // `$$` is compose's escape for one literal `$`.
            out.push('$');
            at = dollar + 2;
        } else if after.starts_with('{') {
            let (len, piece) = braced(&text[dollar..], base + dollar, known, unresolved)?;
            out.push_str(&piece);
            at = dollar + len;
        } else {
            let len = name_len(after);
            if len == 0 {
                // `$` before anything that cannot start a name is literal in compose.
                out.push('$');
            } else {
                let name = &after[..len];
                if let Some(value) = known(name) {
                    out.push_str(&value);
                } else {
                    unresolved.push(name.to_owned());
                    out.push('$');
                    out.push_str(name);
                }
            }
            at = dollar + 1 + len;
        }
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// `${…}` at the start of `text`: how many bytes it spans and what it expands to.
fn braced(
    text: &str,
    base: usize,
    known: &dyn Fn(&str) -> Option<String>,
    unresolved: &mut Vec<String>,
) -> Result<(usize, String), Invalid> {
    let invalid = |message: String| Invalid { at: base, message };
    let Some(close) = closing_brace(text) else {
        return Err(invalid(
            "`${` is never closed with `}`; write `$${` for a literal `${`".to_owned(),
        ));
    };
    let inner = &text[2..close];
    let len = name_len(inner);
    let (name, rest) = inner.split_at(len);
    let op = [":-", ":+", ":?", "-", "+", "?"]
        .into_iter()
        .find(|op| rest.starts_with(op));
    if len == 0 || (op.is_none() && !rest.is_empty()) {
        // The reference is not shown: it is part of a value, perhaps a secret.
        return Err(invalid(
            "a `${…}` that is no reference docker compose reads (`${NAME}` or \
             `${NAME:-default}`); write `$$` for a literal `$`"
                .to_owned(),
        ));
    }
    let Some(value) = known(name) else {
        unresolved.push(name.to_owned());
        return Ok((close + 1, text[..=close].to_owned()));
    };
    let Some(op) = op else {
        return Ok((close + 1, value));
    };
    let word_at = base + 2 + len + op.len();
    let mut word = || substitute(&rest[op.len()..], word_at, known, unresolved);
    let expanded = match op {
        ":-" if value.is_empty() => word()?,
        ":+" if !value.is_empty() => word()?,
        "+" => word()?,
        // Compose stops with an error when a required variable is empty; its environment
        // might still set it, so the reference stays as written, like an unknown one.
        ":?" if value.is_empty() => {
            unresolved.push(name.to_owned());
            text[..=close].to_owned()
        }
        _ => value,
    };
    Ok((close + 1, expanded))
}

/// The byte index of the `}` closing the `${` at the start of `text`, found as compose finds
/// it (braces nest; the character after each `{` is skipped). When braces do not balance,
/// compose's pattern still takes the last `}` on the line.
fn closing_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut open = 0_usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'}' => {
                open = open.saturating_sub(1);
                if open == 0 {
                    return Some(i);
                }
            }
            b'{' => {
                open += 1;
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    let line = text.split('\n').next().unwrap_or(text);
    line.rfind('}')
}

/// Length of the name at the start of `text`: `[_A-Za-z][_A-Za-z0-9]*`, else 0.
fn name_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => bytes
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> (String, Vec<String>) {
        let known = |name: &str| match name {
            "HOST" => Some("db".to_owned()),
            "EMPTY" => Some(String::new()),
            _ => None,
        };
        let out = expand(text, &known).unwrap_or_else(|e| Expanded {
            value: format!("ERR@{}", e.at),
            unresolved: Vec::new(),
        });
        (out.value, out.unresolved)
    }

    #[test]
    fn references_to_earlier_variables_are_expanded() {
        assert_eq!(run("pg://$HOST/k").0, "pg://db/k");
        assert_eq!(run("pg://${HOST}:5432").0, "pg://db:5432");
        assert_eq!(
            run("${EMPTY:-x}|${EMPTY-x}|${HOST:+y}|${EMPTY:+y}|${HOST+z}").0,
            "x||y||z"
        );
        assert_eq!(
            run("${EMPTY:-${HOST}}").0,
            "db",
            "a default is expanded too"
        );
    }

    #[test]
    fn dollar_escapes_and_literal_dollars() {
        assert_eq!(run("a$$b").0, "a$b");
        assert_eq!(run("cost $5 and $").0, "cost $5 and $");
        assert_eq!(run("$-x").0, "$-x");
    }

    #[test]
    fn unknown_names_stay_as_written_and_are_listed() {
        assert_eq!(
            run("u:${PASS}@$HOST/$DB"),
            (
                "u:${PASS}@db/$DB".to_owned(),
                vec!["PASS".to_owned(), "DB".to_owned()]
            )
        );
        assert_eq!(run("${PASS:-x}").0, "${PASS:-x}");
    }

    #[test]
    fn malformed_references_are_errors_at_their_dollar() {
        assert_eq!(run("ab${").0, "ERR@2");
        assert_eq!(run("${1A}").0, "ERR@0");
        assert_eq!(run("x ${A B}").0, "ERR@2");
    }
}
