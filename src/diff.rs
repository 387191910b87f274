//! Unified diffs of a patched file, masked, as data and as text. The TUI renders the same
//! [`Line`]s with colours; `apply --dry-run` prints [`unified`].

use std::fmt::Write as _;

use similar::{ChangeTag, TextDiff};

use crate::mask::Masker;

/// What a diff line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A hunk header (`@@ -1,3 +1,4 @@`) or file header.
    Header,
    /// Unchanged context.
    Context,
    /// Removed.
    Removed,
    /// Added.
    Added,
}

/// One line of a diff, already masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// What it is.
    pub kind: Kind,
    /// The text, without the `+`/`-`/` ` marker and without the line ending.
    pub text: String,
}

/// The diff of `before` → `after` for a file shown as `name`, with three lines of context.
#[must_use]
pub fn lines(name: &str, before: &str, after: &str, masker: &Masker) -> Vec<Line> {
    let diff = TextDiff::from_lines(before, after);
    let mut out = vec![
        Line {
            kind: Kind::Header,
            text: format!("--- a/{name}"),
        },
        Line {
            kind: Kind::Header,
            text: format!("+++ b/{name}"),
        },
    ];
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push(Line {
            kind: Kind::Header,
            text: hunk.header().to_string(),
        });
        for change in hunk.iter_changes() {
            let kind = match change.tag() {
                ChangeTag::Equal => Kind::Context,
                ChangeTag::Delete => Kind::Removed,
                ChangeTag::Insert => Kind::Added,
            };
            let text = change.value().trim_end_matches(['\n', '\r']).to_owned();
            out.push(Line {
                kind,
                text: masker.apply(&text),
            });
        }
    }
    if out.len() == 2 {
        out.clear();
    }
    out
}

/// The diff as unified text; `color` adds red/green ANSI colours.
#[must_use]
pub fn unified(lines: &[Line], color: bool) -> String {
    let mut out = String::new();
    for line in lines {
        let (marker, code) = match line.kind {
            Kind::Header if line.text.starts_with("@@") => ("", "36"),
            Kind::Header => ("", "1"),
            Kind::Context => (" ", ""),
            Kind::Removed => ("-", "31"),
            Kind::Added => ("+", "32"),
        };
        if color && !code.is_empty() {
            let _ = writeln!(out, "\x1b[{code}m{marker}{}\x1b[0m", line.text);
        } else {
            out.push_str(marker);
            out.push_str(&line.text);
            out.push('\n');
        }
    }
    out
}

/// Counts of removed and added lines.
#[must_use]
pub fn stats(lines: &[Line]) -> (usize, usize) {
    let removed = lines.iter().filter(|l| l.kind == Kind::Removed).count();
    let added = lines.iter().filter(|l| l.kind == Kind::Added).count();
    (removed, added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_lines_are_marked_and_secrets_masked() {
        let root: crate::config::node::Node =
            serde_saphyr::from_str("secrets:\n  cookie: [PLEASE-CHANGE-ME-I-AM-VERY-INSECURE]\n")
                .expect("parses");
        let masker = Masker::new(&root, &[]);
        let diff = lines(
            "kratos.yml",
            "a: 1\nsecrets:\n  cookie: [PLEASE-CHANGE-ME-I-AM-VERY-INSECURE]\nb: 2\n",
            "a: 1\nsecrets:\n  cookie: [new]\nb: 2\n",
            &masker,
        );
        assert_eq!(stats(&diff), (1, 1));
        let text = unified(&diff, false);
        assert!(text.contains("-  cookie: [<secret: 35 chars>]"), "{text}");
        assert!(text.contains("+  cookie: [new]"));
        assert!(text.starts_with("--- a/kratos.yml\n+++ b/kratos.yml\n@@"));
        assert!(lines("x", "same\n", "same\n", &masker).is_empty());
    }
}
