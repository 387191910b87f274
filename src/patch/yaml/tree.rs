//! A span tree of a YAML/JSON text, built from `granit-parser` events: for every node its
//! byte range, style and, for mappings, each key's range. It is what the patcher splices into.
//!
//! Encoded parser quirks (crates.md §2): block `MappingStart` is zero-width at the first key;
//! an indentless sequence starts at its first item's text, an indented one at `-`; block
//! collection end events sit at the next token, so a block collection's end is its last
//! child's end; an empty value (`key:`) is a zero-width scalar at the key's end; literal and
//! folded scalars start at their content and run into the next line's indentation, and one
//! with no content at all is placed at the next token (we place it at its header's end).
//! Those corrections, and the later ones fuzzing found, are text searches in `scan.rs`.

use serde_saphyr::granit_parser::{Event, Parser, ScalarStyle, StructureStyle};

use super::edit::column;
use super::scan::{block_span, colon_after, content_before, dash_before, empty_at};
use crate::patch::PatchError;

/// A node of the span tree.
#[derive(Clone, Debug)]
pub struct PNode {
    /// First byte of the node's text (content start for block scalars).
    pub start: usize,
    /// One past the last byte of the node's own text (trailing blank lines excluded).
    pub end: usize,
    /// What the node is.
    pub kind: PKind,
    /// True when the node carries an anchor (`&name`).
    pub anchored: bool,
    /// True when the node carries a tag (`!name`, `!!str`, a bare `!`), which changes how its
    /// text reads: a rewritten value would keep or lose it, so edits through it are refused.
    pub tagged: bool,
}

/// The kinds of node.
#[derive(Clone, Debug)]
pub enum PKind {
    /// A scalar with its style and parsed text; `empty` for `key:` with nothing after it.
    Scalar {
        /// Plain, quoted, literal or folded.
        style: ScalarStyle,
        /// The scalar's text as YAML reads it.
        value: String,
        /// True for a missing value (`key:`).
        empty: bool,
    },
    /// A sequence.
    Seq {
        /// Flow (`[a, b]`) or block (`- a`).
        flow: bool,
        /// The items.
        items: Vec<PNode>,
    },
    /// A mapping.
    Map {
        /// Flow (`{a: b}`) or block.
        flow: bool,
        /// The entries in text order.
        entries: Vec<PEntry>,
    },
    /// An alias (`*name`).
    Alias,
}

/// One `key: value` of a mapping.
#[derive(Clone, Debug)]
pub struct PEntry {
    /// The key text (`None` for a complex key such as a mapping used as a key).
    pub key: Option<String>,
    /// Byte range of the key (including quotes).
    pub key_start: usize,
    /// End of the key.
    pub key_end: usize,
    /// The value.
    pub value: PNode,
}

impl PNode {
    /// Line-aware helpers need to know whether this is a flow collection.
    #[must_use]
    pub fn is_flow(&self) -> bool {
        matches!(
            self.kind,
            PKind::Seq { flow: true, .. } | PKind::Map { flow: true, .. }
        )
    }
}

/// Parses `text` into a span tree; several documents are refused.
pub fn build(text: &str) -> Result<PNode, PatchError> {
    build_document(text).map(|(root, _)| root)
}

/// [`build`], with where each comment starts (in text order).
pub fn build_document(text: &str) -> Result<(PNode, Vec<usize>), PatchError> {
    let mut events = Vec::new();
    let mut comments = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(result) = parser.next_event() {
        let (event, span) = result.map_err(|e| PatchError::Parse(e.to_string()))?;
        let range = span.byte_range().unwrap_or(0..0);
        if matches!(event, Event::Comment(..)) {
            comments.push(range.start);
            continue;
        }
        events.push((event, range.start, range.end));
    }
    let documents = events
        .iter()
        .filter(|(e, _, _)| matches!(e, Event::DocumentStart(..)))
        .count();
    if documents > 1 {
        return Err(PatchError::Refused {
            line: 1,
            reason: "the file holds several YAML documents".to_owned(),
        });
    }
    let mut cursor = events
        .iter()
        .position(|(e, _, _)| matches!(e, Event::DocumentStart(..)))
        .map_or(events.len(), |i| i + 1);
    let root = node(&events, &mut cursor, text)?;
    Ok((root, comments))
}

type Ev<'a> = (Event<'a>, usize, usize);

fn node(events: &[Ev<'_>], cursor: &mut usize, text: &str) -> Result<PNode, PatchError> {
    let Some((event, start, end)) = events.get(*cursor) else {
        return Err(PatchError::Parse("unexpected end of document".to_owned()));
    };
    *cursor += 1;
    let tagged = event.tag().is_some();
    match event {
        Event::Scalar(value, style, anchor, _) => {
            let (start, end) = match style {
                ScalarStyle::Literal | ScalarStyle::Folded => block_span(text, value, *start, *end),
                ScalarStyle::Plain if start == end => {
                    let at = empty_at(text, *start);
                    (at, at)
                }
                _ => (*start, *end),
            };
            Ok(PNode {
                start,
                end,
                kind: PKind::Scalar {
                    style: *style,
                    value: value.to_string(),
                    empty: start == end && *style == ScalarStyle::Plain,
                },
                anchored: *anchor != 0,
                tagged,
            })
        }
        Event::Alias(_) | Event::UnresolvedAlias(_) => Ok(PNode {
            start: *start,
            end: *end,
            kind: PKind::Alias,
            anchored: false,
            tagged: false,
        }),
        Event::SequenceStart(style, anchor, _) => {
            let flow = *style == StructureStyle::Flow;
            let mut items = Vec::new();
            let mut last_end = *end;
            loop {
                match events.get(*cursor) {
                    Some((Event::SequenceEnd, _, e)) => {
                        *cursor += 1;
                        if flow {
                            last_end = *e;
                        }
                        break;
                    }
                    Some(_) => {
                        let item = node(events, cursor, text)?;
                        last_end = last_end.max(item.end);
                        items.push(item);
                    }
                    None => return Err(PatchError::Parse("unclosed sequence".to_owned())),
                }
            }
            // An indentless sequence reports its start at the first item's text: use the `-`.
            let start = match items.first() {
                Some(first) if !flow => dash_before(text, first.start).unwrap_or(*start),
                _ => *start,
            };
            Ok(PNode {
                start,
                end: last_end,
                kind: PKind::Seq { flow, items },
                anchored: *anchor != 0,
                tagged,
            })
        }
        Event::MappingStart(style, anchor, _) => {
            let mut map = mapping(events, cursor, text, *style, *anchor != 0, *start, *end)?;
            map.tagged = tagged;
            Ok(map)
        }
        other => Err(PatchError::Parse(format!("unexpected {other:?}"))),
    }
}

/// The rest of a mapping after its `MappingStart` event.
fn mapping(
    events: &[Ev<'_>],
    cursor: &mut usize,
    text: &str,
    style: StructureStyle,
    anchored: bool,
    start: usize,
    end: usize,
) -> Result<PNode, PatchError> {
    let flow = style == StructureStyle::Flow;
    let mut entries = Vec::new();
    let mut last_end = end;
    loop {
        match events.get(*cursor) {
            Some((Event::MappingEnd, _, e)) => {
                *cursor += 1;
                if flow {
                    last_end = *e;
                }
                break;
            }
            Some(_) => {
                let key = node(events, cursor, text)?;
                let value = node(events, cursor, text)?;
                // An empty value sits at the key's end, before the `:`: the entry ends after
                // it (found by fuzzing: replacing the mapping left a stray colon behind).
                // A tagged or anchored empty value ends after its tag or anchor (both found by
                // fuzzing), which is later still; an untagged one never lies past its key (an
                // explicit key's missing value is reported at the next token, the next line:
                // found by fuzzing).
                let entry_end = if matches!(value.kind, PKind::Scalar { empty: true, .. }) {
                    // An explicit entry's empty value is reported at its `:`, which may be on
                    // a later line (found by exploring).
                    let own_colon = text
                        .get(value.start..)
                        .is_some_and(|rest| rest.starts_with(':'))
                        .then_some(value.start + 1);
                    let floor = colon_after(text, key.end).or(own_colon).unwrap_or(key.end);
                    if value.tagged || value.anchored {
                        floor.max(value.end)
                    } else {
                        floor
                    }
                } else {
                    value.end
                };
                last_end = last_end.max(entry_end).max(key.end);
                // An explicit key (`? m`, or `?` with the key further in on a later line) is
                // treated as complex: its entry does not start at the key's text (both found
                // by fuzzing).
                let explicit = content_before(text, key.start).is_some_and(|e| {
                    let same_line = !text[e..key.start].contains('\n');
                    text[..e].ends_with('?')
                        && (same_line || column(text, key.start) > column(text, e - 1))
                });
                let key_text = match &key.kind {
                    _ if explicit => None,
                    // An empty key (`: x`) is a null key: treated as complex, since where its
                    // text ends is not where the entry ends (found by fuzzing).
                    // A block scalar key (`? |`) is explicit even when the search above misses
                    // its `?`: one with no content sits after its header (found by fuzzing).
                    PKind::Scalar {
                        style: ScalarStyle::Literal | ScalarStyle::Folded,
                        ..
                    } => None,
                    PKind::Scalar {
                        value,
                        empty: false,
                        ..
                    } if !key.anchored && !key.tagged => Some(value.clone()),
                    _ => None,
                };
                entries.push(PEntry {
                    key: key_text,
                    key_start: key.start,
                    key_end: key.end,
                    value,
                });
            }
            None => return Err(PatchError::Parse("unclosed mapping".to_owned())),
        }
    }
    Ok(PNode {
        start,
        end: last_end,
        kind: PKind::Map { flow, entries },
        anchored,
        tagged: false,
    })
}

/// True when the last value ending at or before `pos` is a literal or folded scalar: blank
/// lines and more-indented lines right after it would become part of its text.
pub fn block_scalar_before(root: &PNode, pos: usize) -> bool {
    fn last<'a>(node: &'a PNode, pos: usize, best: &mut Option<&'a PNode>) {
        match &node.kind {
            PKind::Seq { items, .. } => items.iter().for_each(|i| last(i, pos, best)),
            PKind::Map { entries, .. } => entries.iter().for_each(|e| last(&e.value, pos, best)),
            _ if node.end <= pos && best.is_none_or(|b| node.end >= b.end) => *best = Some(node),
            _ => {}
        }
    }
    let mut best = None;
    last(root, pos, &mut best);
    best.is_some_and(|n| {
        matches!(
            n.kind,
            PKind::Scalar {
                style: ScalarStyle::Literal | ScalarStyle::Folded,
                ..
            }
        )
    })
}

#[cfg(test)]
#[allow(clippy::panic)] // a failed case names what it found
mod tests {
    use super::*;

    fn map_entries(node: &PNode) -> &[PEntry] {
        match &node.kind {
            PKind::Map { entries, .. } => entries,
            _ => &[],
        }
    }

    #[test]
    fn spans_follow_the_text() {
        let text = "a:\n  b: 1   # t\n  list:\n  - x\n  - \"y\"\nc: |\n  hello\n\nd:\n";
        let root = build(text).expect("builds");
        let a = &map_entries(&root)[0];
        assert_eq!(a.key.as_deref(), Some("a"));
        let inner = map_entries(&a.value);
        assert_eq!(&text[inner[0].value.start..inner[0].value.end], "1");
        let PKind::Seq { items, flow } = &inner[1].value.kind else {
            panic!("list")
        };
        assert!(!flow);
        assert_eq!(&text[items[1].start..items[1].end], "\"y\"");
        let c = &map_entries(&root)[1];
        assert_eq!(&text[c.value.start..c.value.end], "hello");
        let d = &map_entries(&root)[2];
        assert!(matches!(d.value.kind, PKind::Scalar { empty: true, .. }));
        // A block mapping ends where its last value ends, not at the next key.
        assert_eq!(
            &text[a.value.start..a.value.end],
            "b: 1   # t\n  list:\n  - x\n  - \"y\""
        );
    }

    #[test]
    fn anchors_aliases_and_documents() {
        let root = build("a: &x 1\nb: *x\n").expect("builds");
        let entries = map_entries(&root);
        assert!(entries[0].value.anchored);
        assert!(matches!(entries[1].value.kind, PKind::Alias));
        assert!(build("a: 1\n---\nb: 2\n").is_err());
    }
}
