//! The checks of an edited value that need more than its kind: credentials, the bounds
//! Kratos's config schema sets for the key (recorded in the key table, `config::keys`), and
//! the finding's own rule run again with the value in place. Shared by the wizard's edit and the `apply --answers` replay.

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

/// The constraint the key table records from Kratos's config schema for `path`, checked.
fn bounds(path: &str, value: &Value) -> Result<(), String> {
    match crate::config::keys::lookup(path).and_then(|k| k.bound) {
        Some(bound) => bound.check(value),
        None => Ok(()),
    }
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
