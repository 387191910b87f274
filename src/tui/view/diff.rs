//! A masked unified diff as styled lines: headers, context, removed and added lines, and for
//! each removed line paired with an added one the changed words picked out. Word diffs are
//! computed only for the lines on screen, so a long diff scrolls as fast as a short one.

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use similar::{ChangeTag, TextDiff};

use crate::diff::{Kind, Line as DiffLine};
use crate::mask::Masker;
use crate::tui::theme::THEME;

/// How far outside the screen a block of changed lines is followed to pair its lines.
const PAIR_LOOKAROUND: usize = 200;

/// Below this similarity a paired line is shown whole rather than word by word.
const MIN_RATIO: f32 = 0.3;

/// Renders `lines[top..]` into `area`; lines too wide end in `›`.
pub fn render(lines: &[DiffLine], top: usize, masker: &Masker, area: Rect, buf: &mut Buffer) {
    let height = usize::from(area.height);
    let bottom = (top + height).min(lines.len());
    let partners = pairs(lines, top, bottom);
    let mut shown = Vec::with_capacity(bottom.saturating_sub(top));
    let mut clipped = Vec::new();
    for index in top..bottom {
        let line = &lines[index];
        let hide = |t: &str| masker.apply(t);
        let styled = match (line.kind, partners.get(&index)) {
            (Kind::Removed | Kind::Added, Some(&partner)) => {
                let (old, new) = if line.kind == Kind::Removed {
                    (hide(&line.text), hide(&lines[partner].text))
                } else {
                    (hide(&lines[partner].text), hide(&line.text))
                };
                words(line.kind, &old, &new)
            }
            _ => plain(line.kind, &hide(&line.text)),
        };
        if styled.width() > usize::from(area.width) {
            clipped.push(index - top);
        }
        shown.push(styled);
    }
    Paragraph::new(shown).render(area, buf);
    if area.width > 0 {
        for row in clipped {
            let y = area.y + u16::try_from(row).unwrap_or(u16::MAX);
            if let Some(cell) = buf.cell_mut((area.x + area.width - 1, y)) {
                cell.set_symbol("›").set_style(THEME.muted);
            }
        }
    }
}

/// A line without word highlights.
fn plain(kind: Kind, text: &str) -> Line<'static> {
    match kind {
        Kind::Header if text.starts_with("@@") => Line::styled(text.to_owned(), THEME.diff_header),
        Kind::Header => Line::styled(text.to_owned(), THEME.heading),
        Kind::Context => Line::styled(format!(" {text}"), THEME.text),
        Kind::Removed => Line::styled(format!("-{text}"), THEME.removed),
        Kind::Added => Line::styled(format!("+{text}"), THEME.added),
    }
}

/// One side of a removed/added pair with the changed words emphasised.
fn words(kind: Kind, old: &str, new: &str) -> Line<'static> {
    let diff = TextDiff::from_words(old, new);
    if diff.ratio() < MIN_RATIO {
        return plain(kind, if kind == Kind::Removed { old } else { new });
    }
    let (marker, base, emphasis, other) = if kind == Kind::Removed {
        ("-", THEME.removed, THEME.removed_word, ChangeTag::Insert)
    } else {
        ("+", THEME.added, THEME.added_word, ChangeTag::Delete)
    };
    let mut spans = vec![Span::styled(marker, base)];
    for change in diff.iter_all_changes() {
        let tag = change.tag();
        if tag == other {
            continue;
        }
        let style = if tag == ChangeTag::Equal {
            base
        } else {
            emphasis
        };
        spans.push(Span::styled(change.value().to_owned(), style));
    }
    Line::from(spans)
}

/// Partners of the removed/added lines in `top..bottom`: in each block of changes, the n-th
/// removed line pairs with the n-th added line.
fn pairs(lines: &[DiffLine], top: usize, bottom: usize) -> HashMap<usize, usize> {
    let changed = |i: usize| matches!(lines[i].kind, Kind::Removed | Kind::Added);
    let mut start = top.min(lines.len());
    while start > 0 && top - start < PAIR_LOOKAROUND && changed(start - 1) {
        start -= 1;
    }
    let mut end = bottom.min(lines.len());
    while end < lines.len() && end - bottom < PAIR_LOOKAROUND && changed(end) {
        end += 1;
    }
    let mut partners = HashMap::new();
    let mut i = start;
    while i < end {
        if lines[i].kind != Kind::Removed {
            i += 1;
            continue;
        }
        let removed = i;
        while i < end && lines[i].kind == Kind::Removed {
            i += 1;
        }
        let added = i;
        while i < end && lines[i].kind == Kind::Added {
            i += 1;
        }
        for n in 0..(added - removed).min(i - added) {
            let (r, a) = (removed + n, added + n);
            if (top..bottom).contains(&r) || (top..bottom).contains(&a) {
                partners.insert(r, a);
                partners.insert(a, r);
            }
        }
    }
    partners
}

/// `removed, added` line counts as `-3 +5`.
#[must_use]
pub fn stats(lines: &[DiffLine]) -> String {
    let (removed, added) = crate::diff::stats(lines);
    format!("-{removed} +{added}")
}

/// Which lines are shown, as `lines 1–12 of 40`.
#[must_use]
pub fn position(top: usize, height: usize, total: usize) -> String {
    if total == 0 {
        return String::new();
    }
    let last = (top + height).min(total);
    format!("lines {}–{last} of {total}", top + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: Kind, text: &str) -> DiffLine {
        DiffLine {
            kind,
            text: text.to_owned(),
        }
    }

    #[test]
    fn pairs_removed_and_added_lines_of_a_block() {
        let lines = vec![
            line(Kind::Header, "@@"),
            line(Kind::Removed, "a: 1"),
            line(Kind::Removed, "b: 1"),
            line(Kind::Added, "a: 2"),
            line(Kind::Context, "c"),
            line(Kind::Added, "d: 1"),
        ];
        let partners = pairs(&lines, 0, lines.len());
        assert_eq!(partners.get(&1), Some(&3));
        assert_eq!(partners.get(&3), Some(&1));
        assert_eq!(partners.get(&2), None);
        assert_eq!(partners.get(&5), None);
        // A window that starts inside the block still pairs across its edge.
        assert_eq!(pairs(&lines, 3, 4).get(&3), Some(&1));
    }

    #[test]
    fn word_diff_marks_only_the_changed_words() {
        let removed = words(Kind::Removed, "  level: debug", "  level: info");
        let emphasised: Vec<&str> = removed
            .spans
            .iter()
            .filter(|s| s.style == THEME.removed_word)
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(emphasised, vec!["debug"]);
    }
}
