//! Turning one operation into byte edits against the span tree of the current text.

use serde_json::Value;
use serde_saphyr::granit_parser::ScalarStyle;

use super::comments;
use super::render::{self, Layout};
use super::tree::{PEntry, PKind, PNode};
use crate::patch::{Op, PatchError};

/// Replace `start..end` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced (`start` for an insertion).
    pub end: usize,
    /// The new text.
    pub text: String,
}

/// What planning an operation produced.
pub enum Plan {
    /// Edits, and the path of a key the operation creates (two creations of the same key in
    /// one pass would duplicate it).
    Edits(Vec<Edit>, Option<String>),
    /// Nothing to do (removing a key that is not there).
    Nothing,
}

/// Context of a node: the entry holding it and whether an enclosing collection is flow.
#[derive(Clone, Copy)]
struct At<'a> {
    node: &'a PNode,
    /// The entry holding this node, if it is a mapping value.
    entry: Option<&'a PEntry>,
    /// True when a collection around this node is written in flow style (`[...]`, `{...}`).
    inside_flow: bool,
}

/// Plans `op` against `root` (the tree of `text`).
pub fn plan(op: &Op, root: &PNode, text: &str, layout: &Layout) -> Result<Plan, PatchError> {
    let segments: Vec<&str> = op.path().split('.').collect();
    let mut at = At {
        node: root,
        entry: None,
        inside_flow: false,
    };
    let mut trail: Vec<At<'_>> = Vec::new();
    for (depth, segment) in segments.iter().enumerate() {
        refuse_through(at.node, text, op.path())?;
        let next = match &at.node.kind {
            PKind::Map { flow, entries } => entries
                .iter()
                .find(|e| e.key.as_deref() == Some(*segment))
                .map(|e| At {
                    node: &e.value,
                    entry: Some(e),
                    inside_flow: at.inside_flow || *flow,
                }),
            PKind::Seq { items, flow } => {
                let index: usize = segment.parse().map_err(|_| PatchError::Refused {
                    line: line_of(text, at.node.start),
                    reason: format!("`{}` is a list; '{segment}' is not an index", op.path()),
                })?;
                let Some(item) = items.get(index) else {
                    return Err(PatchError::Refused {
                        line: line_of(text, at.node.start),
                        reason: format!("`{}` has no item {index}", op.path()),
                    });
                };
                Some(At {
                    node: item,
                    entry: None,
                    inside_flow: at.inside_flow || *flow,
                })
            }
            _ => None,
        };
        match next {
            Some(next) => {
                trail.push(at);
                at = next;
            }
            None => return missing(op, at, &segments[depth..], &segments[..depth], text, layout),
        }
    }
    refuse_through(at.node, text, op.path())?;
    // Replacing or removing a node takes anything inside it along: an anchor defined there
    // would leave the aliases elsewhere pointing at nothing (the result does not parse).
    if !matches!(op, Op::Prepend { .. })
        && let Some(anchored) = anchored_inside(at.node)
    {
        return Err(PatchError::Refused {
            line: line_of(text, anchored.start),
            reason: format!(
                "`{}` holds a YAML anchor (`&…`) that aliases elsewhere may refer to",
                op.path()
            ),
        });
    }
    if let Op::Remove { path } = op
        && at.entry.is_none()
        && let Some(list) = trail.last().copied()
        && let PKind::Seq { items, flow } = &list.node.kind
    {
        let flow = *flow || list.inside_flow;
        return remove_item(path, (root, list, at), items, flow, text, layout);
    }
    if let Op::Remove { path } = op {
        // Removing a mapping's only key removes the mapping's own key too (recursively), so
        // no empty `parent:` (which reads as null) is left behind.
        while let Some(parent) = trail.last().copied() {
            let only_child = matches!(&parent.node.kind, PKind::Map { entries, flow: false } if entries.len() == 1);
            if only_child && parent.entry.is_some() {
                at = parent;
                trail.pop();
            } else {
                break;
            }
        }
        // Two removals in one mapping go in separate passes, so the second sees whether it
        // removes the last key (and must take the parent with it).
        let parent = trail.last().map_or(0, |p| p.node.start);
        let whole_document = trail.len() == 1
            && matches!(&root.kind, PKind::Map { entries, .. } if entries.len() == 1);
        let first_line = line_start(text, at.entry.map_or(at.node.start, |e| e.key_start));
        let after_block = super::tree::block_scalar_before(root, first_line);
        return remove(path, at, text, parent, whole_document, after_block);
    }
    found(op, at, text, layout)
}

/// The first node below `node` (not `node` itself) that carries an anchor.
fn anchored_inside(node: &PNode) -> Option<&PNode> {
    let children: Vec<&PNode> = match &node.kind {
        PKind::Seq { items, .. } => items.iter().collect(),
        PKind::Map { entries, .. } => entries.iter().map(|e| &e.value).collect(),
        _ => Vec::new(),
    };
    children.into_iter().find_map(|child| {
        if child.anchored {
            Some(child)
        } else {
            anchored_inside(child)
        }
    })
}

/// Anchored nodes and aliases are shared with other places: editing them would change those too.
/// A tag decides how the text after it reads (`! null` is a string), so a tagged node is left
/// to the operator as well; Kratos configs never need one.
fn refuse_through(node: &PNode, text: &str, path: &str) -> Result<(), PatchError> {
    if node.tagged {
        return Err(PatchError::Refused {
            line: line_of(text, node.start),
            reason: format!("`{path}` goes through a value with a YAML tag (`!…`)"),
        });
    }
    if node.anchored || matches!(node.kind, PKind::Alias) {
        return Err(PatchError::Refused {
            line: line_of(text, node.start),
            reason: format!("`{path}` goes through a YAML anchor or alias, which other keys share"),
        });
    }
    if let PKind::Map { entries, .. } = &node.kind
        && let Some(e) = entries
            .iter()
            .find(|e| e.key.is_none() || e.key.as_deref() == Some("<<"))
    {
        return Err(PatchError::Refused {
            line: line_of(text, e.key_start),
            reason: format!("`{path}` goes through a mapping with a complex or merge (`<<`) key"),
        });
    }
    Ok(())
}

/// The path exists: replace, remove or prepend.
fn found(op: &Op, at: At<'_>, text: &str, layout: &Layout) -> Result<Plan, PatchError> {
    let node = at.node;
    match op {
        // Removals are planned in `plan`, which knows the parents; this is the plain case.
        Op::Remove { path } => remove(path, at, text, 0, false, false),
        Op::Set { value, path } => set_existing(value, at, text, layout, path),
        Op::Prepend { value, .. } => match &node.kind {
            PKind::Seq { flow: false, items } if !items.is_empty() => {
                let mut first = line_start(text, items[0].start);
                let mut content_col = column(text, items[0].start);
                let mut dash_line = text[first..items[0].start].to_owned();
                // The first item may start on the line below its `-` (found by fuzzing): the
                // new item goes before the dash's line, as `- ` at the dash's column.
                if let Some(dash) = super::scan::dash_before(text, items[0].start)
                    && dash < first
                {
                    first = line_start(text, dash);
                    dash_line = format!("{}- ", &text[first..dash]);
                    content_col = column(text, dash) + 2;
                }
                // An empty first item (`-` and nothing) has no space after its dash (found by
                // fuzzing): the new item needs one.
                if !dash_line.ends_with(' ') && dash_line.trim_start_matches(' ') == "-" {
                    dash_line.push(' ');
                    content_col = dash_line.len();
                }
                // Between the dash and the item there may be a tag or an anchor (`- !t x`,
                // `- &a x`; found by fuzzing): the new item gets a plain `- ` instead.
                if dash_line.trim_start_matches(' ').trim_end_matches(' ') != "-" {
                    let indent = dash_line.len() - dash_line.trim_start_matches(' ').len();
                    if !dash_line[indent..].starts_with("- ") && !dash_line[indent..].eq("-") {
                        return Err(PatchError::Refused {
                            line: line_of(text, items[0].start),
                            reason: format!(
                                "`{}` starts in a way this editor cannot copy",
                                op.path()
                            ),
                        });
                    }
                    dash_line = format!("{}- ", &dash_line[..indent]);
                    content_col = indent + 2;
                }
                let line = format!(
                    "{dash_line}{}{}",
                    render::item_text(value, layout, content_col),
                    layout.newline
                );
                Ok(Plan::Edits(
                    vec![Edit {
                        start: first,
                        end: first,
                        text: line,
                    }],
                    Some(op.path().to_owned()),
                ))
            }
            PKind::Seq { flow: true, items } => {
                let open = node.start + 1;
                let rendered = render::scalar(value, layout, None, true);
                let text = if items.is_empty() {
                    rendered
                } else {
                    format!("{rendered}, ")
                };
                Ok(Plan::Edits(
                    vec![Edit {
                        start: open,
                        end: open,
                        text,
                    }],
                    Some(op.path().to_owned()),
                ))
            }
            PKind::Scalar { empty: true, .. } => set_existing(
                &Value::Array(vec![value.clone()]),
                at,
                text,
                layout,
                op.path(),
            ),
            PKind::Scalar { value: v, .. } if v == "~" || v.eq_ignore_ascii_case("null") => {
                set_existing(
                    &Value::Array(vec![value.clone()]),
                    at,
                    text,
                    layout,
                    op.path(),
                )
            }
            _ => Err(PatchError::Refused {
                line: line_of(text, node.start),
                reason: format!("`{}` is not a list", op.path()),
            }),
        },
    }
}

fn set_existing(
    value: &Value,
    at: At<'_>,
    text: &str,
    layout: &Layout,
    path: &str,
) -> Result<Plan, PatchError> {
    let node = at.node;
    let collection = matches!(value, Value::Array(a) if !a.is_empty())
        || matches!(value, Value::Object(o) if !o.is_empty());
    let edit = match &node.kind {
        PKind::Scalar { empty: true, .. } => {
            let colon = colon_after(text, at)?;
            Edit {
                start: colon,
                end: colon,
                text: value_text(value, at, text, layout),
            }
        }
        PKind::Scalar { style, .. } if !collection || at.inside_flow => {
            let start = match style {
                ScalarStyle::Literal | ScalarStyle::Folded => indicator_start(text, node.start),
                _ => node.start,
            };
            let prefer = match style {
                ScalarStyle::Literal | ScalarStyle::Folded => None,
                s => Some(*s),
            };
            Edit {
                start,
                end: node.end,
                text: render::scalar(value, layout, prefer, at.inside_flow),
            }
        }
        _ if node.is_flow() || at.inside_flow || layout.json() => {
            comments::refuse_dropping(layout, text, (node.start, node.end), path)?;
            Edit {
                start: node.start,
                end: node.end,
                text: flow_rewrite(value, node, text, layout),
            }
        }
        PKind::Seq { .. } | PKind::Map { .. } if collection => {
            // Block collection replaced by a block collection: same column, same style. The
            // last line's comment is part of what is rewritten (kept with its item, or gone
            // with it).
            let key_col = at.entry.map_or(0, |e| column(text, e.key_start));
            let end = comments::end_with_comment(text, node);
            let rendered = block_rewrite(value, node, (text, layout), key_col, (end, path))?;
            let first_line = line_start(text, node.start);
            if text[first_line..node.start].trim().is_empty() {
                Edit {
                    start: first_line,
                    end,
                    text: rendered,
                }
            } else {
                // The collection starts mid-line (after `- `): keep what precedes it.
                let rendered = rendered.trim_start().to_owned();
                Edit {
                    start: node.start,
                    end,
                    text: rendered,
                }
            }
        }
        _ => {
            // Scalar <-> block collection: splice from just after the `:`.
            let colon = colon_after(text, at)?;
            comments::refuse_dropping(layout, text, (colon, node.end), path)?;
            Edit {
                start: colon,
                end: node.end,
                text: value_text(value, at, text, layout),
            }
        }
    };
    Ok(Plan::Edits(vec![edit], None))
}

/// A block collection rewritten at its own column (full lines, up to `end`), reusing the
/// original text of scalar items that keep their value (so their quoting survives) and the
/// comments of items that stay (`comments.rs`).
fn block_rewrite(
    value: &Value,
    node: &PNode,
    (text, layout): (&str, &Layout),
    key_col: usize,
    (end, path): (usize, &str),
) -> Result<String, PatchError> {
    if let (PKind::Seq { items, .. }, Value::Array(new_items)) = (&node.kind, value) {
        // Items go where the first one's dash is (an empty block scalar item sits after its
        // header, not at the content column: found by exploring).
        let content_col = items.first().map_or(key_col + layout.step + 2, |i| {
            super::scan::dash_before(text, i.start)
                .map_or(column(text, i.start), |dash| column(text, dash) + 2)
        });
        let dash_col = content_col.saturating_sub(2);
        let lines = comments::block_list(
            (node, items),
            new_items,
            (text, layout),
            (dash_col, content_col),
            path,
        )?;
        return Ok(lines.join(layout.newline));
    }
    comments::refuse_dropping(layout, text, (node.start, end), path)?;
    let rendered = render::after_key(value, layout, key_col);
    Ok(rendered.trim_start_matches(['\r', '\n']).to_owned())
}

/// A flow collection written anew; a `[...]` list's items that keep their value keep their
/// text (quotes included), as a block list rewrite does.
fn flow_rewrite(value: &Value, node: &PNode, text: &str, layout: &Layout) -> String {
    let (PKind::Seq { items, flow: true }, Value::Array(new_items)) = (&node.kind, value) else {
        return render::scalar(value, layout, None, true);
    };
    if layout.json() {
        return render::scalar(value, layout, None, true);
    }
    let mut used = vec![false; items.len()];
    let parts: Vec<String> = new_items
        .iter()
        .map(|new| {
            // A tagged item's text reads differently without its tag: it is written anew.
            let same = |old: &PNode| {
                !old.tagged
                    && matches!((&old.kind, new), (PKind::Scalar { value, .. }, Value::String(n)) if value == n)
            };
            match (0..items.len()).find(|&i| !used[i] && same(&items[i])) {
                Some(i) => {
                    used[i] = true;
                    text[items[i].start..items[i].end].to_owned()
                }
                None => render::scalar(new, layout, None, true),
            }
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// ` scalar`, ` [..]` (flow context) or a newline and block, for the text after a `:`.
fn value_text(value: &Value, at: At<'_>, text: &str, layout: &Layout) -> String {
    let key_col = at.entry.map_or(0, |e| column(text, e.key_start));
    if at.inside_flow || (layout.json() && !matches!(value, Value::Object(_))) {
        format!(" {}", render::scalar(value, layout, None, at.inside_flow))
    } else {
        render::after_key(value, layout, key_col)
    }
}

fn remove(
    path: &str,
    at: At<'_>,
    text: &str,
    parent: usize,
    whole_document: bool,
    after_block: bool,
) -> Result<Plan, PatchError> {
    let Some(entry) = at.entry else {
        return Err(PatchError::Refused {
            line: line_of(text, at.node.start),
            reason: format!("`{path}` is a list item; only mapping keys are removed"),
        });
    };
    if at.inside_flow {
        return Err(PatchError::Refused {
            line: line_of(text, entry.key_start),
            reason: format!("`{path}` is inside a flow mapping (`{{...}}`); edit it by hand"),
        });
    }
    let start = line_start(text, entry.key_start);
    let mut end = text[at.node.end.max(entry.key_end)..]
        .find('\n')
        .map_or(text.len(), |i| at.node.end.max(entry.key_end) + i + 1);
    if after_block {
        end = swallow_tail(text, end, column(text, entry.key_start));
    }
    // The document's only key: an empty mapping keeps the file a (valid, empty) config.
    let replacement = if whole_document {
        "{}\n".to_owned()
    } else {
        String::new()
    };
    Ok(Plan::Edits(
        vec![Edit {
            start,
            end,
            text: replacement,
        }],
        Some(format!("remove-in:{parent}")),
    ))
}

/// Blank lines and comments indented deeper than `col` from `end` on: they would join a block
/// scalar before a removed entry or item (found by exploring), so they go with it.
fn swallow_tail(text: &str, mut end: usize, col: usize) -> usize {
    while end < text.len() {
        let next = line_end(text, end);
        let line = text[end..next].trim_end_matches(['\n', '\r']);
        let body = line.trim_start_matches([' ', '\t']);
        let blank = body.is_empty();
        let deeper_comment = body.starts_with('#') && line.len() - body.len() > col;
        if !(blank || deeper_comment) {
            break;
        }
        end = next;
    }
    end
}

/// Removes one item of a block list: its lines, from the dash to the end of its last line.
/// The only item leaves `[]` behind, as an empty block list cannot be written. Two removals
/// in one list go in separate passes; the fix planner sends them last index first.
fn remove_item(
    path: &str,
    (root, list, at): (&PNode, At<'_>, At<'_>),
    items: &[PNode],
    flow: bool,
    text: &str,
    layout: &Layout,
) -> Result<Plan, PatchError> {
    let refused = |reason: &str| PatchError::Refused {
        line: line_of(text, at.node.start),
        reason: format!("`{path}` {reason}; edit it by hand"),
    };
    if flow || layout.json() {
        return Err(refused("is an item of a `[...]` list"));
    }
    if items.len() == 1 {
        return set_existing(&Value::Array(Vec::new()), list, text, layout, path);
    }
    let Some(dash) = super::scan::dash_before(text, at.node.start) else {
        return Err(refused("starts in a way this editor cannot follow"));
    };
    let start = line_start(text, dash);
    let mut end = line_end(text, at.node.end.saturating_sub(1).max(at.node.start));
    if super::tree::block_scalar_before(root, start) {
        end = swallow_tail(text, end, column(text, dash));
    }
    let index = items
        .iter()
        .position(|i| std::ptr::eq(i, at.node))
        .unwrap_or(0);
    // The next item must start on a later line than this one ends.
    if let Some(next) = items.get(index + 1)
        && super::scan::dash_before(text, next.start).is_none_or(|d| d < end)
    {
        return Err(refused("shares a line with the next item"));
    }
    Ok(Plan::Edits(
        vec![Edit {
            start,
            end,
            text: String::new(),
        }],
        Some(format!("remove-in:{}", list.node.start)),
    ))
}

/// The path stops at `at` after `done`; `rest` (non-empty) is missing there.
fn missing(
    op: &Op,
    at: At<'_>,
    rest: &[&str],
    done: &[&str],
    text: &str,
    layout: &Layout,
) -> Result<Plan, PatchError> {
    let value = match op {
        Op::Remove { .. } => return Ok(Plan::Nothing),
        Op::Set { value, .. } => value.clone(),
        Op::Prepend { value, .. } => Value::Array(vec![value.clone()]),
    };
    let nested = rest[1..].iter().rev().fold(value, |inner, k| {
        let mut map = serde_json::Map::new();
        map.insert((*k).to_owned(), inner);
        Value::Object(map)
    });
    let claim = Some(
        done.iter()
            .chain(std::iter::once(&rest[0]))
            .copied()
            .collect::<Vec<_>>()
            .join("."),
    );
    let node = at.node;
    match &node.kind {
        PKind::Map {
            flow: false,
            entries,
        } if !entries.is_empty() && !layout.json() => {
            let col = column(text, entries[0].key_start);
            let after = line_end(text, node.end);
            let body = render::entry(rest[0], &nested, layout, col);
            let (start, insert) = if after == text.len() && !text.ends_with('\n') {
                (text.len(), format!("{}{body}", layout.newline))
            } else {
                (after, format!("{body}{}", layout.newline))
            };
            Ok(Plan::Edits(
                vec![Edit {
                    start,
                    end: start,
                    text: insert,
                }],
                claim,
            ))
        }
        PKind::Map { entries, .. } => {
            let Some(last) = entries.last() else {
                // `{}`: replace it with a one-entry mapping.
                let mut map = serde_json::Map::new();
                map.insert(rest[0].to_owned(), nested);
                let text_new = render::flow_collection(&Value::Object(map), layout);
                return Ok(Plan::Edits(
                    vec![Edit {
                        start: node.start,
                        end: node.end,
                        text: text_new,
                    }],
                    claim,
                ));
            };
            let multiline = text[last.value.end..node.end].contains('\n');
            let col = column(text, last.key_start);
            let entry_text = if multiline {
                format!(
                    ",{}{}",
                    layout.newline,
                    render::entry(rest[0], &nested, layout, col)
                )
            } else {
                format!(
                    ", {}: {}",
                    render::key(rest[0], layout, true),
                    render::scalar(&nested, layout, None, true)
                )
            };
            let pos = last.value.end.max(last.key_end);
            Ok(Plan::Edits(
                vec![Edit {
                    start: pos,
                    end: pos,
                    text: entry_text,
                }],
                claim,
            ))
        }
        PKind::Scalar { empty, value, .. }
            if *empty || value == "~" || value.eq_ignore_ascii_case("null") =>
        {
            let mut map = serde_json::Map::new();
            map.insert(rest[0].to_owned(), nested);
            let Plan::Edits(edits, _) =
                set_existing(&Value::Object(map), at, text, layout, op.path())?
            else {
                return Ok(Plan::Nothing);
            };
            Ok(Plan::Edits(edits, claim))
        }
        _ => Err(PatchError::Refused {
            line: line_of(text, node.start),
            reason: format!(
                "`{}` cannot be created: `{}` is not a mapping",
                op.path(),
                done.join(".")
            ),
        }),
    }
}

/// The byte after the `:` that follows the entry's key.
fn colon_after(text: &str, at: At<'_>) -> Result<usize, PatchError> {
    let entry = at.entry.ok_or_else(|| PatchError::Refused {
        line: line_of(text, at.node.start),
        reason: "a list item cannot be replaced by a block here".to_owned(),
    })?;
    text[entry.key_end..]
        .find(':')
        .map(|i| entry.key_end + i + 1)
        .ok_or_else(|| PatchError::Parse("no ':' after a key".to_owned()))
}

/// Where a block scalar's `|`/`>` indicator starts (its span starts at the content).
fn indicator_start(text: &str, content: usize) -> usize {
    // The header is the last non-blank line before the content; a comment on it may hold `|`
    // or `>` too (found by fuzzing), so only the part before the comment is searched.
    let header_end = text[..content].trim_end().len();
    let start = line_start(text, header_end);
    let line = &text[start..header_end];
    let code = super::scan::before_comment(line);
    code.rfind(['|', '>']).map_or(content, |i| start + i)
}

/// Byte column of `pos` on its line.
pub fn column(text: &str, pos: usize) -> usize {
    pos - line_start(text, pos)
}

/// Start of the line holding `pos`.
pub fn line_start(text: &str, pos: usize) -> usize {
    text[..pos.min(text.len())].rfind('\n').map_or(0, |i| i + 1)
}

/// One past the `\n` ending the line that holds `pos` (or the text's end).
pub fn line_end(text: &str, pos: usize) -> usize {
    text[pos.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| pos + i + 1)
}

/// 1-based line of `pos`.
pub fn line_of(text: &str, pos: usize) -> usize {
    text[..pos.min(text.len())].matches('\n').count() + 1
}
