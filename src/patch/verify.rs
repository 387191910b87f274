//! The check every result passes before it is returned: the patched text, read with the
//! audit's own reader, must equal the original tree with the applied operations applied to it.

use serde_json::Value;

use super::{Op, PatchError, apply_to_value};

/// Checks that `text` reads back as `original` with every operation of `ops` that is not in
/// `refused` applied, in the order the passes applied them: prepends last (see
/// [`super::apply_known`]).
pub(super) fn against_intended(
    original: Value,
    ops: &[Op],
    refused: &[(usize, PatchError)],
    text: &str,
) -> Result<crate::config::node::Node, PatchError> {
    let mut expected = original;
    let in_order = (0..ops.len())
        .filter(|i| !ops[*i].is_prepend())
        .chain((0..ops.len()).filter(|i| ops[*i].is_prepend()));
    for index in in_order {
        if !refused.iter().any(|(i, _)| *i == index) {
            apply_to_value(&mut expected, &ops[index]);
        }
    }
    // The tree is kept: whoever audits the result again needs exactly this parse.
    let node = read_node(text)?;
    match first_difference(&expected, &node.to_json(), "") {
        Some(path) => Err(PatchError::Verify { path }),
        None => Ok(node),
    }
}

/// Parses a text with the same reader the audit uses.
fn read_node(text: &str) -> Result<crate::config::node::Node, PatchError> {
    crate::config::load::parse(text, "patched file").map_err(|e| PatchError::Parse(e.to_string()))
}

/// Parses a text with the same reader the audit uses, as a plain JSON value.
pub(crate) fn read_tree(text: &str) -> Result<Value, PatchError> {
    Ok(read_node(text)?.to_json())
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
