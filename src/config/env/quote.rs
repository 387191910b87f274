//! Writing a value into an env file so that docker compose, python-dotenv and a shell
//! (`set -a; . FILE; set +a`) all read back exactly the same bytes.
//!
//! Each reader has its own traps, so the rule is the intersection of what all three take
//! literally:
//!
//! - **single quotes** are literal in all three, except that compose reads `\'` as a quote
//!   (a value ending in `\` would escape the closing quote), python-dotenv turns `\\` into `\`
//!   and expands `${NAME}` even there, and nothing can hold a `'` itself;
//! - **double quotes** with `\\` and `\"` escaped read back the same everywhere as long as the
//!   value holds no `$` (compose and the shell expand it, python-dotenv keeps `\$` as is) and
//!   no backtick (command substitution in the shell), and does not end in `\` (python-dotenv's
//!   pattern would take `\\"` as an escaped quote);
//! - **bare** values are kept to characters no reader treats specially.
//!
//! A value none of these can carry (a `'` together with `$`, a trailing `\`, a carriage
//! return, which python-dotenv reads as a line break) is refused: generated secrets never hit
//! this, and a silently different secret would be worse than a clear error.

/// How a value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quote {
    /// `NAME=value`.
    Bare,
    /// `NAME='value'`.
    Single,
    /// `NAME="value"`.
    Double,
}

/// Why a value cannot be written so that every reader gets it back. Never holds the value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unquotable {
    /// A carriage return.
    #[error("it holds a carriage return, which python-dotenv reads as a line break")]
    CarriageReturn,
    /// A NUL character.
    #[error("it holds a NUL character, which no environment variable can hold")]
    Nul,
    /// A trailing backslash.
    #[error(
        "it ends in a backslash, which docker compose reads as escaping a closing single quote \
         and python-dotenv as escaping a closing double quote"
    )]
    TrailingBackslash,
    /// `${NAME}` that python-dotenv would expand.
    #[error(
        "it holds `${{…}}`, which python-dotenv expands even inside single quotes, and `$` \
         cannot be escaped in double quotes the same way for every reader"
    )]
    Reference,
    /// Needs double quotes for a `'` but holds what double quotes cannot carry.
    #[error(
        "it holds a single quote (so it needs double quotes) and also {0}, which docker \
         compose, python-dotenv and shells read differently inside double quotes"
    )]
    QuoteAnd(&'static str),
    /// Needs double quotes for `\\` but holds what double quotes cannot carry.
    #[error(
        "it holds two backslashes in a row (python-dotenv reads them as one inside single \
         quotes) and also {0}, which readers take differently inside double quotes"
    )]
    BackslashesAnd(&'static str),
}

/// `value` quoted for an env file, single quotes when they can carry it (the usual case for
/// generated secrets), else double quotes.
pub fn quote(value: &str) -> Result<String, Unquotable> {
    quote_as(value, Quote::Single)
}

/// `value` quoted in the style `prefer` when that style can carry it, else in another one
/// that can (an edited line keeps its style whenever possible).
pub fn quote_as(value: &str, prefer: Quote) -> Result<String, Unquotable> {
    if value.contains('\r') {
        return Err(Unquotable::CarriageReturn);
    }
    if value.contains('\0') {
        return Err(Unquotable::Nul);
    }
    if value.ends_with('\\') {
        return Err(Unquotable::TrailingBackslash);
    }
    let order: &[Quote] = match prefer {
        Quote::Bare => &[Quote::Bare, Quote::Single, Quote::Double],
        Quote::Single => &[Quote::Single, Quote::Double],
        Quote::Double => &[Quote::Double, Quote::Single],
    };
    for style in order {
        match style {
            Quote::Bare if bare_ok(value) => return Ok(value.to_owned()),
            Quote::Single if single_ok(value) => return Ok(format!("'{value}'")),
            Quote::Double if double_blocker(value).is_none() => {
                let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
                return Ok(format!("\"{escaped}\""));
            }
            _ => {}
        }
    }
    Err(why_not(value))
}

/// Characters no reader treats specially outside quotes (no spaces, quotes, `$`, `#`, `\`,
/// `~`, shell operators); never empty, since `NAME= # note` reads as `# note` in compose.
fn bare_ok(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:@%+,=-".contains(&b))
}

fn single_ok(value: &str) -> bool {
    !value.contains('\'') && !value.contains("\\\\") && !python_reference(value)
}

/// What keeps double quotes from carrying `value`, if anything.
fn double_blocker(value: &str) -> Option<&'static str> {
    if value.contains('$') {
        Some("a `$`")
    } else if value.contains('`') {
        Some("a backtick")
    } else {
        None
    }
}

fn why_not(value: &str) -> Unquotable {
    let blocker = double_blocker(value).unwrap_or("a `$`");
    if value.contains('\'') {
        Unquotable::QuoteAnd(blocker)
    } else if value.contains("\\\\") {
        Unquotable::BackslashesAnd(blocker)
    } else {
        Unquotable::Reference
    }
}

/// True when python-dotenv's interpolation pattern (`${name}` or `${name:-default}`, where
/// the name holds no `}` or `:`) matches somewhere in `value`.
fn python_reference(value: &str) -> bool {
    value.match_indices("${").any(|(at, _)| {
        let rest = &value[at + 2..];
        let name_end = rest.find(['}', ':']).unwrap_or(rest.len());
        let after = &rest[name_end..];
        if after.starts_with('}') {
            return true;
        }
        after
            .strip_prefix(":-")
            .is_some_and(|default| default.contains('}'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_get_single_quotes_and_quotes_get_double() {
        assert_eq!(
            quote("q8Vt2mZr7L+/xN4=").as_deref(),
            Ok("'q8Vt2mZr7L+/xN4='")
        );
        assert_eq!(quote("a $b #c").as_deref(), Ok("'a $b #c'"));
        assert_eq!(quote("it's").as_deref(), Ok("\"it's\""));
        assert_eq!(
            quote(r#"it's "x" \y"#).as_deref(),
            Ok(r#""it's \"x\" \\y""#)
        );
        assert_eq!(quote(r"a\\b").as_deref(), Ok(r#""a\\\\b""#));
        assert_eq!(quote("").as_deref(), Ok("''"));
    }

    #[test]
    fn the_preferred_style_is_kept_when_it_can_carry_the_value() {
        assert_eq!(quote_as("abc", Quote::Bare).as_deref(), Ok("abc"));
        assert_eq!(quote_as("a b", Quote::Bare).as_deref(), Ok("'a b'"));
        assert_eq!(quote_as("", Quote::Bare).as_deref(), Ok("''"));
        assert_eq!(quote_as("abc", Quote::Double).as_deref(), Ok("\"abc\""));
        assert_eq!(quote_as("a$b", Quote::Double).as_deref(), Ok("'a$b'"));
    }

    #[test]
    fn what_no_quoting_carries_is_refused_without_the_value() {
        assert_eq!(quote("it's $5"), Err(Unquotable::QuoteAnd("a `$`")));
        assert_eq!(quote("it's `x`"), Err(Unquotable::QuoteAnd("a backtick")));
        assert_eq!(quote("x${HOME}"), Err(Unquotable::Reference));
        assert_eq!(quote(r"a\\b$"), Err(Unquotable::BackslashesAnd("a `$`")));
        assert_eq!(quote(r"ends\"), Err(Unquotable::TrailingBackslash));
        assert_eq!(quote("a\rb"), Err(Unquotable::CarriageReturn));
        let message = quote("it's $s3cr3t").expect_err("refused").to_string();
        assert!(!message.contains("s3cr3t"), "{message}");
    }

    #[test]
    fn python_dotenv_references_are_recognised_as_it_does() {
        assert!(python_reference("${A}") && python_reference("x${A:-d}y"));
        assert!(python_reference("${}"), "an empty name still matches");
        assert!(!python_reference("${A:b}") && !python_reference("${A") && !python_reference("$A"));
        assert_eq!(quote("${A:b}").as_deref(), Ok("'${A:b}'"));
    }
}
