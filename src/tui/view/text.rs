//! Text shaping shared by the screens: word wrap with a hanging label, catalog prose made
//! terminal-friendly, config values shown masked, and the masker that also hides typed secrets.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use serde_json::Value;

use crate::config::node::{Entry, Node, Pos, Value as NodeValue};
use crate::mask::Masker;
use crate::review::{Decision, EditKind, Session};
use crate::tui::theme::THEME;

/// Width of the label column on the proposal and welcome screens.
pub const LABEL: usize = 10;

/// Longest value shown before it is cut (the diff has the rest).
const MAX_VALUE_CHARS: usize = 200;

/// Number of characters `text` takes on screen (the wizard's text is single-width).
#[must_use]
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// `text` cut to `max` characters, with `…` when cut.
#[must_use]
pub fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Greedy word wrap; words longer than a line are split.
#[must_use]
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            loop {
                let room = if line.is_empty() {
                    max
                } else {
                    max.saturating_sub(width(&line) + 1)
                };
                if width(&word) <= room {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(&word);
                    break;
                }
                if line.is_empty() {
                    let head: String = word.chars().take(max).collect();
                    word = word.chars().skip(max).collect();
                    lines.push(head);
                } else {
                    lines.push(std::mem::take(&mut line));
                }
            }
        }
        lines.push(line);
    }
    lines
}

/// Catalog prose for the screen: without Markdown backticks and without source references
/// such as `(K:driver/config/config.go)` or `(S:3073)` (`kratos-harden explain` keeps them).
#[must_use]
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('(') {
        let after = &rest[at + 1..];
        // `(K:…)`, `(S26:…)`: an upper-case tag, digits allowed, then a colon.
        let reference = after.find(':').is_some_and(|n| {
            after.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
                && after[..n]
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        });
        if let (true, Some(close)) = (reference, after.find(')')) {
            out.push_str(rest[..at].trim_end_matches(' '));
            rest = &after[close + 1..];
        } else {
            out.push_str(&rest[..=at]);
            rest = after;
        }
    }
    out.push_str(rest);
    out.replace('`', "")
}

/// `label` in the label column followed by `text` wrapped with a hanging indent.
#[must_use]
pub fn labelled(label: &str, text: &str, style: Style, max: usize) -> Vec<Line<'static>> {
    let room = max.saturating_sub(LABEL + 1).max(10);
    under_label(label, wrap(text, room), style)
}

/// Lines with `label` in front of the first and its width of blanks before the others.
fn under_label(label: &str, parts: Vec<String>, style: Style) -> Vec<Line<'static>> {
    parts
        .into_iter()
        .enumerate()
        .map(|(n, part)| {
            let head = if n == 0 { label } else { "" };
            Line::from(vec![
                Span::styled(format!("{head:<LABEL$} "), THEME.label),
                Span::styled(part, style),
            ])
        })
        .collect()
}

/// `label` followed by a config value cut into lines at the width (values are not prose:
/// a masked `<secret: 6 chars>` or a URL is not split at its spaces), at most three lines.
#[must_use]
pub fn labelled_value(label: &str, value: &str, style: Style, max: usize) -> Vec<Line<'static>> {
    let room = max.saturating_sub(LABEL + 1).max(10);
    let chars: Vec<char> = value.chars().collect();
    let mut parts: Vec<String> = chars.chunks(room).map(|c| c.iter().collect()).collect();
    if parts.is_empty() {
        parts.push(String::new());
    }
    if parts.len() > 3 {
        parts.truncate(3);
        parts[2] = truncate(&format!("{}…", parts[2]), room);
    }
    under_label(label, parts, style)
}

/// A config value as one line of text (strings unquoted, the rest compact JSON), masked.
#[must_use]
pub fn shown(value: &Value, masker: &Masker) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    truncate(&masker.apply(&text), MAX_VALUE_CHARS)
}

/// The session's masker plus the values typed in edits that are secrets (a typed secret is
/// in neither the loaded config nor the generated list, so the session's masker misses it).
#[must_use]
pub fn masker(session: &Session) -> Masker {
    let mut masker = session.masker();
    if session.reveal {
        return masker;
    }
    let mut secrets = Vec::new();
    let mut urls = Vec::new();
    for (item, decision) in session.items.iter().zip(&session.decisions) {
        let Decision::Edited(value) = decision else {
            continue;
        };
        let strings: Vec<String> = match value {
            Value::String(s) => vec![s.clone()],
            Value::Array(items) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        match item.edit {
            Some(EditKind::Secret(_)) => secrets.extend(strings),
            Some(EditKind::Url | EditKind::UrlList | EditKind::Text) => urls.extend(strings),
            _ => {}
        }
    }
    if !secrets.is_empty() || !urls.is_empty() {
        let list = |values: Vec<String>| {
            Node::new(NodeValue::Seq(
                values
                    .into_iter()
                    .map(|s| Node::new(NodeValue::Str(s)))
                    .collect(),
            ))
        };
        let entry = |key: &str, node: Node| Entry {
            key: key.to_owned(),
            key_pos: Pos::default(),
            node,
        };
        // Under `secrets.` a value is hidden whole; elsewhere only URI passwords are.
        let root = Node::new(NodeValue::Map(vec![
            entry(
                "secrets",
                Node::new(NodeValue::Map(vec![entry("typed", list(secrets))])),
            ),
            entry("typed", list(urls)),
        ]));
        masker.add(&Masker::new(&root, &[]));
    }
    masker
}

/// The edit buffer as shown: a secret as dots unless revealed, a URL's password as dots.
#[must_use]
pub fn shown_input(buffer: &str, kind: Option<EditKind>, reveal: bool) -> String {
    if reveal {
        return buffer.to_owned();
    }
    if matches!(kind, Some(EditKind::Secret(_))) {
        return "•".repeat(width(buffer));
    }
    // scheme://user:password@host: dots for the password once the `@` is typed.
    let Some(scheme_end) = buffer.find("://") else {
        return buffer.to_owned();
    };
    let authority_start = scheme_end + 3;
    let authority_end = buffer[authority_start..]
        .find(['/', '?', '#'])
        .map_or(buffer.len(), |n| authority_start + n);
    let authority = &buffer[authority_start..authority_end];
    let Some(at) = authority.rfind('@') else {
        return buffer.to_owned();
    };
    let Some(colon) = authority[..at].find(':') else {
        return buffer.to_owned();
    };
    let password = &authority[colon + 1..at];
    format!(
        "{}{}{}",
        &buffer[..=authority_start + colon],
        "•".repeat(width(password)),
        &buffer[authority_start + at..]
    )
}

/// `n thing` / `n things`.
#[must_use]
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_with_long_words_split() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), vec![""]);
    }

    #[test]
    fn plain_drops_references_and_backticks() {
        assert_eq!(
            plain("keyed with `secrets.cookie` (K:driver/config.go#X), see (S26:2639). (a: b)"),
            "keyed with secrets.cookie, see. (a: b)"
        );
        assert_eq!(plain("(é: x) (Ké: y)"), "(é: x) (Ké: y)");
    }

    #[test]
    fn input_hides_secrets_and_url_passwords() {
        assert_eq!(
            shown_input("postgres://u:hunter2@db/k", Some(EditKind::Url), false),
            "postgres://u:•••••••@db/k"
        );
        assert_eq!(
            shown_input("postgres://u:hun", Some(EditKind::Url), false),
            "postgres://u:hun"
        );
        assert_eq!(shown_input("abc", None, true), "abc");
    }
}
