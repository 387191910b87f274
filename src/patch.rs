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

mod batch;
pub mod dotenv;
mod ops;
mod splice;
mod verify;
mod yaml;

use std::path::Path;

use serde_json::Value;

pub use ops::{Op, apply_to_value};
pub use yaml::{Layout, layout_of, quoted_forms, scalars};

pub(crate) use verify::read_tree;

/// Why patching failed as a whole (refusals of single operations are in [`Patched`]).
#[derive(Clone, Debug, thiserror::Error)]
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

/// The syntax of a config file, which decides how new text is written (JSON: keys and strings
/// double-quoted, collections in flow style).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// YAML: every config file that is not `.json`.
    Yaml,
    /// JSON: a `.json` file (JSON is also YAML, so both read the same).
    Json,
}

impl Format {
    /// The format of a file by its extension: `.json` (any case) is JSON, anything else YAML.
    #[must_use]
    pub fn of(path: &Path) -> Self {
        if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            Format::Json
        } else {
            Format::Yaml
        }
    }
}

/// A string as a YAML scalar that reads back as exactly that string (plain when safe).
#[must_use]
pub fn render_string(s: &str) -> String {
    let layout = Layout {
        format: Format::Yaml,
        newline: "\n",
        step: 2,
        indentless: false,
        comments: Vec::new(),
    };
    yaml::scalar(&Value::String(s.to_owned()), &layout, None, false)
}

/// The result of patching: the new text, and the operations that were refused.
#[derive(Debug)]
pub struct Patched {
    /// The patched, verified text.
    pub text: String,
    /// `(index into ops, reason)` for each refused operation.
    pub refused: Vec<(usize, PatchError)>,
    /// The patched text as the audit reads it, from the verification (none when unverified
    /// or not YAML/JSON): a re-audit of the result need not parse it again.
    pub tree: Option<crate::config::node::Node>,
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
            tree: None,
        }
    }
}

/// Applies `ops` to `text` (written in `format`) and verifies the result.
pub fn apply(text: &str, format: Format, ops: &[Op]) -> Result<Patched, PatchError> {
    apply_known(text, format, ops, read_tree(text)?)
}

/// [`apply`] when the caller already holds `text` read as a tree (one parse fewer).
pub fn apply_known(
    text: &str,
    format: Format,
    ops: &[Op],
    original: Value,
) -> Result<Patched, PatchError> {
    apply_checked(text, format, ops, original, Check::Verify)
}

/// Whether a patch's text is verified against the intended tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// Read the result back and compare (every patch that may be written).
    Verify,
    /// Only learn which operations the editor refuses (what `audit` reports of a fix): a
    /// result that would not verify is a bug that `apply` reports before writing anything.
    RefusalsOnly,
}

/// [`apply_known`], verifying the result or not.
pub fn apply_checked(
    text: &str,
    format: Format,
    ops: &[Op],
    original: Value,
    check: Check,
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
    let (kept, mut refused) = batch::removals_of_changed_keys(ops, &original);
    let kept_ops: Vec<Op> = kept.iter().map(|&i| ops[i].clone()).collect();
    let planned: Vec<(Op, Vec<usize>)> = batch::coalesce(&kept_ops, &original)
        .into_iter()
        .map(|(op, members)| (op, members.into_iter().map(|m| kept[m]).collect()))
        .collect();
    let mut current = text.to_owned();
    // Every path names a place in the original text. A prepend shifts the indices of its list,
    // so prepends go last, once everything addressed by index has been edited.
    let (mut later, mut pending): (Vec<usize>, Vec<usize>) =
        (0..planned.len()).partition(|i| planned[*i].0.is_prepend());
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
        let pass = splice::pass(&current, format, &planned, &pending)?;
        for (index, err) in pass.refused {
            refuse(index, err, &mut refused);
        }
        if pass.edits.is_empty() {
            // Nothing in this pass changed the text (every operation was already satisfied,
            // refused, or deferred). Deferred ones cannot go without an edit before them: the
            // first one planned never collides, so this is a guard against looping. The
            // prepends still waiting get their own pass (found by fuzzing: a no-op `Remove`
            // alone in the first pass used to end the loop before them).
            for index in pass.deferred {
                let err = PatchError::Refused {
                    line: 1,
                    reason: "conflicting edits".to_owned(),
                };
                refuse(index, err, &mut refused);
            }
            pending = Vec::new();
            continue;
        }
        current = splice::splice(&current, pass.edits);
        pending = pass.deferred;
    }
    let tree = match check {
        Check::Verify => Some(verify::against_intended(original, ops, &refused, &current)?),
        Check::RefusalsOnly => None,
    };
    refused.sort_by_key(|(i, _)| *i);
    Ok(Patched {
        text: current,
        refused,
        tree,
    })
}

#[cfg(test)]
mod tests;
