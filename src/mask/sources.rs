//! What a secret looks like in the files themselves, beyond its value: the masker finds a
//! value by its text, but a secret written with escapes (`"a\x41"`), over several lines (a
//! block scalar, a double-quoted line continuation, a plain scalar that wraps) or quoted in an
//! env file is not that text, and each line of it shows in a diff. This module lists those
//! written forms, and the quoted forms this tool's own editors may write a value in.
//!
//! Cost: the value of a secret is looked for on its own line first (a line index per file,
//! one search per secret); only a file where some secret is not found there is parsed again
//! into its span tree. Env files are small and always read statement by statement.

use std::collections::BTreeSet;

use super::{Held, held, label};
use crate::config::env::{self, dotenv};
use crate::config::node::{FileId, Node};
use crate::config::{Deployment, SourceKind};

/// `(written text, label)` pairs for every secret of `deployment` not written as its value.
/// `found` are the secret strings of the deployment, in force or replaced.
pub(super) fn fragments(
    deployment: &Deployment,
    found: &[(String, &Node)],
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let reparse = files_to_reparse(deployment, found);
    for (index, source) in deployment.sources.iter().enumerate() {
        let id = FileId::try_from(index).unwrap_or(FileId::MAX);
        match source.kind {
            SourceKind::EnvFile => env_fragments(&source.text, &mut out),
            SourceKind::Config | SourceKind::HelmValues if reparse.contains(&id) => {
                yaml_fragments(&source.text, source.kind, &mut out);
            }
            _ => {}
        }
    }
    out
}

/// The quoted forms a value may be written in by this tool or by hand, when they differ from
/// the value itself (a value with quotes, backslashes or control characters).
pub(super) fn quoted_forms(value: &str) -> Vec<String> {
    let mut forms: Vec<String> = crate::patch::quoted_forms(value).into();
    forms.extend(
        [dotenv::Quote::Single, dotenv::Quote::Double]
            .into_iter()
            .filter_map(|q| dotenv::quote_as(value, q).ok()),
    );
    forms.retain(|f| {
        let inner = &f[1..f.len().saturating_sub(1).max(1)];
        inner != value
    });
    forms.sort();
    forms.dedup();
    forms
}

/// The files holding a secret (in force or replaced by a later layer) that is not on its
/// line as written.
fn files_to_reparse(deployment: &Deployment, found: &[(String, &Node)]) -> BTreeSet<FileId> {
    let mut lines: Vec<Option<Vec<usize>>> = vec![None; deployment.sources.len()];
    let mut files = BTreeSet::new();
    for (_, node) in found {
        let file = usize::from(node.pos.file);
        let Some(source) = deployment.sources.get(file) else {
            continue;
        };
        if node.pos.line == 0
            || !matches!(source.kind, SourceKind::Config | SourceKind::HelmValues)
            || files.contains(&node.pos.file)
        {
            continue;
        }
        let starts = lines[file].get_or_insert_with(|| line_starts(&source.text));
        let Some(value) = node.as_str() else { continue };
        if !on_its_line(&source.text, starts, node, value) {
            files.insert(node.pos.file);
        }
    }
    files
}

/// Byte offset of each line's start.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// True when `value` stands as written on the rest of the line `node` points at (a mapping
/// value points at its key, a list item at itself).
fn on_its_line(text: &str, starts: &[usize], node: &Node, value: &str) -> bool {
    let line = usize::try_from(node.pos.line).unwrap_or(usize::MAX);
    let Some(&start) = starts.get(line.wrapping_sub(1)) else {
        return false;
    };
    let end = starts.get(line).map_or(text.len(), |&next| next);
    let row = &text[start..end];
    let column = usize::try_from(node.pos.column)
        .unwrap_or(0)
        .saturating_sub(1);
    let from = row.char_indices().nth(column).map_or(row.len(), |(i, _)| i);
    let rest = &row[from..];
    rest.match_indices(value).any(|(at, _)| {
        let after = rest[at + value.len()..].chars().next();
        after.is_none_or(|c| c.is_whitespace() || "'\"]},#".contains(c))
    })
}

/// The lines of every secret scalar of a YAML/JSON (or Helm values) text whose text is not
/// its value.
fn yaml_fragments(text: &str, kind: SourceKind, out: &mut Vec<(String, String)>) {
    let Some(scalars) = crate::patch::scalars(text) else {
        return;
    };
    for (path, range, value) in scalars {
        let path = match kind {
            SourceKind::HelmValues => match path.strip_prefix("kratos.config.") {
                Some(inner) => inner.to_owned(),
                None => continue,
            },
            _ => path,
        };
        let Some(held) = held(&path, &value) else {
            continue;
        };
        let written = &text[range];
        if !written.contains(value.as_str()) {
            push_lines(written, &whole_label(held), out);
        }
    }
}

/// The label of a value hidden whole: a URI is hidden with its password inside.
fn whole_label(held: Held<'_>) -> String {
    match held {
        Held::Whole(_) => label(held),
        Held::Password(_) => "<URI with a secret>".to_owned(),
    }
}

/// The values of an env file's secret variables as written, when quoting or escapes make them
/// differ from the value.
fn env_fragments(text: &str, out: &mut Vec<(String, String)>) {
    let (parsed, _) = dotenv::parse_partial(text);
    for statement in &parsed.statements {
        let Some((path, _)) = env::resolve(&statement.name) else {
            continue;
        };
        let Some(held) = held(&path, &statement.value) else {
            continue;
        };
        let written = text.get(statement.value_span.clone()).unwrap_or("");
        if written != statement.value {
            push_lines(written, &whole_label(held), out);
        }
    }
}

/// Each non-blank line of `written`, trimmed, hidden behind `label`.
fn push_lines(written: &str, label: &str, out: &mut Vec<(String, String)>) {
    for line in written.lines() {
        let line = line.trim();
        if !line.is_empty() {
            out.push((line.to_owned(), label.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::config::Deployment;
    use crate::mask::Masker;

    fn files(name: &str, text: &str) -> Vec<(PathBuf, String, String)> {
        vec![(PathBuf::from(name), name.to_owned(), text.to_owned())]
    }

    #[test]
    fn a_value_is_masked_in_the_quoted_forms_the_editors_write() {
        let d = Deployment::from_texts(files(
            "k.yml",
            "secrets:\n  cookie: ['Quote\"And''Slash\\Cookie0123456789abcdef']\n",
        ))
        .expect("loads");
        let masker = Masker::for_deployment(&d, &[]);
        for written in [
            r#"  - "Quote\"And'Slash\\Cookie0123456789abcdef""#,
            r#"SECRETS_COOKIE="Quote\"And'Slash\\Cookie0123456789abcdef""#,
            "  - 'Quote\"And''Slash\\Cookie0123456789abcdef'",
        ] {
            let shown = masker.apply(written);
            assert!(!shown.contains("Cookie0123"), "{written} → {shown}");
        }
    }

    #[test]
    fn a_block_scalar_secret_in_helm_values_is_masked_line_by_line() {
        let text = "kratos:\n  config:\n    secrets:\n      cipher:\n        - >-\n          FoldedHelmOne\n          FoldedHelmTwo\n";
        let d = Deployment::from_helm_values(files("values.yaml", text)).expect("loads");
        let shown = Masker::for_deployment(&d, &[]).apply(text);
        assert!(!shown.contains("FoldedHelm"), "{shown}");
        assert!(shown.contains("cipher:"), "{shown}");
        // Found on its line, a value needs no second parse: the literal masking covers it.
        let plain = Deployment::from_texts(files("k.yml", "secrets:\n  cipher: [PlainCipher]\n"))
            .expect("loads");
        let found = crate::mask::secret_nodes(&plain.root, "");
        assert!(super::files_to_reparse(&plain, &found).is_empty());
        let block = text.replace("kratos:\n  config:\n", "");
        let block = Deployment::from_texts(files("k.yml", &block)).expect("loads");
        let found = crate::mask::secret_nodes(&block.root, "");
        assert_eq!(super::files_to_reparse(&block, &found).len(), 1);
    }
}
