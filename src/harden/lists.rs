//! Several changes to the items of one list, written as one rewrite of that list. Each finding
//! about a list entry fixes only its own entry (so each stays its own decision), but list
//! indexes name places in the file as read: removing item 0 shifts item 1, and the editor
//! removes one item per pass. When a list loses an item and gets any other item change, the
//! changes become one `Set` of the list with the value they make together; a lone removal the
//! editor refuses (an item of a `[...]` list, JSON) is retried the same way.

use serde_json::Value;

use crate::patch::{Op, apply_to_value};

/// The list path and item index of an operation on a list item (or inside one): the first
/// list on its path, when `original` has that list and item.
fn item_of<'p>(op: &'p Op, original: &Value) -> Option<(&'p str, usize)> {
    let path = op.path();
    let mut node = original;
    // Bytes of `path` before the current segment.
    let mut before = 0_usize;
    for segment in path.split('.') {
        match node {
            Value::Array(items) => {
                let index = segment.parse::<usize>().ok().filter(|i| *i < items.len())?;
                return Some((&path[..before.saturating_sub(1)], index));
            }
            Value::Object(map) => node = map.get(segment)?,
            _ => return None,
        }
        before += segment.len() + 1;
    }
    None
}

/// Whether `op` removes a list item itself (not something inside it).
fn removes_item(op: &Op, original: &Value) -> bool {
    matches!(op, Op::Remove { .. })
        && item_of(op, original).is_some_and(|(list, i)| {
            // `list.i` exactly: the index is the path's last segment.
            op.path()
                .rsplit_once('.')
                .is_some_and(|(head, last)| head == list && last.parse() == Ok(i))
        })
}

/// `ops` with the item changes of each list that needs it merged into one `Set` of the list:
/// lists losing an item among two or more item changes, and the lists of `retry` (whose lone
/// removal the editor refused). Returns the operations and, for each, the indices in `ops` it
/// stands for; `None` when nothing is merged.
pub(super) fn merged(
    ops: &[Op],
    original: &Value,
    retry: &[String],
) -> Option<(Vec<Op>, Vec<Vec<usize>>)> {
    // Linear in the operations: a config can have thousands of entries to fix in one list.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    let mut group_of: Vec<Option<usize>> = vec![None; ops.len()];
    let mut by_list: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, op) in ops.iter().enumerate() {
        if let Some((list, _)) = item_of(op, original) {
            let group = *by_list.entry(list).or_insert_with(|| {
                groups.push((list.to_owned(), Vec::new()));
                groups.len() - 1
            });
            groups[group].1.push(index);
            group_of[index] = Some(group);
        }
    }
    let wanted: Vec<bool> = groups
        .iter()
        .map(|(list, members)| {
            let removal = members.iter().any(|m| removes_item(&ops[*m], original));
            removal && (members.len() > 1 || retry.contains(list))
        })
        .collect();
    if !wanted.contains(&true) {
        return None;
    }
    let mut out: Vec<(Op, Vec<usize>)> = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        match group_of[index].filter(|g| wanted[*g]) {
            Some(group) if groups[group].1[0] == index => {
                let (list, members) = &groups[group];
                out.push((
                    crate::fix::set(list, together(ops, members, original, list)),
                    members.clone(),
                ));
            }
            Some(_) => {}
            None => out.push((op.clone(), vec![index])),
        }
    }
    Some(out.into_iter().unzip())
}

/// The list at `list` after the operations `members`, each naming items as the file was read:
/// changes to items first, then removals from the last index back.
fn together(ops: &[Op], members: &[usize], original: &Value, list: &str) -> Value {
    // Only the list is copied, not the whole tree: it is put back at its own path in an
    // otherwise empty tree, so the operations apply there as they are.
    let mut tree = original
        .pointer(&pointer(list))
        .cloned()
        .unwrap_or(Value::Array(Vec::new()));
    for segment in list.rsplit('.') {
        tree = serde_json::json!({ segment: tree });
    }
    let (removals, changes): (Vec<&Op>, Vec<&Op>) = members
        .iter()
        .map(|m| &ops[*m])
        .partition(|op| removes_item(op, original));
    for op in changes {
        apply_to_value(&mut tree, op);
    }
    let mut removals: Vec<(usize, &Op)> = removals
        .into_iter()
        .map(|op| (item_of(op, original).map_or(0, |(_, i)| i), op))
        .collect();
    removals.sort_by_key(|(i, _)| std::cmp::Reverse(*i));
    removals.dedup_by_key(|(i, _)| *i);
    for (_, op) in removals {
        apply_to_value(&mut tree, op);
    }
    tree.pointer_mut(&pointer(list))
        .map_or(Value::Array(Vec::new()), Value::take)
}

/// The JSON pointer of a dotted path of mapping keys (`~` and `/` escaped).
fn pointer(path: &str) -> String {
    path.split('.').fold(String::new(), |mut out, segment| {
        out.push('/');
        out.push_str(&segment.replace('~', "~0").replace('/', "~1"));
        out
    })
}

/// Patches YAML/JSON `text` with `ops`, writing each list's item changes as one rewrite where
/// needed; refusals are reported against `ops`, so every finding behind a merged change gets
/// the editor's reason.
pub(super) fn patch(
    text: &str,
    format: crate::patch::Format,
    ops: &[Op],
    original: Value,
    check: crate::patch::Check,
) -> Result<crate::patch::Patched, crate::patch::PatchError> {
    let removes = ops.iter().any(|op| removes_item(op, &original));
    if !removes {
        return crate::patch::apply_checked(text, format, ops, original, check);
    }
    // Everything the retry needs is known before the tree is handed to the editor, so the
    // tree is not copied for an attempt that is rarely made.
    let lone: Vec<(usize, String)> = ops
        .iter()
        .enumerate()
        .filter(|(_, op)| removes_item(op, &original))
        .filter_map(|(i, op)| item_of(op, &original).map(|(l, _)| (i, l.to_owned())))
        .collect();
    let patched = match merged(ops, &original, &[]) {
        Some((merged_ops, members)) => {
            apply_merged(text, format, &merged_ops, &members, original, check)?
        }
        None => crate::patch::apply_checked(text, format, ops, original, check)?,
    };
    let mut retry: Vec<String> = lone
        .into_iter()
        .filter(|(i, _)| patched.refused.iter().any(|(r, _)| r == i))
        .map(|(_, list)| list)
        .collect();
    retry.dedup();
    if retry.is_empty() {
        return Ok(patched);
    }
    let original = crate::patch::read_tree(text)?;
    match merged(ops, &original, &retry) {
        Some((merged_ops, members)) => {
            apply_merged(text, format, &merged_ops, &members, original, check)
        }
        None => Ok(patched),
    }
}

/// Patches with merged operations and reports refusals against the operations they stand for.
fn apply_merged(
    text: &str,
    format: crate::patch::Format,
    merged: &[Op],
    members: &[Vec<usize>],
    original: Value,
    check: crate::patch::Check,
) -> Result<crate::patch::Patched, crate::patch::PatchError> {
    let mut patched = crate::patch::apply_checked(text, format, merged, original, check)?;
    let mut refused: Vec<(usize, crate::patch::PatchError)> = patched
        .refused
        .iter()
        .flat_map(|(i, e)| members[*i].iter().map(move |m| (*m, e.clone())))
        .collect();
    refused.sort_by_key(|(i, _)| *i);
    patched.refused = refused;
    Ok(patched)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fix::{remove, set};

    #[test]
    fn item_changes_with_a_removal_become_one_rewrite_by_the_indexes_as_read() {
        let original = json!({"a": {"l": ["x", "y", "z", "w"]}, "b": 1});
        let ops = [
            remove("a.l.0"),
            set("b", json!(2)),
            set("a.l.1", json!("Y")),
            remove("a.l.3"),
        ];
        let (merged, members) = merged(&ops, &original, &[]).expect("merged");
        assert_eq!(merged, [set("a.l", json!(["Y", "z"])), set("b", json!(2))]);
        assert_eq!(members, [vec![0, 2, 3], vec![1]]);
    }

    #[test]
    fn a_lone_removal_or_sets_alone_stay_as_they_are_unless_retried() {
        let original = json!({"l": ["x", "y"], "m": ["p", "q"]});
        let ops = [
            remove("l.0"),
            set("m.0", json!("P")),
            set("m.1", json!("Q")),
        ];
        assert!(merged(&ops, &original, &[]).is_none());
        let (merged, _) = merged(&ops, &original, &["l".to_owned()]).expect("retried");
        assert_eq!(merged[0], set("l", json!(["y"])));
    }

    #[test]
    fn a_lone_removal_from_a_flow_list_or_json_is_written_as_a_rewrite() {
        use crate::patch::{Check, Format};
        for (text, format) in [
            (
                "urls: [https://a.example/, https://b.example/]\nkeep: 1\n",
                Format::Yaml,
            ),
            (
                "{\n  \"urls\": [\"https://a.example/\", \"https://b.example/\"]\n}\n",
                Format::Json,
            ),
        ] {
            let original = crate::config::load::parse(text, "t")
                .expect("parses")
                .to_json();
            let patched =
                patch(text, format, &[remove("urls.0")], original, Check::Verify).expect("patches");
            assert!(patched.refused.is_empty(), "{text}: {:?}", patched.refused);
            assert!(!patched.text.contains("a.example"), "{}", patched.text);
            assert!(patched.text.contains("b.example"), "{}", patched.text);
        }
    }

    /// An entry that defines an anchor used elsewhere is left alone: rewriting or removing it
    /// would leave the alias pointing at nothing (the whole apply failed to parse its result).
    #[test]
    fn an_anchored_entry_is_refused_not_broken() {
        use crate::patch::{Check, Format};
        for text in [
            "urls: [https://a.example/, &e exp://x/cb]\nx: *e\n",
            "urls:\n  - https://a.example/\n  - &e exp://x/cb\nx: *e\n",
        ] {
            let original = crate::config::load::parse(text, "t")
                .expect("parses")
                .to_json();
            let patched = patch(
                text,
                Format::Yaml,
                &[remove("urls.1")],
                original,
                Check::Verify,
            )
            .expect("no error");
            assert_eq!(patched.text, text);
            assert_eq!(patched.refused.len(), 1, "{:?}", patched.refused);
        }
    }
}
