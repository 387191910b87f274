//! The text side of the patch engine for YAML and JSON (JSON is YAML here): the span tree of
//! a text (`tree.rs`, corrected by `scan.rs`), one operation turned into byte edits against it
//! (`edit.rs`), values written as text that reads back as the same value (`render.rs`), and
//! the layout a document already uses. The env-file editor is `patch/dotenv.rs`.

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
    }
}
