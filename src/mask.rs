//! Hiding secret values in anything shown to a person or a log: diffs, operation lists, JSON.
//!
//! A [`Masker`] knows the secrets of one run: the values already in the config (at the paths
//! the key table marks secret, `config::keys::is_secret`, and passwords inside DSN/SMTP URIs)
//! and the ones generated now. It replaces every occurrence, longest first, so a secret that
//! contains another is masked whole.

mod sources;

use crate::config::Deployment;
use crate::config::keys;
use crate::config::node::{Node, Value};
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
    /// The byte lengths of the tokens (bit `n` for length `n`, the last bit for 127 and
    /// more): a token of another length is not looked up, and most are.
    lengths: u128,
}

impl Masker {
    /// A masker for the secrets written in `root` plus the `generated` ones.
    #[must_use]
    pub fn new(root: &Node, generated: &[(String, Secret)]) -> Self {
        let mut masker = Self {
            pairs: with_context(&secret_nodes(root, "")),
            tokens: std::collections::HashMap::new(),
            lengths: 0,
        };
        masker.add_generated(generated);
        masker
    }

    /// A masker for everything secret in `deployment` and the `generated` secrets: the values
    /// in force, the ones a later layer replaced (still written in their file), and each of
    /// them as written when escapes, quotes or line breaks make the text differ from the value
    /// (`sources.rs`).
    #[must_use]
    pub fn for_deployment(deployment: &Deployment, generated: &[(String, Secret)]) -> Self {
        let mut found = secret_nodes(&deployment.root, "");
        for (path, node) in &deployment.shadowed {
            found.extend(secret_nodes(node, path));
        }
        let mut masker = Self {
            pairs: with_context(&found),
            tokens: std::collections::HashMap::new(),
            lengths: 0,
        };
        masker.pairs.extend(
            generated
                .iter()
                .map(|(_, s)| (s.expose().to_owned(), s.masked())),
        );
        let mut forms = Vec::new();
        let whole = masker
            .pairs
            .iter()
            .map(|(v, l)| (v, l))
            .chain(&masker.tokens);
        for (value, label) in whole.filter(|(v, _)| !(v.starts_with(':') && v.ends_with('@'))) {
            forms.extend(
                sources::quoted_forms(value)
                    .into_iter()
                    .map(|f| (f, label.clone())),
            );
        }
        masker.pairs.extend(forms);
        masker.pairs.extend(sources::fragments(deployment, &found));
        masker.index();
        masker
    }

    /// Sorts the pairs and moves single-token values into the lookup table.
    fn index(&mut self) {
        let mut all = std::mem::take(&mut self.pairs);
        all.retain(|(v, _)| !v.trim().is_empty());
        all.extend(self.tokens.drain());
        self.lengths = 0;
        all.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        all.dedup_by(|a, b| a.0 == b.0);
        for (value, label) in all {
            let contextual = value.starts_with(':') && value.ends_with('@');
            if !contextual && !value.chars().any(|c| boundary(Some(c))) {
                self.lengths |= length_bit(value.len());
                self.tokens.insert(value, label);
            } else {
                self.pairs.push((value, label));
            }
        }
    }

    /// Hides `generated` secrets too.
    pub fn add_generated(&mut self, generated: &[(String, Secret)]) {
        self.pairs.extend(
            generated
                .iter()
                .map(|(_, s)| (s.expose().to_owned(), s.masked())),
        );
        self.index();
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
                let known = self.lengths & length_bit(token.len()) != 0;
                let found = if known { self.tokens.get(token) } else { None };
                match found {
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

/// The bit of [`Masker::lengths`] for a token of `len` bytes.
fn length_bit(len: usize) -> u128 {
    1 << len.min(127)
}

/// Characters that end a YAML/JSON token.
#[inline]
fn boundary(c: Option<char>) -> bool {
    c.is_none_or(|c| {
        if c.is_ascii() {
            matches!(
                c,
                ' ' | '\t'..='\r' | '\'' | '"' | '[' | ']' | '{' | '}' | ',' | '='
            )
        } else {
            c.is_whitespace()
        }
    })
}

/// What a string at a path holds that must be hidden.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Held<'a> {
    /// The whole value (a secret list entry, a client secret, an API key…).
    Whole(&'a str),
    /// The password inside a URI (DSN, SMTP, a hook URL).
    Password(&'a str),
}

/// What `value` at `path` holds that must be hidden, if anything.
pub(crate) fn held<'a>(path: &str, value: &'a str) -> Option<Held<'a>> {
    if value.trim().is_empty() {
        return None;
    }
    if keys::is_secret(path) {
        return Some(Held::Whole(value));
    }
    password(value).map(Held::Password)
}

/// The label a held value is shown as.
fn label(held: Held<'_>) -> String {
    match held {
        Held::Whole(v) | Held::Password(v) => format!("<secret: {} chars>", v.chars().count()),
    }
}

/// The strings under `node` (whose path is `prefix`) that hold something to hide.
///
/// One walk with the path kept in a buffer; whether a path is secret is asked once per shape
/// (indexes as `*`): a config with thousands of OIDC providers has a handful of shapes.
pub(crate) fn secret_nodes<'a>(node: &'a Node, prefix: &str) -> Vec<(String, &'a Node)> {
    struct Walk<'a> {
        path: String,
        shape: String,
        secret: std::collections::HashMap<String, bool>,
        out: Vec<(String, &'a Node)>,
    }
    fn push(buffer: &mut String, segment: &str) {
        if !buffer.is_empty() {
            buffer.push('.');
        }
        buffer.push_str(segment);
    }
    fn go<'a>(walk: &mut Walk<'a>, node: &'a Node) {
        let (path_len, shape_len) = (walk.path.len(), walk.shape.len());
        match &node.value {
            Value::Str(value) => {
                let secret = if let Some(&secret) = walk.secret.get(&walk.shape) {
                    secret
                } else {
                    let secret = keys::is_secret(&walk.path);
                    walk.secret.insert(walk.shape.clone(), secret);
                    secret
                };
                let hidden = if secret {
                    !value.trim().is_empty()
                } else {
                    password(value).is_some()
                };
                if hidden {
                    walk.out.push((walk.path.clone(), node));
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    push(&mut walk.path, &i.to_string());
                    push(&mut walk.shape, "*");
                    go(walk, item);
                    walk.path.truncate(path_len);
                    walk.shape.truncate(shape_len);
                }
            }
            Value::Map(entries) => {
                for entry in entries {
                    push(&mut walk.path, &entry.key);
                    let index =
                        !entry.key.is_empty() && entry.key.bytes().all(|b| b.is_ascii_digit());
                    push(&mut walk.shape, if index { "*" } else { &entry.key });
                    go(walk, &entry.node);
                    walk.path.truncate(path_len);
                    walk.shape.truncate(shape_len);
                }
            }
            _ => {}
        }
    }
    let mut walk = Walk {
        path: prefix.to_owned(),
        shape: prefix
            .split('.')
            .map(|s| {
                if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                    "*"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("."),
        secret: std::collections::HashMap::new(),
        out: Vec::new(),
    };
    go(&mut walk, node);
    walk.out
}

/// The password of a URI, when `value` is one that holds a password.
fn password(value: &str) -> Option<&str> {
    // Most strings are no URI with credentials: a byte search is cheaper than parsing them.
    if !value.contains('@') || !value.contains("://") {
        return None;
    }
    Uri::parse(value)
        .and_then(|u| u.password)
        .filter(|p| !p.is_empty())
}

/// Like [`existing`], ready for masking: URI passwords with their `:` and `@`.
fn with_context(found: &[(String, &Node)]) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (path, node) in found {
        let Some(value) = node.as_str() else { continue };
        match held(path, value) {
            Some(h @ Held::Whole(v)) => pairs.push((v.to_owned(), label(h))),
            Some(h @ Held::Password(p)) => {
                pairs.push((format!(":{p}@"), format!(":{}@", label(h))));
            }
            None => {}
        }
    }
    pairs
}

/// The secret values written in a config: secret lists, client secrets and private keys, hook
/// API keys and basic-auth passwords, and the passwords inside URIs (DSN, SMTP, hooks).
#[must_use]
pub fn existing(root: &Node) -> Vec<String> {
    secret_nodes(root, "")
        .into_iter()
        .filter_map(|(path, node)| match held(&path, node.as_str()?)? {
            Held::Whole(v) | Held::Password(v) => Some(v.to_owned()),
        })
        .collect()
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

    #[test]
    fn tokens_of_any_length_are_found_by_the_length_filter() {
        let long = "k".repeat(300);
        let text = format!("secrets:\n  cookie: [{long}, short12345678]\n");
        let root: Node = serde_saphyr::from_str(&text).expect("parses");
        let masker = Masker::new(&root, &[]);
        let shown = masker.apply(&format!(
            "- {long}\n- short12345678 and {}",
            "k".repeat(299)
        ));
        assert_eq!(
            shown,
            format!(
                "- <secret: 300 chars>\n- <secret: 13 chars> and {}",
                "k".repeat(299)
            )
        );
    }
}
