//! The text side of the patch engine for YAML and JSON (JSON is YAML here): the span tree of
//! a text (`tree.rs`, corrected by `scan.rs`), one operation turned into byte edits against it
//! (`edit.rs`), values written as text that reads back as the same value (`render.rs`), and
//! the layout a document already uses. The env-file editor is `patch/dotenv.rs`.

mod comments;
pub(super) mod edit;
mod render;
mod scan;
pub(super) mod tree;

pub use render::Layout;

pub(super) use render::scalar;

use super::Format;

/// The layout (line ending, indentation step, sequence style) the document already uses.
#[must_use]
pub fn layout_of(text: &str, root: &tree::PNode, format: Format) -> Layout {
    layout_with_comments(text, root, format, Vec::new())
}

/// [`layout_of`], knowing where the document's comments start (see [`tree::build_document`]).
#[must_use]
pub fn layout_with_comments(
    text: &str,
    root: &tree::PNode,
    format: Format,
    comments: Vec<usize>,
) -> Layout {
    let mut step = None;
    let mut indentless = None;
    let mut stack = vec![(root, 0usize)];
    while let Some((node, _)) = stack.pop() {
        if let tree::PKind::Map {
            entries,
            flow: false,
        } = &node.kind
        {
            for e in entries {
                let key_col = edit::column(text, e.key_start);
                match &e.value.kind {
                    tree::PKind::Map {
                        entries: inner,
                        flow: false,
                    } if !inner.is_empty() && step.is_none() => {
                        let diff = edit::column(text, inner[0].key_start).saturating_sub(key_col);
                        if diff > 0 {
                            step = Some(diff);
                        }
                    }
                    tree::PKind::Seq { items, flow: false }
                        if !items.is_empty() && indentless.is_none() =>
                    {
                        indentless =
                            Some(edit::column(text, items[0].start).saturating_sub(2) <= key_col);
                    }
                    _ => {}
                }
                stack.push((&e.value, key_col));
            }
        }
        if let tree::PKind::Seq { items, .. } = &node.kind {
            stack.extend(items.iter().map(|i| (i, 0)));
        }
    }
    Layout {
        format,
        newline: if text.contains("\r\n") { "\r\n" } else { "\n" },
        step: step.unwrap_or(2),
        indentless: indentless.unwrap_or(false),
        comments,
    }
}

/// Every scalar of a YAML/JSON text with its dotted path and the byte range of its text as
/// written (quotes included; a block scalar's content lines). `None` when the text does not
/// parse. Masking uses it to find a secret written with escapes or over several lines.
#[must_use]
pub fn scalars(text: &str) -> Option<Vec<(String, std::ops::Range<usize>, String)>> {
    let root = tree::build(text).ok()?;
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), &root)];
    while let Some((path, node)) = stack.pop() {
        match &node.kind {
            tree::PKind::Scalar { value, empty, .. } if !empty => {
                out.push((path, node.start..node.end, value.clone()));
            }
            tree::PKind::Seq { items, .. } => stack.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| (crate::config::node::join(&path, &i.to_string()), item)),
            ),
            tree::PKind::Map { entries, .. } => stack.extend(entries.iter().filter_map(|e| {
                let key = e.key.as_deref()?;
                Some((crate::config::node::join(&path, key), &e.value))
            })),
            _ => {}
        }
    }
    Some(out)
}

/// The ways this editor may write string `s` in YAML or JSON besides plain text: double
/// quoted with JSON escapes, single quoted with `''`.
#[must_use]
pub fn quoted_forms(s: &str) -> [String; 2] {
    [render::double(s), format!("'{}'", s.replace('\'', "''"))]
}
