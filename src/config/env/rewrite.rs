//! Setting variables in an env file that may already exist (`--secrets-to env-file:PATH`):
//! every earlier statement of those names is removed, the new ones are appended, and every
//! other byte of the file is kept, line endings included.

use super::dotenv::{self, SyntaxError, Unquotable};

/// The header of an env file created from nothing.
const HEADER: &str =
    "# Kratos secrets written by kratos-harden. Keep this file out of version control.";

/// Why the variables cannot be written. Names variables, never values.
#[derive(Debug, thiserror::Error)]
pub enum RewriteError {
    /// The existing file is not one docker compose reads.
    #[error(
        "{}:{}: {}; fix that line, or name another file with --secrets-to env-file:PATH",
        .0.line, .0.column, .0.message
    )]
    Syntax(SyntaxError),
    /// A value no quoting carries for every reader.
    #[error(
        "{name} cannot be written so that docker compose, python-dotenv and shells all read \
         it back unchanged: {why}; use --secrets-to k8s-secret:PATH, or change the secret"
    )]
    Unquotable {
        /// The variable.
        name: String,
        /// Why not.
        why: Unquotable,
    },
    /// Another variable of the file refers to a replaced one with `$`.
    #[error(
        "{other} refers to {name} with `$`, and moving {name} to the end of the file would \
         change {other}; write {other}'s value out in full first"
    )]
    RefersTo {
        /// The variable replaced.
        name: String,
        /// The variable that refers to it.
        other: String,
    },
    /// The result does not read back as written (a bug).
    #[error("internal error: {name} does not read back as written; please report this")]
    Verify {
        /// The variable.
        name: String,
    },
}

/// The text of an env file holding `vars` (name, value) after `existing` (`None`: a new file).
pub fn with_values(
    existing: Option<&str>,
    vars: &[(String, String)],
) -> Result<String, RewriteError> {
    let before = existing.unwrap_or_default();
    let parsed = dotenv::parse(before).map_err(RewriteError::Syntax)?;
    let replaced = |name: &str| vars.iter().any(|(n, _)| n == name);
    let mut out = String::with_capacity(before.len() + 64 * vars.len());
    let mut kept_to = 0;
    for statement in parsed.statements.iter().filter(|s| replaced(&s.name)) {
        out.push_str(&before[kept_to..statement.lines_span.start]);
        kept_to = statement.lines_span.end;
    }
    out.push_str(&before[kept_to..]);
    let newline = dominant_newline(before);
    if existing.is_none() {
        out.push_str(HEADER);
        out.push_str(newline);
    } else if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(newline);
    }
    for (name, value) in vars {
        let quoted = dotenv::quote(value).map_err(|why| RewriteError::Unquotable {
            name: name.clone(),
            why,
        })?;
        out.push_str(name);
        out.push('=');
        out.push_str(&quoted);
        out.push_str(newline);
    }
    check((before, &parsed), &out, vars)?;
    Ok(out)
}

/// The new text reads back with `vars` as given and every other variable unchanged.
fn check(
    before: (&str, &dotenv::Dotenv),
    text: &str,
    vars: &[(String, String)],
) -> Result<(), RewriteError> {
    let after = dotenv::parse(text).map_err(RewriteError::Syntax)?;
    let value_of = |name: &str| {
        after
            .in_force()
            .into_iter()
            .find(|(s, _)| s.name == name)
            .map(|(s, _)| s.value.clone())
    };
    for (name, value) in vars {
        if value_of(name).as_ref() != Some(value) {
            return Err(RewriteError::Verify { name: name.clone() });
        }
    }
    let (before_text, before) = before;
    for (statement, _) in before.in_force() {
        let other = &statement.name;
        if vars.iter().any(|(n, _)| n == other) || value_of(other) == Some(statement.value.clone())
        {
            continue;
        }
        let written = &before_text[statement.value_span.clone()];
        let name = vars
            .iter()
            .map(|(n, _)| n)
            .find(|n| written.contains(&format!("${n}")) || written.contains(&format!("${{{n}")))
            .map_or_else(|| "a moved variable".to_owned(), Clone::clone);
        return Err(RewriteError::RefersTo {
            name,
            other: other.clone(),
        });
    }
    Ok(())
}

/// The line ending most lines of `text` use (LF for a text without any).
fn dominant_newline(text: &str) -> &'static str {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count() - crlf;
    if crlf > lf { "\r\n" } else { "\n" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_new_file_gets_a_header_and_quoted_values() {
        let text = with_values(None, &vars(&[("SECRETS_COOKIE", "a,b"), ("DSN", "it's")]))
            .expect("writes");
        assert_eq!(
            text,
            format!("{HEADER}\nSECRETS_COOKIE='a,b'\nDSN=\"it's\"\n")
        );
    }

    #[test]
    fn old_statements_go_and_every_other_byte_stays() {
        let before = "# ops\r\nexport SECRETS_COOKIE='old'\r\nA='multi\nline' # c\nSECRETS_COOKIE=again\r\nB=1";
        let text = with_values(Some(before), &vars(&[("SECRETS_COOKIE", "new")])).expect("writes");
        assert_eq!(
            text,
            "# ops\r\nA='multi\nline' # c\nB=1\r\nSECRETS_COOKIE='new'\r\n"
        );
    }

    #[test]
    fn refusals_name_the_variable_and_never_the_value() {
        let err = with_values(None, &vars(&[("DSN", "it's $s3cr3t")])).expect_err("refused");
        let message = err.to_string();
        assert!(
            message.contains("DSN") && !message.contains("s3cr3t"),
            "{message}"
        );
        let err = with_values(Some("A=1\nB='s3cr3t\n"), &vars(&[("DSN", "x")])).expect_err("bad");
        assert!(err.to_string().starts_with("2:3: "), "{err}");
        assert!(!err.to_string().contains("s3cr3t"));
        let err = with_values(
            Some("SECRETS_DEFAULT=a\nX=${SECRETS_DEFAULT}\n"),
            &vars(&[("SECRETS_DEFAULT", "b")]),
        )
        .expect_err("refers");
        assert!(
            err.to_string().starts_with("X refers to SECRETS_DEFAULT"),
            "{err}"
        );
    }
}
