//! One pass of the engine over the current text: every pending operation is planned against
//! its span tree, the edits that do not collide are kept and spliced in together, and the
//! operations whose edits collide wait for the next pass over the re-parsed text.

use super::yaml::edit::{self, Edit};
use super::yaml::tree;
use super::{Format, Op, PatchError};

/// What one pass decided, by index into the planned operations.
pub(super) struct Pass {
    /// `(planned index, edit)`: the edits to splice now.
    pub edits: Vec<(usize, Edit)>,
    /// Operations whose edits collide with one kept: planned again on the next pass.
    pub deferred: Vec<usize>,
    /// Operations that cannot be applied, and why.
    pub refused: Vec<(usize, PatchError)>,
}

/// Plans the `pending` operations of `planned` against `current`. An operation collides when
/// one of its edits overlaps an edit kept in this pass, or when it creates a key another one
/// already creates (its claim).
pub(super) fn pass(
    current: &str,
    format: Format,
    planned: &[(Op, Vec<usize>)],
    pending: &[usize],
) -> Result<Pass, PatchError> {
    let (root, comments) = tree::build_document(current)?;
    let layout = super::yaml::layout_with_comments(current, &root, format, comments);
    let mut edits: Vec<(usize, Edit)> = Vec::new();
    let mut claims: Vec<String> = Vec::new();
    let mut deferred = Vec::new();
    let mut refused = Vec::new();
    for &index in pending {
        match edit::plan(&planned[index].0, &root, current, &layout) {
            Err(err) => refused.push((index, err)),
            Ok(edit::Plan::Nothing) => {}
            Ok(edit::Plan::Edits(new, claim)) => {
                let collides = new
                    .iter()
                    .any(|n| edits.iter().any(|(_, e)| overlaps(current, n, e)))
                    || claim.as_ref().is_some_and(|c| claims.contains(c));
                if collides {
                    deferred.push(index);
                } else {
                    claims.extend(claim);
                    edits.extend(new.into_iter().map(|e| (index, e)));
                }
            }
        }
    }
    Ok(Pass {
        edits,
        deferred,
        refused,
    })
}

/// Two edits collide when their ranges intersect, or when one inserts inside, at the start of,
/// or on the rest of the last line of a range the other replaces (a key inserted after a list
/// that is being rewritten would otherwise land under the wrong item). Colliding edits wait for
/// the next pass over the re-parsed text.
fn overlaps(text: &str, a: &Edit, b: &Edit) -> bool {
    let reach = |e: &Edit| {
        if e.start == e.end {
            e.end
        } else {
            edit::line_end(text, e.end)
        }
    };
    match (a.start == a.end, b.start == b.end) {
        (true, true) => false,
        (true, false) => b.start <= a.start && a.start <= reach(b),
        (false, true) => a.start <= b.start && b.start <= reach(a),
        (false, false) => a.start < reach(b) && b.start < reach(a),
    }
}

/// Applies edits sorted by position. At one point, text that continues the line (a value
/// after `key:`) goes first (found by exploring indented documents: a sibling key inserted at
/// the end of the file went between a key and its new value). Then insertions go deepest
/// first: where an inner and an outer mapping end on the same line, the inner one's new keys
/// must come before the outer one's, or they would land under the wrong parent. Then in
/// operation order.
pub(super) fn splice(text: &str, mut edits: Vec<(usize, Edit)>) -> String {
    let indent = |t: &str| {
        let line = t.trim_start_matches(['\r', '\n']);
        line.len() - line.trim_start_matches(' ').len()
    };
    edits.sort_by_key(|(index, e)| {
        let new_line = e.text.starts_with(['\r', '\n']);
        (
            e.start,
            new_line,
            std::cmp::Reverse(indent(&e.text)),
            *index,
        )
    });
    let mut out = String::with_capacity(text.len() + 256);
    let mut at = 0;
    for (_, e) in edits {
        out.push_str(&text[at..e.start]);
        out.push_str(&e.text);
        at = e.end.max(at);
    }
    out.push_str(&text[at..]);
    out
}
