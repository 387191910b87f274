//! The verified, format-preserving patch engine.
//!
//! Operations on config paths (set, prepend, remove) become byte edits spliced into the
//! original text, so only the lines that must change change: comments, blank lines, key order,
//! quoting, flow/block style, indentation and line endings are kept (design: crates.md §2).
//! Edits that would collide (a key created twice, an edit inside another) are applied in a
//! later pass over the re-parsed text. Every result is verified: it is parsed again and must
//! equal the original tree with the operations applied, or nothing is returned. What cannot be
//! edited safely (anchors, aliases, merge or complex keys, several documents) is refused per
//! operation, naming the line; the other operations still apply.

pub mod dotenv;
mod edit;
mod render;
mod scan;
mod tree;

use serde_json::Value;

pub use render::Layout;

/// One change to a config, on a dotted path (`selfservice.flows.login.after.password.hooks`;
/// numbers index lists).
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Set the value at `path` (a scalar, a list or a mapping), creating missing parents.
    Set {
        /// Dotted path.
        path: String,
        /// The new value.
        value: Value,
    },
    /// Insert `value` as the first item of the list at `path` (created when missing).
    Prepend {
        /// Dotted path of the list.
        path: String,
        /// The new first item.
        value: Value,
    },
    /// Remove the key (or list item) at `path` (nothing happens when it is absent). Items of
    /// one list are removed last index first: each removal shifts the items after it.
    Remove {
        /// Dotted path.
        path: String,
    },
}

impl Op {
    /// The same operation below `prefix` (`kratos.config` for a Helm values file).
    #[must_use]
    pub fn under(&self, prefix: &str) -> Self {
        let at = |path: &str| format!("{prefix}.{path}");
        match self {
            Op::Set { path, value } => Op::Set {
                path: at(path),
                value: value.clone(),
            },
            Op::Prepend { path, value } => Op::Prepend {
                path: at(path),
                value: value.clone(),
            },
            Op::Remove { path } => Op::Remove { path: at(path) },
        }
    }

    /// The operation's path.
    #[must_use]
    pub fn path(&self) -> &str {
        match self {
            Op::Set { path, .. } | Op::Prepend { path, .. } | Op::Remove { path } => path,
        }
    }
}

/// Why patching failed as a whole (refusals of single operations are in [`Patched`]).
#[derive(Debug, thiserror::Error)]
pub enum PatchError {
    /// The text does not parse (it parsed when it was loaded, so this is a bug if it happens
    /// after an edit).
    #[error("the text does not parse: {0}")]
    Parse(String),
    /// This operation cannot be applied safely.
    #[error("{}", if *line == 0 { reason.clone() } else { format!("line {line}: {reason}") })]
    Refused {
        /// 1-based line.
        line: usize,
        /// Why, naming the path.
        reason: String,
    },
    /// The edited text does not read back as intended. Nothing may be written.
    #[error(
        "internal error: the patched file does not read back as intended at `{path}`; nothing \
         was written. Please report this with the config (secrets removed)"
    )]
    Verify {
        /// The first path where the trees differ.
        path: String,
    },
}

/// A string as a YAML scalar that reads back as exactly that string (plain when safe).
#[must_use]
pub fn render_string(s: &str) -> String {
    let layout = Layout {
        json: false,
        newline: "\n",
        step: 2,
        indentless: false,
    };
    render::scalar(&Value::String(s.to_owned()), &layout, None, false)
}

/// The result of patching: the new text, and the operations that were refused.
#[derive(Debug)]
pub struct Patched {
    /// The patched, verified text.
    pub text: String,
    /// `(index into ops, reason)` for each refused operation.
    pub refused: Vec<(usize, PatchError)>,
}

impl Patched {
    /// `text` unchanged, every operation refused with `reason(op)`.
    #[must_use]
    pub fn all_refused(text: &str, ops: &[Op], reason: impl Fn(&Op) -> String) -> Self {
        Self {
            text: text.to_owned(),
            refused: ops
                .iter()
                .enumerate()
                .map(|(i, op)| {
                    (
                        i,
                        PatchError::Refused {
                            line: 0,
                            reason: reason(op),
                        },
                    )
                })
                .collect(),
        }
    }
}

/// Applies `ops` to `text` (`json` for `.json` files) and verifies the result.
pub fn apply(text: &str, json: bool, ops: &[Op]) -> Result<Patched, PatchError> {
    apply_known(text, json, ops, read_tree(text)?)
}

/// [`apply`] when the caller already holds `text` read as a tree (one parse fewer).
pub fn apply_known(
    text: &str,
    json: bool,
    ops: &[Op],
    original: Value,
) -> Result<Patched, PatchError> {
    // Operations that create keys under one missing parent become one creation, written as a
    // single block (two creations of one parent cannot share a pass).
    // Old-Mac line breaks (a CR alone) are line breaks to YAML but not to the line-based editor
    // (found by fuzzing): such a file is left to the operator.
    if text.replace("\r\n", "").contains('\r') {
        let reason =
            "the file breaks lines with a lone carriage return; convert it to \\n or \\r\\n first";
        return Ok(Patched::all_refused(text, ops, |_| reason.to_owned()));
    }
    let (kept, mut refused) = removals_of_changed_keys(ops, &original);
    let kept_ops: Vec<Op> = kept.iter().map(|&i| ops[i].clone()).collect();
    let planned: Vec<(Op, Vec<usize>)> = coalesce(&kept_ops, &original)
        .into_iter()
        .map(|(op, members)| (op, members.into_iter().map(|m| kept[m]).collect()))
        .collect();
    let mut current = text.to_owned();
    // Every path names a place in the original text. A prepend shifts the indices of its list,
    // so prepends go last, once everything addressed by index has been edited.
    let is_prepend = |op: &Op| matches!(op, Op::Prepend { .. });
    let (mut later, mut pending): (Vec<usize>, Vec<usize>) =
        (0..planned.len()).partition(|i| is_prepend(&planned[*i].0));
    let refuse = |index: usize, err: PatchError, refused: &mut Vec<(usize, PatchError)>| {
        for &member in &planned[index].1 {
            let copy = match &err {
                PatchError::Refused { line, reason } => PatchError::Refused {
                    line: *line,
                    reason: reason.clone(),
                },
                PatchError::Parse(m) => PatchError::Parse(m.clone()),
                PatchError::Verify { path } => PatchError::Verify { path: path.clone() },
            };
            refused.push((member, copy));
        }
    };
    while !pending.is_empty() || !later.is_empty() {
        if pending.is_empty() {
            pending = std::mem::take(&mut later);
        }
        let root = tree::build(&current)?;
        let layout = layout_of(&current, &root, json);
        let mut edits: Vec<(usize, edit::Edit)> = Vec::new();
        let mut claims: Vec<String> = Vec::new();
        let mut deferred = Vec::new();
        for &index in &pending {
            match edit::plan(&planned[index].0, &root, &current, &layout) {
                Err(err) => refuse(index, err, &mut refused),
                Ok(edit::Plan::Nothing) => {}
                Ok(edit::Plan::Edits(new, claim)) => {
                    let collides = new
                        .iter()
                        .any(|n| edits.iter().any(|(_, e)| overlaps(&current, n, e)))
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
        if edits.is_empty() {
            // Nothing in this pass changed the text (every operation was already satisfied,
            // refused, or deferred). Deferred ones cannot go without an edit before them: the
            // first one planned never collides, so this is a guard against looping. The
            // prepends still waiting get their own pass (found by fuzzing: a no-op `Remove`
            // alone in the first pass used to end the loop before them).
            for index in deferred {
                let err = PatchError::Refused {
                    line: 1,
                    reason: "conflicting edits".to_owned(),
                };
                refuse(index, err, &mut refused);
            }
            pending = Vec::new();
            continue;
        }
        current = splice(&current, edits);
        pending = deferred;
    }
    let mut expected = original;
    let in_order = (0..ops.len())
        .filter(|i| !is_prepend(&ops[*i]))
        .chain((0..ops.len()).filter(|i| is_prepend(&ops[*i])));
    for index in in_order {
        if !refused.iter().any(|(i, _)| *i == index) {
            apply_to_value(&mut expected, &ops[index]);
        }
    }
    let actual = read_tree(&current)?;
    if let Some(path) = first_difference(&expected, &actual, "") {
        return Err(PatchError::Verify { path });
    }
    refused.sort_by_key(|(i, _)| *i);
    Ok(Patched {
        text: current,
        refused,
    })
}

/// True for a plain key that YAML 1.1 reads as a boolean, null or number.
fn ambiguous_key(key: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "",
    ];
    WORDS.iter().any(|w| key.eq_ignore_ascii_case(w)) || numeric_key(key)
}

/// A key YAML reads as a number that does not print back as the same text (`007`, `1e3`,
/// `0x1F`, a 36-digit integer: found by fuzzing). Plain list indices (`0`, `12`) are fine.
fn numeric_key(key: &str) -> bool {
    let index = !key.is_empty()
        && key.len() <= 18
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key == "0" || !key.starts_with('0'));
    if index {
        return false;
    }
    let lower = key.to_ascii_lowercase();
    lower.parse::<f64>().is_ok()
        || lower.starts_with("0x")
        || lower.starts_with("0o")
        || (key.bytes().any(|b| b.is_ascii_digit())
            && key
                .bytes()
                .all(|b| b.is_ascii_digit() || b"_+-.eE".contains(&b)))
}

/// Splits `ops` into those to plan and those refused: changing a key twice, removing a key and
/// changing something inside it, setting a key and changing inside it where the set value has
/// no such place, or setting a key whole after changing inside it, in one batch has no single
/// right reading, so the later one is refused (found by fuzzing; the fix planner never does
/// this). A list set whole may still be edited by index in a later pass, and prepends to one
/// existing list stack up.
fn removals_of_changed_keys(
    ops: &[Op],
    original: &Value,
) -> (Vec<usize>, Vec<(usize, PatchError)>) {
    let mut kept: Vec<usize> = Vec::new();
    let mut refused = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let removal = |o: &Op| matches!(o, Op::Remove { .. });
        // Removing a key and changing it, or anything inside it, in one batch.
        let at_or_inside = |inner: &str, outer: &str| {
            inner == outer
                || inner
                    .strip_prefix(outer)
                    .is_some_and(|r| r.starts_with('.'))
        };
        let clash = kept.iter().any(|&k| {
            let earlier = &ops[k];
            let prepends = |o: &Op| matches!(o, Op::Prepend { .. });
            // Prepends to one existing list stack up in order; anything else twice on one key
            // clashes (two prepends creating one list included: found by fuzzing).
            let existing_list = op
                .path()
                .split('.')
                .try_fold(original, |node, segment| child(node, segment))
                .is_some_and(Value::is_array);
            // A key set whole, then changed inside: only into what the set value has (a list
            // by an index it holds, a mapping by a key it holds); a scalar has no inside (found
            // by fuzzing: `serve: plain` then `serve.x`; a list then `list.key`; a mapping then
            // a key it lacks). Setting a key whole after changing inside it: refused too.
            let set_then_inside = match earlier {
                Op::Set { path, value } if op.path() != path && at_or_inside(op.path(), path) => {
                    // A key the batch creates is written whole in one pass: nothing inside it
                    // can be edited in the same batch.
                    let exists = path
                        .split('.')
                        .try_fold(original, |node, segment| child(node, segment))
                        .is_some();
                    let next = op.path()[path.len() + 1..].split('.').next().unwrap_or("");
                    let into = match value {
                        Value::Array(items) => next.parse::<usize>().is_ok_and(|i| i < items.len()),
                        Value::Object(map) => map.contains_key(next),
                        _ => false,
                    };
                    // Removing inside it would be planned against the text before the set
                    // (found by the odd-shape test once list items could be removed).
                    !exists || !into || removal(op)
                }
                _ => false,
            };
            let inside_then_set = matches!(op, Op::Set { .. })
                && earlier.path() != op.path()
                && at_or_inside(earlier.path(), op.path());
            (earlier.path() == op.path() && !(prepends(earlier) && prepends(op) && existing_list))
                || (removal(earlier) && !removal(op) && at_or_inside(op.path(), earlier.path()))
                || (removal(op) && !removal(earlier) && at_or_inside(earlier.path(), op.path()))
                || set_then_inside
                || inside_then_set
        });
        // A key YAML 1.1 reads as a boolean or null (`n`, `on`, `yes`, `null`…) does not read
        // back as the same key (found by fuzzing). No Kratos key is one of them.
        if let Some(key) = op.path().split('.').find(|s| ambiguous_key(s)) {
            refused.push((
                index,
                PatchError::Refused {
                    line: 0,
                    reason: format!("the key `{key}` is read as a boolean, null or number by YAML parsers; change it by hand"),
                },
            ));
        } else if clash {
            refused.push((
                index,
                PatchError::Refused {
                    line: 0,
                    reason: format!(
                        "`{}` is changed twice, or removed and changed, in one batch",
                        op.path()
                    ),
                },
            ));
        } else {
            kept.push(index);
        }
    }
    (kept, refused)
}

/// Groups `Set`s that create keys under the same missing key of `original` into one `Set` of
/// that key; returns each planned operation with the indices of the operations it stands for.
fn coalesce(ops: &[Op], original: &Value) -> Vec<(Op, Vec<usize>)> {
    let mut planned: Vec<(Op, Vec<usize>)> = Vec::new();
    let mut groups: Vec<(String, usize)> = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let Op::Set { path, value } = op else {
            planned.push((op.clone(), vec![index]));
            continue;
        };
        let segments: Vec<&str> = path.split('.').collect();
        let Some(depth) = first_missing(original, &segments).filter(|d| *d + 1 < segments.len())
        else {
            planned.push((op.clone(), vec![index]));
            continue;
        };
        let anchor = segments[..=depth].join(".");
        let rest: Vec<&str> = segments[depth + 1..].to_vec();
        let at = groups.iter().find(|(a, _)| *a == anchor).map(|(_, i)| *i);
        if let Some(slot) = at {
            if let (Op::Set { value: merged, .. }, members) = &mut planned[slot] {
                insert_at(merged, &rest, value.clone());
                members.push(index);
            }
        } else {
            let mut merged = Value::Object(serde_json::Map::new());
            insert_at(&mut merged, &rest, value.clone());
            groups.push((anchor.clone(), planned.len()));
            planned.push((
                Op::Set {
                    path: anchor,
                    value: merged,
                },
                vec![index],
            ));
        }
    }
    planned
}

/// Depth of the first segment of `segments` that `root` lacks (only through mappings).
fn first_missing(root: &Value, segments: &[&str]) -> Option<usize> {
    let mut node = root;
    for (depth, segment) in segments.iter().enumerate() {
        match node {
            Value::Object(map) => match map.get(*segment) {
                Some(child) => node = child,
                None => return Some(depth),
            },
            Value::Array(items) => {
                node = segment.parse::<usize>().ok().and_then(|i| items.get(i))?;
            }
            _ => return None,
        }
    }
    None
}

/// Puts `value` at `path` inside the object `target`, creating objects on the way.
fn insert_at(target: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        *target = value;
        return;
    };
    let mut node = target;
    for segment in parents {
        if !node.is_object() {
            *node = Value::Object(serde_json::Map::new());
        }
        let Value::Object(map) = node else { return };
        node = map
            .entry((*segment).to_owned())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
    if let Value::Object(map) = node {
        map.insert((*last).to_owned(), value);
    }
}

/// Two edits collide when their ranges intersect, or when one inserts inside, at the start of,
/// or on the rest of the last line of a range the other replaces (a key inserted after a list
/// that is being rewritten would otherwise land under the wrong item). Colliding edits wait for
/// the next pass over the re-parsed text.
fn overlaps(text: &str, a: &edit::Edit, b: &edit::Edit) -> bool {
    let reach = |e: &edit::Edit| {
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
fn splice(text: &str, mut edits: Vec<(usize, edit::Edit)>) -> String {
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

/// Parses a text with the same reader the audit uses, as a plain JSON value.
fn read_tree(text: &str) -> Result<Value, PatchError> {
    let node = crate::config::load::parse(text, "patched file")
        .map_err(|e| PatchError::Parse(e.to_string()))?;
    Ok(node.to_json())
}

/// The layout (line ending, indentation step, sequence style) the document already uses.
#[must_use]
pub fn layout_of(text: &str, root: &tree::PNode, json: bool) -> Layout {
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
        json,
        newline: if text.contains("\r\n") { "\r\n" } else { "\n" },
        step: step.unwrap_or(2),
        indentless: indentless.unwrap_or(false),
    }
}

/// The operation applied to a plain value: what the patched text must read back as.
pub fn apply_to_value(root: &mut Value, op: &Op) {
    let segments: Vec<&str> = op.path().split('.').collect();
    if matches!(op, Op::Remove { .. }) {
        prune(root, &segments);
        return;
    }
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut node = root;
    for segment in parents {
        if !matches!(node, Value::Object(_) | Value::Array(_)) {
            *node = Value::Object(serde_json::Map::new());
        }
        node = match node {
            Value::Array(items) => {
                match segment.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(item) => item,
                    None => return,
                }
            }
            Value::Object(map) => map
                .entry((*segment).to_owned())
                .or_insert_with(|| Value::Object(serde_json::Map::new())),
            _ => return,
        };
    }
    match op {
        Op::Remove { .. } => {}
        Op::Set { value, .. } => set_child(node, last, value.clone()),
        Op::Prepend { value, .. } => {
            let prepended = match child(node, last).cloned() {
                Some(Value::Array(mut items)) => {
                    items.insert(0, value.clone());
                    items
                }
                _ => vec![value.clone()],
            };
            set_child(node, last, Value::Array(prepended));
        }
    }
}

/// Removes the key at `segments`; a mapping left empty by that is removed from its parent too
/// (the text cannot hold an empty block mapping). Returns true when `node` became empty.
fn prune(node: &mut Value, segments: &[&str]) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return false;
    };
    match node {
        Value::Object(map) => {
            // Only a removal empties a mapping: one that was empty already (`e: {}`) stays
            // (found by the pair test).
            let removed = if rest.is_empty() {
                map.shift_remove(*first).is_some()
            } else if let Some(child) = map.get_mut(*first)
                && prune(child, rest)
            {
                map.shift_remove(*first).is_some()
            } else {
                false
            };
            removed && map.is_empty()
        }
        // A list item goes when it is the target; never by removing a key inside it.
        Value::Array(items) => {
            if rest.is_empty() {
                if let Some(i) = first.parse::<usize>().ok().filter(|i| *i < items.len()) {
                    items.remove(i);
                }
            } else if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                prune(item, rest);
            }
            false
        }
        _ => false,
    }
}

fn child<'a>(node: &'a Value, segment: &str) -> Option<&'a Value> {
    match node {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

fn set_child(node: &mut Value, segment: &str, value: Value) {
    match node {
        Value::Array(items) => {
            if let Some(slot) = segment.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                *slot = value;
            }
        }
        Value::Object(map) => {
            map.insert(segment.to_owned(), value);
        }
        other => {
            let mut map = serde_json::Map::new();
            map.insert(segment.to_owned(), value);
            *other = Value::Object(map);
        }
    }
}

/// The first path where two values differ (mapping order ignored), if any.
fn first_difference(want: &Value, got: &Value, path: &str) -> Option<String> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    let here = || {
        Some(if path.is_empty() {
            "<root>".to_owned()
        } else {
            path.to_owned()
        })
    };
    match (want, got) {
        (Value::Object(wanted), Value::Object(found)) => {
            if wanted.len() != found.len() {
                return here();
            }
            wanted.iter().find_map(|(key, value)| match found.get(key) {
                Some(other) => first_difference(value, other, &join(key)),
                None => Some(join(key)),
            })
        }
        (Value::Array(wanted), Value::Array(found)) if wanted.len() == found.len() => wanted
            .iter()
            .zip(found)
            .enumerate()
            .find_map(|(i, (value, other))| first_difference(value, other, &join(&i.to_string()))),
        _ if want == got => None,
        _ => here(),
    }
}

#[cfg(test)]
mod tests;
