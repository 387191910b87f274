//! Env files read the way docker compose reads `env_file:` entries. Compose's Go parser cannot
//! run here, so this follows its source, compose-go v2.13.0 `dotenv/parser.go`
//! (<https://github.com/compose-spec/compose-go/blob/v2.13.0/dotenv/parser.go>):
//!
//! - blank lines and lines starting with `#` are skipped; a UTF-8 BOM is ignored;
//! - `[export ]NAME=value`, with spaces around `=` allowed and `:` accepted for `=`;
//! - unquoted values end at the line end, lose an inline comment starting at ` #` and trailing
//!   whitespace (so CRLF files read like LF ones);
//! - `'…'` is literal except `\'`; `"…"` decodes `\n`, `\t`, `\"`, `\\`, `\$` and the others
//!   compose knows; both may span lines;
//! - unquoted and double-quoted values expand `$` references ([`super::interpolate`]);
//! - a bare `NAME` takes its value from the environment compose runs in.
//!
//! Stricter than compose in one place: text after a closing quote other than a comment is an
//! error, where compose starts a second variable on the same line and python-dotenv drops the
//! line, so no reader agrees on it.

use std::collections::HashMap;
use std::ops::Range;

use super::interpolate;
pub use super::quote::{Quote, Unquotable, quote, quote_as};
pub use super::rewrite::{RewriteError, with_values};

/// One `NAME=value` statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The variable name.
    pub name: String,
    /// The value as compose reads it (escapes decoded, references expanded).
    pub value: String,
    /// 1-based line of the name.
    pub line: u32,
    /// The value as written, quotes included (empty for `NAME=`).
    pub value_span: Range<usize>,
    /// From the start of the statement's first line to past the line ending of its last.
    pub lines_span: Range<usize>,
    /// How the value is written.
    pub quote: Quote,
    /// Names referred to with `$` that the file does not set earlier (kept as written).
    pub unresolved: Vec<String>,
}

/// A parsed env file: every statement in order (a name set twice appears twice), and the bare
/// names compose fills from its own environment.
#[derive(Clone, Debug, Default)]
pub struct Dotenv {
    /// The statements, in file order.
    pub statements: Vec<Statement>,
    /// Bare `NAME` lines: (name, line).
    pub passed: Vec<(String, u32)>,
}

impl Dotenv {
    /// The statement in force for each name (the last one, as compose keeps the later value),
    /// with the line of the first one when the name is set more than once.
    #[must_use]
    pub fn in_force(&self) -> Vec<(&Statement, Option<u32>)> {
        let mut first: HashMap<&str, u32> = HashMap::new();
        let mut last: HashMap<&str, usize> = HashMap::new();
        for (i, s) in self.statements.iter().enumerate() {
            first.entry(&s.name).or_insert(s.line);
            last.insert(&s.name, i);
        }
        self.statements
            .iter()
            .enumerate()
            .filter(|(i, s)| last.get(s.name.as_str()) == Some(i))
            .map(|(_, s)| {
                (
                    s,
                    first
                        .get(s.name.as_str())
                        .filter(|l| **l != s.line)
                        .copied(),
                )
            })
            .collect()
    }
}

/// Why an env file cannot be read: compose would refuse it too (or, after a closing quote,
/// readers disagree on it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What is wrong and what to change; never a value.
    pub message: String,
}

/// Parses `text`; the first syntax error stops it.
pub fn parse(text: &str) -> Result<Dotenv, SyntaxError> {
    match parse_partial(text) {
        (parsed, None) => Ok(parsed),
        (_, Some(error)) => Err(error),
    }
}

/// Parses `text` up to its first syntax error: what came before it, and the error.
#[must_use]
pub fn parse_partial(text: &str) -> (Dotenv, Option<SyntaxError>) {
    let mut parser = Parser {
        text,
        pos: if text.starts_with('\u{feff}') { 3 } else { 0 },
        line_starts: std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect(),
        known: HashMap::new(),
        out: Dotenv::default(),
    };
    let error = parser.run().err();
    (parser.out, error)
}

/// Compose's "space" inside a line: whitespace other than a line feed.
fn inline_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    )
}

fn name_char(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric() || matches!(c, '_' | '.' | '-' | '[' | ']')
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    line_starts: Vec<usize>,
    /// Values set so far, for `$` references.
    known: HashMap<String, String>,
    out: Dotenv,
}

impl Parser<'_> {
    fn run(&mut self) -> Result<(), SyntaxError> {
        loop {
            self.skip(char::is_whitespace);
            let Some(c) = self.peek() else {
                return Ok(());
            };
            if c == '#' {
                self.skip(|c| c != '\n');
                continue;
            }
            self.statement()?;
        }
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn skip(&mut self, while_: impl Fn(char) -> bool) {
        let rest = &self.text[self.pos..];
        self.pos += rest.find(|c| !while_(c)).unwrap_or(rest.len());
    }

    /// 0-based line index of byte `at`.
    fn line_index(&self, at: usize) -> usize {
        self.line_starts
            .partition_point(|start| *start <= at)
            .saturating_sub(1)
    }

    fn line_of(&self, at: usize) -> u32 {
        u32::try_from(self.line_index(at) + 1).unwrap_or(u32::MAX)
    }

    fn error(&self, at: usize, message: String) -> SyntaxError {
        let start = self.line_starts[self.line_index(at)];
        let column = self.text[start..at].chars().count() + 1;
        SyntaxError {
            line: self.line_of(at),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            message,
        }
    }

    fn statement(&mut self) -> Result<(), SyntaxError> {
        let first_line = self.line_starts[self.line_index(self.pos)];
        if let Some(rest) = self.text[self.pos..].strip_prefix("export")
            && rest.starts_with(inline_space)
        {
            self.pos += "export".len();
            self.skip(inline_space);
        }
        let name_at = self.pos;
        while let Some(c) = self.peek() {
            if matches!(c, '=' | ':' | '\n') {
                break;
            }
            if !inline_space(c) && !name_char(c) {
                return Err(self.error(
                    self.pos,
                    // The character is not shown: a line with no `=` may be a pasted secret.
                    "unexpected character in a variable name; each line is `NAME=value`, \
                     `# comment` or a bare `NAME` (letters, digits, `_`, `.`, `-`)"
                        .to_owned(),
                ));
            }
            self.pos += c.len_utf8();
        }
        let name = self.text[name_at..self.pos].trim_end_matches(inline_space);
        if name.contains(inline_space) {
            return Err(self.error(
                name_at,
                "a variable name cannot hold spaces; write `NAME=value`, or start a comment \
                 with `#`"
                    .to_owned(),
            ));
        }
        if name.is_empty() {
            return Err(self.error(
                name_at,
                "a value with no variable name; write `NAME=value`".to_owned(),
            ));
        }
        let name = name.to_owned();
        if matches!(self.peek(), None | Some('\n')) {
            let line = self.line_of(name_at);
            self.out.passed.push((name, line));
            return Ok(());
        }
        self.pos += 1; // `=` or `:`
        self.skip(inline_space);
        let value_at = self.pos;
        let (value, quote, unresolved) = match self.peek() {
            Some(q @ ('\'' | '"')) => self.quoted(&name, q)?,
            _ => self.unquoted()?,
        };
        let value_span = value_at..self.pos;
        if quote == Quote::Bare {
            self.skip(|c| c != '\n');
        } else {
            self.skip(inline_space);
            match self.peek() {
                None | Some('\n') => {}
                Some('#') => self.skip(|c| c != '\n'),
                Some(_) => {
                    return Err(self.error(
                        self.pos,
                        format!(
                            "text after the closing quote of {name}; put each variable on its \
                             own line, or start a comment with `#`"
                        ),
                    ));
                }
            }
        }
        if self.peek() == Some('\n') {
            self.pos += 1;
        }
        self.known.insert(name.clone(), value.clone());
        self.out.statements.push(Statement {
            line: self.line_of(name_at),
            name,
            value,
            value_span,
            lines_span: first_line..self.pos,
            quote,
            unresolved,
        });
        Ok(())
    }

    /// An unquoted value: up to the line end, before ` #`, trailing whitespace dropped.
    fn unquoted(&mut self) -> Result<(String, Quote, Vec<String>), SyntaxError> {
        let rest = &self.text[self.pos..];
        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let raw = line
            .find(" #")
            .map_or(line, |cut| &line[..cut])
            .trim_end_matches(char::is_whitespace);
        let at = self.pos;
        let expanded = self.expand(raw, at, |offset| at + offset)?;
        self.pos += raw.len();
        Ok((expanded.value, Quote::Bare, expanded.unresolved))
    }

    /// A quoted value, scanned as compose scans it: a backslash escapes the quote (and is
    /// then dropped) or is kept with the character after it.
    fn quoted(&mut self, name: &str, q: char) -> Result<(String, Quote, Vec<String>), SyntaxError> {
        let open = self.pos;
        let mut chars = String::new();
        let mut escaped = false;
        for (i, c) in self.text[open + 1..].char_indices() {
            if c == q && !escaped {
                self.pos = open + 1 + i + 1;
                if q == '\'' {
                    return Ok((chars, Quote::Single, Vec::new()));
                }
                let expanded = self.expand(&unescape(&chars), open, |_| open)?;
                return Ok((expanded.value, Quote::Double, expanded.unresolved));
            }
            if c == '\\' && !escaped {
                escaped = true;
                continue;
            }
            if escaped && c != q {
                chars.push('\\');
            }
            escaped = false;
            chars.push(c);
        }
        Err(self.error(
            open,
            format!(
                "the value of {name} opens a quote ({q}) that is never closed; close it, and \
                 write a {q} inside the value as \\{q}"
            ),
        ))
    }

    fn expand(
        &self,
        raw: &str,
        at: usize,
        place: impl Fn(usize) -> usize,
    ) -> Result<interpolate::Expanded, SyntaxError> {
        let known = |name: &str| self.known.get(name).cloned();
        interpolate::expand(raw, &known).map_err(|e| {
            let where_ = if raw.is_empty() { at } else { place(e.at) };
            self.error(where_, e.message)
        })
    }
}

/// Compose's escapes inside double quotes: `\a \b \f \n \r \t \v \\ \"`, `\$` (a literal `$`,
/// kept as `$$` for the expansion that follows) and `\0` with up to three digits (octal,
/// `\0101` is `A`); any other backslash stays. Compose rewrites `\0NNN` to `\NNN` before
/// decoding and keeps that rewrite when the digits are no valid octal byte.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let mut next = after.chars();
        let decoded = match next.next() {
            Some('a') => Some("\u{7}"),
            Some('b') => Some("\u{8}"),
            Some('f') => Some("\u{c}"),
            Some('n') => Some("\n"),
            Some('r') => Some("\r"),
            Some('t') => Some("\t"),
            Some('v') => Some("\u{b}"),
            Some('\\') => Some("\\"),
            Some('"') => Some("\""),
            Some('$') => Some("$$"),
            _ => None,
        };
        if let Some(decoded) = decoded {
            out.push_str(decoded);
            rest = &after[1..];
        } else if let Some(octal) = after.strip_prefix('0') {
            let digits = octal.bytes().take(3).take_while(u8::is_ascii_digit).count();
            let value = (digits == 3)
                .then(|| u32::from_str_radix(&octal[..3], 8).ok())
                .flatten()
                .filter(|v| *v <= 0o377)
                .and_then(char::from_u32);
            if let Some(c) = value {
                out.push(c);
            } else {
                out.push('\\');
                out.push_str(&octal[..digits]);
            }
            rest = &octal[digits..];
        } else {
            out.push('\\');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
#[path = "dotenv_tests.rs"]
mod tests;
