//! How file names and other untrusted text appear in output: a file name may hold control
//! characters (an attacker who can create files in a scanned folder can name one
//! `a\x1b]0;…\x07.yml` or `a\nerror: forged.yml`), and printed raw they would move the cursor,
//! retitle the terminal or forge a line of the report. Every name shown is escaped here.

use std::fmt::Write as _;
use std::path::Path;

/// `path` as shown in text output: lossy UTF-8, control characters escaped.
#[must_use]
pub fn path(path: &Path) -> String {
    text(&path.to_string_lossy())
}

/// `s` with every control character written as an escape (`\n`, `\t`, `\r`, `\u{1b}`), and a
/// backslash before a control escape left as is (a name is shown, never parsed back).
#[must_use]
pub fn text(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Control characters, plus the bidirectional overrides that make a name read backwards.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A multi-line message (an error with its causes) with control characters escaped on each
/// line: the lines stay, an escape sequence smuggled in through a name does not.
#[must_use]
pub fn message(s: &str) -> String {
    s.split('\n').map(text).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_plain_names_kept() {
        assert_eq!(path(Path::new("conf/kratos.yml")), "conf/kratos.yml");
        assert_eq!(text("a\nerror: x.yml"), "a\\nerror: x.yml");
        assert_eq!(
            text("a\u{1b}]0;pwned\u{7}.yml"),
            "a\\u{1b}]0;pwned\\u{7}.yml"
        );
        assert_eq!(text("evil\u{202e}lmy.exe"), "evil\\u{202e}lmy.exe");
        assert_eq!(text("tab\there"), "tab\\there");
    }

    #[test]
    fn messages_keep_their_lines() {
        assert_eq!(message("one\ntwo \u{1b}[2J"), "one\ntwo \\u{1b}[2J");
    }
}
