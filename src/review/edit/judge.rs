//! The checks of an edited value that need more than its kind: credentials, the bounds
//! Kratos's config schema sets for the key, and the finding's own rule run again with the
//! value in place. Shared by the wizard's edit and the `apply --answers` replay.

use serde_json::Value;

use super::{CREDENTIAL, EditKind, with_value};
use crate::finding::Finding;
use crate::patch::Op;
use crate::rules::{self, Context, Sink};

/// True when `value` at `path` is something the masker hides (a secret list, a client secret,
/// an API key, the password inside a URI).
pub(super) fn holds_secret(path: &str, value: &Value) -> bool {
    let tree = path.rsplit('.').fold(value.clone(), |inner, key| {
        Value::Object(std::iter::once((key.to_owned(), inner)).collect())
    });
    crate::config::load::parse(&tree.to_string(), "edit")
        .is_ok_and(|root| !crate::mask::existing(&root).is_empty())
}

/// Whether [`judge`] also makes the write's proof (no rule reports a new finding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// Now, in the edit box: the value is refused while it can still be retyped.
    Now,
    /// Later, per decision, by the run that writes (the answers replay: a value adding a
    /// finding refuses that decision, the rest goes ahead).
    AtWrite,
}

/// Checks an edited value against what Kratos and the finding's rule require: no credential
/// (it would be shown and recorded), inside the bounds Kratos's config schema sets for the key
/// (outside them Kratos refuses to start), the rule no longer reporting the finding once the
/// value is in place (e.g. `log.level: debug` for KH251, a bcrypt cost of 8 for KH222), and no
/// rule reporting a finding the deployment did not have (`https://*` typed to upgrade an http
/// return URL passes KH105 but adds KH102) when `prove` says so.
pub fn judge(
    cx: &Context<'_>,
    finding: &Finding,
    ops: &[Op],
    kind: EditKind,
    value: &Value,
    prove: Proof,
) -> Result<(), String> {
    let prove = prove == Proof::Now;
    let [Op::Set { path, .. }] = ops else {
        return Ok(());
    };
    let secret = matches!(kind, EditKind::Secret(_));
    if !secret && holds_secret(path, value) {
        return Err(CREDENTIAL.to_owned());
    }
    bounds(path, value)?;
    let edited = with_value(ops, value);
    // A value the editor cannot place is reported by the run that writes, not here.
    let Some(after) = crate::harden::with_ops(cx.deployment, finding.file, &edited) else {
        return Ok(());
    };
    let after_cx = Context::new(&after, cx.profile, Some(cx.version));
    let Some(rule) = rules::RULES.iter().find(|r| r.meta().id == finding.rule.id) else {
        return Ok(());
    };
    if !rules::applies(rule.meta(), &after_cx) {
        return Ok(());
    }
    let mut found = Vec::new();
    rule.check(
        &after_cx,
        &mut Sink::new(&after_cx, rule.meta(), &mut found),
    );
    match found.iter().find(|f| f.path == finding.path) {
        // The proof the write will make: the value must not add a finding of any rule.
        None if !prove => Ok(()),
        None => match crate::harden::new_in(&rules::check_all(cx), &after_cx).first() {
            None => Ok(()),
            Some(f) if secret => Err(format!(
                "the value would add {}: {}",
                f.rule.id, f.rule.title
            )),
            Some(f) => Err(format!("the value would add {}: {}", f.rule.id, f.message)),
        },
        // The rule's message about a secret could describe it; its title cannot.
        Some(_) if secret => Err(format!(
            "the value still fails {}: {}",
            finding.rule.id, finding.rule.title
        )),
        Some(f) => Err(format!(
            "the value still fails {}: {}",
            f.rule.id, f.message
        )),
    }
}

/// What Kratos's config schema (`embedx/config.schema.json`, the same at v1.3.1 and v26.2.0)
/// accepts for keys the fixes set, beyond the value's type.
enum Bound {
    OneOf(&'static [&'static str]),
    Between(i64, i64),
    ByteSize,
    Prefix(&'static [&'static str]),
}

const AAL: &[&str] = &["aal1", "highest_available"];
const SAME_SITE: &[&str] = &["Strict", "Lax", "None"];
const VIA: &[&str] = &["link", "code"];

/// Keys and their bounds; `*` stands for one list index.
static BOUNDS: &[(&str, Bound)] = &[
    (
        "log.level",
        Bound::OneOf(&[
            "trace", "debug", "info", "warning", "error", "fatal", "panic",
        ]),
    ),
    ("log.format", Bound::OneOf(&["json", "text"])),
    ("hashers.algorithm", Bound::OneOf(&["argon2", "bcrypt"])),
    ("hashers.bcrypt.cost", Bound::Between(4, 31)),
    ("hashers.argon2.memory", Bound::ByteSize),
    ("hashers.argon2.iterations", Bound::Between(1, i64::MAX)),
    ("hashers.argon2.parallelism", Bound::Between(1, i64::MAX)),
    ("hashers.argon2.salt_length", Bound::Between(16, i64::MAX)),
    ("hashers.argon2.key_length", Bound::Between(16, i64::MAX)),
    (
        "ciphers.algorithm",
        Bound::OneOf(&["noop", "aes", "xchacha20-poly1305"]),
    ),
    ("session.cookie.same_site", Bound::OneOf(SAME_SITE)),
    ("cookies.same_site", Bound::OneOf(SAME_SITE)),
    ("session.whoami.required_aal", Bound::OneOf(AAL)),
    ("selfservice.flows.settings.required_aal", Bound::OneOf(AAL)),
    ("selfservice.flows.recovery.use", Bound::OneOf(VIA)),
    ("selfservice.flows.verification.use", Bound::OneOf(VIA)),
    (
        "selfservice.methods.password.config.min_password_length",
        Bound::Between(6, i64::MAX),
    ),
    (
        "selfservice.methods.oidc.config.providers.*.pkce",
        Bound::OneOf(&["auto", "never", "force"]),
    ),
    (
        "courier.smtp.connection_uri",
        Bound::Prefix(&["smtp://", "smtps://"]),
    ),
];

fn bounds(path: &str, value: &Value) -> Result<(), String> {
    let matches = |pattern: &str| {
        let (mut p, mut k) = (pattern.split('.'), path.split('.'));
        loop {
            match (p.next(), k.next()) {
                (None, None) => return true,
                (Some("*"), Some(segment)) if segment.parse::<usize>().is_ok() => {}
                (Some(a), Some(b)) if a == b => {}
                _ => return false,
            }
        }
    };
    let Some((_, bound)) = BOUNDS.iter().find(|(pattern, _)| matches(pattern)) else {
        return Ok(());
    };
    let text = value.as_str().unwrap_or_default();
    let ok = match bound {
        Bound::OneOf(allowed) => allowed.contains(&text),
        Bound::Between(low, high) => value.as_i64().is_some_and(|n| (*low..=*high).contains(&n)),
        Bound::ByteSize => {
            let unit = text.trim_start_matches(|c: char| c.is_ascii_digit());
            unit.len() < text.len() && ["B", "KB", "MB", "GB", "TB", "PB", "EB"].contains(&unit)
        }
        Bound::Prefix(prefixes) => prefixes.iter().any(|p| text.starts_with(p)),
    };
    if ok {
        return Ok(());
    }
    Err(match bound {
        Bound::OneOf(allowed) => format!("Kratos accepts only {} here", allowed.join(", ")),
        Bound::Between(low, i64::MAX) => format!("Kratos accepts {low} or more here"),
        Bound::Between(low, high) => format!("Kratos accepts {low} to {high} here"),
        Bound::ByteSize => {
            "Kratos accepts a whole number and a unit (B, KB, MB, GB…) here, e.g. 128MB".to_owned()
        }
        Bound::Prefix(prefixes) => format!(
            "Kratos accepts only a URI starting with {} here",
            prefixes.join(" or ")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_bounds() {
        assert!(bounds("hashers.bcrypt.cost", &json!(12)).is_ok());
        assert!(bounds("hashers.bcrypt.cost", &json!(40)).is_err());
        assert!(bounds("log.level", &json!("loud")).is_err());
        assert!(
            bounds(
                "selfservice.methods.oidc.config.providers.3.pkce",
                &json!("x")
            )
            .is_err()
        );
        assert!(bounds("hashers.argon2.memory", &json!("128MB")).is_ok());
        assert!(bounds("hashers.argon2.memory", &json!("MB")).is_err());
        assert!(bounds("serve.admin.host", &json!("anything")).is_ok());
    }

    #[test]
    fn secrets_are_recognised_by_path_and_inside_uris() {
        assert!(holds_secret("dsn", &json!("postgres://u:pw@db/k")));
        assert!(holds_secret(
            "selfservice.methods.oidc.config.providers.0.client_secret",
            &json!("abc")
        ));
        assert!(!holds_secret("log.level", &json!("info")));
    }
}
