//! Comments inside text an edit rewrites. A list or mapping written anew would lose the
//! comments between its items, so a rewrite either carries each one over (a block list's
//! items that stay keep their own comment lines and end-of-line comments) or is refused,
//! naming the comment's line. The one comment a rewrite may drop is the end-of-line comment
//! of an item it removes: it describes that item, as a removed line takes its comment along.

use serde_json::Value;
use serde_saphyr::granit_parser::ScalarStyle;

use super::edit::{line_end, line_of, line_start};
use super::render::{self, Layout};
use super::scan::dash_before;
use super::tree::{PKind, PNode};
use crate::patch::PatchError;

/// The comments starting in `start..end`.
fn inside(layout: &Layout, start: usize, end: usize) -> &[usize] {
    let from = layout.comments.partition_point(|&c| c < start);
    let to = layout.comments.partition_point(|&c| c < end);
    &layout.comments[from..to]
}

/// The refusal of an edit of `path` that would drop the comment at `at`.
fn dropped(text: &str, at: usize, path: &str) -> PatchError {
    PatchError::Refused {
        line: line_of(text, at),
        reason: format!(
            "`{path}` holds a comment that rewriting it would drop: make this change by hand"
        ),
    }
}

/// Refuses replacing `start..end` wholesale when a comment starts inside.
pub(super) fn refuse_dropping(
    layout: &Layout,
    text: &str,
    (start, end): (usize, usize),
    path: &str,
) -> Result<(), PatchError> {
    match inside(layout, start, end).first() {
        Some(&at) => Err(dropped(text, at, path)),
        None => Ok(()),
    }
}

/// Where `node`'s text ends once the end-of-line comment of its last line is counted in.
pub(super) fn end_with_comment(text: &str, node: &PNode) -> usize {
    let rest = &text[node.end..line_end(text, node.end)];
    if rest.trim_start().starts_with('#') {
        node.end + rest.trim_end_matches(['\n', '\r']).len()
    } else {
        node.end
    }
}

/// One item of a block list as written: its own text, the comment lines just above it (after
/// the item before), and the comment ending its last line.
struct Written<'t> {
    body: &'t str,
    /// Where the lines above start.
    above_start: usize,
    above: &'t str,
    trailing: &'t str,
    /// The item's string, for an item that can be kept as written.
    scalar: Option<&'t str>,
    /// Where the first comment inside the item starts (a mapping item is written anew).
    comment_inside: Option<usize>,
}

/// The lines of block list `node` rewritten as `new_items` at dash column `dash_col`. The new
/// list is the old one with items changed, removed or added, in order (as the fixes make it):
/// an item found again as written keeps its text and its comments; an item in the place of
/// one that is gone takes that one's comments; others are written anew. Refused when a comment
/// would be dropped (see the module docs).
pub(super) fn block_list(
    (node, items): (&PNode, &[PNode]),
    new_items: &[Value],
    (text, layout): (&str, &Layout),
    (dash_col, content_col): (usize, usize),
    path: &str,
) -> Result<Vec<String>, PatchError> {
    let mut written: Vec<Written<'_>> = Vec::with_capacity(items.len());
    let mut previous_end = node.start;
    for (i, item) in items.iter().enumerate() {
        let first = line_start(text, dash_before(text, item.start).unwrap_or(item.start));
        let above_start = if i == 0 {
            first
        } else {
            line_end(text, previous_end).min(first)
        };
        let end = end_with_comment(text, item);
        let scalar = match &item.kind {
            PKind::Scalar { value, style, .. }
                if !matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) =>
            {
                Some(value.as_str())
            }
            _ => None,
        };
        written.push(Written {
            body: &text[item.start..item.end],
            above_start,
            above: &text[above_start..first],
            trailing: &text[item.end..end],
            scalar,
            comment_inside: inside(layout, item.start, item.end).first().copied(),
        });
        previous_end = end;
    }
    let pairs = align(&written, new_items);
    let mut used = vec![false; written.len()];
    let mut lines = Vec::with_capacity(new_items.len());
    let indent = " ".repeat(dash_col);
    for (new, pair) in new_items.iter().zip(pairs) {
        let line = match pair {
            Some((i, true)) => {
                used[i] = true;
                let w = &written[i];
                format!("{}{indent}- {}{}", w.above, w.body, w.trailing)
            }
            Some((i, false)) => {
                // Changed in place: written anew under the old item's comments.
                let w = &written[i];
                if let Some(at) = w.comment_inside {
                    return Err(dropped(text, at, path));
                }
                used[i] = true;
                let body = render::item_text(new, layout, content_col);
                format!("{}{indent}- {body}{}", w.above, w.trailing)
            }
            None => format!("{indent}- {}", render::item_text(new, layout, content_col)),
        };
        lines.push(line);
    }
    // Removed items: their end-of-line comment goes with them; any other comment would be lost.
    for (_, w) in written.iter().enumerate().filter(|(i, _)| !used[*i]) {
        let above = inside(layout, w.above_start, w.above_start + w.above.len());
        if let Some(&at) = above.first().or(w.comment_inside.as_ref()) {
            return Err(dropped(text, at, path));
        }
    }
    Ok(lines)
}

/// For each new item, the old item it is (`true`: the same string, kept as written) or takes
/// the place of (`false`: changed), or `None` for an added one. Same strings are matched in
/// order first; an unmatched new item then takes the first unmatched old item in the same
/// gap between matches.
fn align(written: &[Written<'_>], new_items: &[Value]) -> Vec<Option<(usize, bool)>> {
    // Linear-ish in the list: an allowlist can have thousands of entries.
    let mut by_value: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, w) in written.iter().enumerate() {
        if let Some(value) = w.scalar {
            by_value.entry(value).or_default().push(i);
        }
    }
    let mut pairs: Vec<Option<(usize, bool)>> = vec![None; new_items.len()];
    let mut taken = vec![false; written.len()];
    let mut from = 0;
    for (n, new) in new_items.iter().enumerate() {
        let same = new.as_str().and_then(|v| by_value.get(v)).and_then(|at| {
            let k = at.partition_point(|&i| i < from);
            at.get(k).copied()
        });
        if let Some(i) = same {
            pairs[n] = Some((i, true));
            taken[i] = true;
            from = i + 1;
        }
    }
    // Gaps: the old items after the previous match and before the next one.
    let mut next_match = vec![written.len(); new_items.len() + 1];
    for n in (0..new_items.len()).rev() {
        next_match[n] = pairs[n].map_or(next_match[n + 1], |(i, _)| i);
    }
    let mut low = 0;
    for n in 0..new_items.len() {
        if let Some((i, _)) = pairs[n] {
            low = i + 1;
            continue;
        }
        if let Some(i) = (low..next_match[n]).find(|&i| !taken[i]) {
            pairs[n] = Some((i, false));
            taken[i] = true;
            low = i + 1;
        }
    }
    pairs
}
