//! Checks over a whole batch of operations before any text is planned: keys YAML would read
//! as another type, operations that clash with each other (refused), and creations under one
//! missing key (coalesced into one `Set`, so the key is written as a single block).

use serde_json::Value;

use super::ops::child;
use super::{Op, PatchError};

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
pub(super) fn removals_of_changed_keys(
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
pub(super) fn coalesce(ops: &[Op], original: &Value) -> Vec<(Op, Vec<usize>)> {
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
