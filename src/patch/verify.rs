//! The check every result passes before it is returned: the patched text, read with the
//! audit's own reader, must equal the original tree with the applied operations applied to it.

use serde_json::Value;

use super::{Op, PatchError, apply_to_value};
use crate::config::node::{Node, Value as NodeValue};

/// Checks that `text` reads back as `original` with every operation of `ops` that is not in
/// `refused` applied, in the order the passes applied them: prepends last (see
/// [`super::apply_known`]).
pub(super) fn against_intended(
    original: Value,
    ops: &[Op],
    refused: &[(usize, PatchError)],
    text: &str,
) -> Result<Node, PatchError> {
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
    match first_difference(&expected, &node) {
        Some(path) => Err(PatchError::Verify { path }),
        None => Ok(node),
    }
}

/// Parses a text with the same reader the audit uses.
fn read_node(text: &str) -> Result<Node, PatchError> {
    crate::config::load::parse(text, "patched file").map_err(|e| PatchError::Parse(e.to_string()))
}

/// Parses a text with the same reader the audit uses, as a plain JSON value.
pub(crate) fn read_tree(text: &str) -> Result<Value, PatchError> {
    Ok(read_node(text)?.to_json())
}

/// The first path where the intended value and the tree read back differ (mapping order
/// ignored), if any. Compared in place, without turning the tree into JSON; the path is only
/// built for a difference.
fn first_difference(want: &Value, got: &Node) -> Option<String> {
    let mut trail = Vec::new();
    if same(want, got, &mut trail) {
        return None;
    }
    trail.reverse();
    Some(if trail.is_empty() {
        "<root>".to_owned()
    } else {
        trail.join(".")
    })
}

/// True when `got` reads as `want`; otherwise `trail` holds the path to the difference,
/// innermost segment first.
fn same(want: &Value, got: &Node, trail: &mut Vec<String>) -> bool {
    match (want, &got.value) {
        (Value::Object(wanted), NodeValue::Map(found)) => {
            if wanted.len() != found.len() {
                return false;
            }
            // Keys are unique in both (the reader refuses duplicates); a large mapping is
            // looked up by key, a small one searched.
            let index: Option<std::collections::HashMap<&str, &Node>> = (found.len() > 16)
                .then(|| found.iter().map(|e| (e.key.as_str(), &e.node)).collect());
            for (key, value) in wanted {
                let other = match &index {
                    Some(index) => index.get(key.as_str()).copied(),
                    None => found.iter().find(|e| e.key == *key).map(|e| &e.node),
                };
                let Some(other) = other else {
                    trail.push(key.clone());
                    return false;
                };
                if !same(value, other, trail) {
                    trail.push(key.clone());
                    return false;
                }
            }
            true
        }
        (Value::Array(wanted), NodeValue::Seq(found)) if wanted.len() == found.len() => {
            for (i, (value, other)) in wanted.iter().zip(found).enumerate() {
                if !same(value, other, trail) {
                    trail.push(i.to_string());
                    return false;
                }
            }
            true
        }
        // Scalars compare as the JSON the tree would turn into, without building it.
        (Value::String(a), NodeValue::Str(b)) => a == b,
        (Value::Number(n), NodeValue::Int(i)) => *n == serde_json::Number::from(*i),
        (Value::Array(_) | Value::Object(_), _)
        | (_, NodeValue::Seq(_) | NodeValue::Map(_) | NodeValue::Str(_)) => false,
        _ => *want == got.to_json(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::first_difference;

    fn node(text: &str) -> super::Node {
        crate::config::load::parse(text, "t").expect("parses")
    }

    #[test]
    fn the_path_of_the_first_difference_is_named_and_order_is_ignored() {
        let tree = node("a:\n  b: [1, x, {c: true}]\n  d: 2.5\ne: ~\n");
        let same = json!({"e": null, "a": {"d": 2.5, "b": [1, "x", {"c": true}]}});
        assert_eq!(first_difference(&same, &tree), None);
        let cases = [
            (
                json!({"e": null, "a": {"d": 2.5, "b": [1, "x", {"c": false}]}}),
                "a.b.2.c",
            ),
            (
                json!({"e": null, "a": {"d": 2.5, "b": [1, "y", {"c": true}]}}),
                "a.b.1",
            ),
            (
                json!({"e": null, "a": {"d": 2.5, "b": [1.0, "x", {"c": true}]}}),
                "a.b.0",
            ),
            (json!({"e": null, "a": {"d": 2.5, "b": [1, "x"]}}), "a.b"),
            (
                json!({"e": null, "a": {"d": 2.5, "z": [1, "x", {"c": true}]}}),
                "a.z",
            ),
            (json!({"e": null}), "<root>"),
            (
                json!({"e": "null", "a": {"d": 2.5, "b": [1, "x", {"c": true}]}}),
                "e",
            ),
        ];
        for (want, path) in cases {
            assert_eq!(
                first_difference(&want, &tree).as_deref(),
                Some(path),
                "{want}"
            );
        }
    }
}
