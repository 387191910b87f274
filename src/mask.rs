//! Hiding secret values in anything shown to a person or a log: diffs, operation lists, JSON.
//!
//! A [`Masker`] knows the secrets of one run: the values already in the config (at the paths
//! the key table marks secret, `config::keys::is_secret`, and passwords inside DSN/SMTP URIs)
//! and the ones generated now. It replaces every occurrence, longest first, so a secret that
//! contains another is masked whole.

use crate::config::keys;
use crate::config::node::Node;
use crate::kratos::uri::Uri;
use crate::secret::Secret;

/// Replaces known secret values in text.
#[derive(Debug, Default, Clone)]
pub struct Masker {
    /// `(text to find, replacement)`, longest first. URI passwords are found with their
    /// `user:` and `@` around them; other values as whole tokens (see [`Masker::apply`]).
    pairs: Vec<(String, String)>,
    /// The values that are single tokens, for a lookup per token instead of a search per
    /// value (a config with thousands of client secrets would otherwise cost seconds).
    tokens: std::collections::HashMap<String, String>,
}

impl Masker {
    /// A masker for the secrets written in `root` plus the `generated` ones.
    #[must_use]
    pub fn new(root: &Node, generated: &[(String, Secret)]) -> Self {
        let mut pairs: Vec<(String, String)> = existing_with_context(root);
        pairs.extend(
            generated
                .iter()
                .map(|(_, s)| (s.expose().to_owned(), s.masked())),
        );
        pairs.retain(|(v, _)| !v.trim().is_empty());
        let mut masker = Self {
            pairs,
            tokens: std::collections::HashMap::new(),
        };
        masker.index();
        masker
    }

    /// Sorts the pairs and moves single-token values into the lookup table.
    fn index(&mut self) {
        let mut all = std::mem::take(&mut self.pairs);
        all.extend(self.tokens.drain());
        all.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        all.dedup_by(|a, b| a.0 == b.0);
        for (value, label) in all {
            let contextual = value.starts_with(':') && value.ends_with('@');
            if !contextual && !value.chars().any(|c| boundary(Some(c))) {
                self.tokens.insert(value, label);
            } else {
                self.pairs.push((value, label));
            }
        }
    }

    /// Hides one more value (a secret the operator typed) behind `label`.
    pub fn add_value(&mut self, value: &str, label: &str) {
        self.pairs.push((value.to_owned(), label.to_owned()));
        self.index();
    }

    /// Adds more values to hide (e.g. the secrets of a second file).
    pub fn add(&mut self, other: &Masker) {
        self.pairs.extend(other.pairs.iter().cloned());
        self.pairs
            .extend(other.tokens.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.index();
    }

    /// `text` with every known secret replaced by its label. A value is replaced where it
    /// stands as a token (between line ends, spaces, quotes, brackets, commas or `: `), so a
    /// weak password such as `kratos` is hidden without hiding every other `kratos` in a path.
    #[must_use]
    pub fn apply(&self, text: &str) -> String {
        let mut out = if self.tokens.is_empty() {
            text.to_owned()
        } else {
            self.replace_tokens(text)
        };
        for (value, label) in &self.pairs {
            if !out.contains(value.as_str()) {
                continue;
            }
            let contextual = value.starts_with(':') && value.ends_with('@');
            let mut result = String::with_capacity(out.len());
            let mut rest = out.as_str();
            while let Some(at) = rest.find(value.as_str()) {
                let before = rest[..at].chars().next_back();
                let after = rest[at + value.len()..].chars().next();
                result.push_str(&rest[..at]);
                if contextual || (boundary(before) && boundary(after)) {
                    result.push_str(label);
                } else {
                    result.push_str(value);
                }
                rest = &rest[at + value.len()..];
            }
            result.push_str(rest);
            out = result;
        }
        out
    }
}

impl Masker {
    /// Replaces whole tokens found in the lookup table.
    fn replace_tokens(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut token_start = 0;
        for (i, c) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
        {
            if boundary(Some(c)) {
                let token = &text[token_start..i];
                match self.tokens.get(token) {
                    Some(label) => out.push_str(label),
                    None => out.push_str(token),
                }
                if i < text.len() {
                    out.push(c);
                }
                token_start = i + c.len_utf8();
            }
        }
        out
    }
}

/// Characters that end a YAML/JSON token.
fn boundary(c: Option<char>) -> bool {
    c.is_none_or(|c| c.is_whitespace() || "'\"[]{},=".contains(c))
}

/// Like [`existing`], ready for masking: URI passwords with their `:` and `@`.
fn existing_with_context(root: &Node) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (path, node) in root.find_strings(&|_| true) {
        let Some(value) = node.as_str() else { continue };
        if keys::is_secret(&path) {
            pairs.push((
                value.to_owned(),
                format!("<secret: {} chars>", value.chars().count()),
            ));
        } else if let Some(password) = Uri::parse(value)
            .and_then(|u| u.password)
            .filter(|p| !p.is_empty())
        {
            pairs.push((
                format!(":{password}@"),
                format!(":<secret: {} chars>@", password.chars().count()),
            ));
        }
    }
    pairs
}

/// The secret values written in a config: secret lists, client secrets and private keys, hook
/// API keys and basic-auth passwords, and the passwords inside URIs (DSN, SMTP, hooks).
#[must_use]
pub fn existing(root: &Node) -> Vec<String> {
    let mut values = Vec::new();
    for (path, node) in root.find_strings(&|_| true) {
        let Some(value) = node.as_str() else { continue };
        if keys::is_secret(&path) {
            values.push(value.to_owned());
        } else if let Some(password) = Uri::parse(value)
            .and_then(|u| u.password)
            .filter(|p| !p.is_empty())
        {
            values.push(password.to_owned());
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::{Kind, OsSecrets};

    #[test]
    fn masks_existing_and_generated_secrets() {
        let root: Node = serde_saphyr::from_str(
            "secrets:\n  cookie: [PLEASE-CHANGE-ME-I-AM-VERY-INSECURE]\ndsn: postgres://u:hunter2hunter2@db/k\n",
        )
        .expect("parses");
        let generated = vec![(
            "secrets.cookie".to_owned(),
            Secret::generate(Kind::Signing, &mut OsSecrets).expect("rng"),
        )];
        let masker = Masker::new(&root, &generated);
        let text = format!(
            "- PLEASE-CHANGE-ME-I-AM-VERY-INSECURE\n+ {}\ndsn: postgres://u:hunter2hunter2@db/k",
            generated[0].1.expose()
        );
        let shown = masker.apply(&text);
        assert!(!shown.contains("PLEASE-CHANGE"));
        assert!(!shown.contains("hunter2"));
        assert!(!shown.contains(generated[0].1.expose()));
        assert!(shown.contains("<generated: 32 chars>"));
        assert!(shown.contains("<secret: 35 chars>"));
        assert!(
            shown.contains("postgres://u:<secret: 14 chars>@db/k"),
            "{shown}"
        );
        let weak: Node =
            serde_saphyr::from_str("client_secret: kratos\ndsn: postgres://db/kratos\n")
                .expect("parses");
        let precise =
            Masker::new(&weak, &[]).apply("client_secret: kratos\ndsn: postgres://db/kratos");
        assert_eq!(
            precise,
            "client_secret: <secret: 6 chars>\ndsn: postgres://db/kratos"
        );
    }
}
