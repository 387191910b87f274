//! The operations callers ask for ([`Op`]) and what each one does to a plain tree
//! ([`apply_to_value`]): the meaning the patched text is verified against. No text here.

use serde_json::Value;

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

    /// True for a [`Op::Prepend`]: it shifts the indices of its list, so it is applied last.
    pub(super) fn is_prepend(&self) -> bool {
        matches!(self, Op::Prepend { .. })
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

/// The value at one path segment: a key of a mapping, an index of a list.
pub(super) fn child<'a>(node: &'a Value, segment: &str) -> Option<&'a Value> {
    match node {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

/// Puts `value` at one path segment, turning a scalar into a mapping to hold it.
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
