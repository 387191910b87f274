//! Fixing Kratos's secret lists (kratos-hardening.md §6, secret-key-rotation guide): one
//! computation per list that every secret finding shares, so several findings about
//! `secrets.cookie` produce one and the same operation.
//!
//! A new secret goes first (it signs or encrypts from now on); real secrets that were there stay
//! after it so existing sessions and stored tokens still verify. Published placeholders, short
//! or patterned values, `${VAR}` literals and duplicates are removed, not kept: keeping them
//! valid for verification would defeat the fix.

use serde_json::Value;

use super::Context;
use super::support::{SECRET_KEYS, secret_items};
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, set};
use crate::kratos::credential::{is_env_reference, is_placeholder, low_variety};
use crate::secret::{Kind, SecretError};

/// True when `value` may stay in `secrets.<key>`.
#[must_use]
pub fn acceptable(key: &str, value: &str) -> bool {
    if is_env_reference(value) || is_placeholder(value) {
        return false;
    }
    let long_enough = if key == "cipher" {
        value.is_ascii() && value.len() == 32
    } else {
        value.chars().count() >= 32
    };
    long_enough && !low_variety(value)
}

/// The fixed list for `secrets.<key>`, or `None` when the current one is already fine.
pub fn fixed_list(
    cx: &Context<'_>,
    key: &str,
    env: &mut FixEnv<'_>,
) -> Result<Option<Value>, SecretError> {
    let memo_key = format!("secrets.{key}");
    let value = env.once(&memo_key, |env| {
        let current: Vec<&str> = secret_items(cx, key).into_iter().map(|(_, v)| v).collect();
        // Values already used by an earlier list stay there and leave this one.
        let earlier: Vec<&str> = SECRET_KEYS
            .iter()
            .take_while(|k| **k != key)
            // Cookie secrets may repeat default ones: cookies fall back to them anyway.
            .filter(|k| !(key == "cookie" && **k == "default"))
            .flat_map(|k| secret_items(cx, k).into_iter().map(|(_, v)| v))
            .collect();
        let mut keep: Vec<&str> = Vec::new();
        let mut removed = false;
        for value in &current {
            if acceptable(key, value) && !keep.contains(value) && !earlier.contains(value) {
                keep.push(value);
            } else {
                removed = true;
            }
        }
        let fallback: Vec<&str> = if key == "cookie" && current.is_empty() {
            // Cookies were signed with `secrets.default`: keep its real values for verification.
            secret_items(cx, "default")
                .into_iter()
                .map(|(_, v)| v)
                .filter(|v| acceptable("default", v))
                .collect()
        } else {
            Vec::new()
        };
        if !removed && !keep.is_empty() && cx.get(&memo_key).is_some_and(|n| !n.items().is_empty())
        {
            return Ok(Value::Null);
        }
        let kind = if key == "cipher" {
            Kind::Cipher
        } else {
            Kind::Signing
        };
        let fresh = env.secret(kind, &memo_key)?;
        let list: Vec<Value> = std::iter::once(fresh.as_str())
            .chain(keep)
            .chain(fallback)
            .map(|s| Value::String(s.to_owned()))
            .collect();
        Ok(Value::Array(list))
    })?;
    Ok((!value.is_null()).then_some(value))
}

/// A planned rotation of `secrets.<key>`: a new secret first, the acceptable current ones
/// after it (still accepted for verification), weak ones dropped. Returns the new list, how
/// many old secrets were kept and how many dropped.
pub fn rotated(
    cx: &Context<'_>,
    key: &str,
    env: &mut FixEnv<'_>,
) -> Result<(Value, usize, usize), SecretError> {
    let current: Vec<&str> = secret_items(cx, key).into_iter().map(|(_, v)| v).collect();
    let mut keep: Vec<&str> = Vec::new();
    for value in &current {
        if acceptable(key, value) && !keep.contains(value) {
            keep.push(value);
        }
    }
    let kind = if key == "cipher" {
        Kind::Cipher
    } else {
        Kind::Signing
    };
    let fresh = env.secret(kind, &format!("secrets.{key}"))?;
    let dropped = current.len() - keep.len();
    let kept = keep.len();
    let list = std::iter::once(fresh.as_str())
        .chain(keep)
        .map(|s| Value::String(s.to_owned()))
        .collect();
    Ok((Value::Array(list), kept, dropped))
}

/// The fix of any finding about a secret list: rewrite the list its path names.
pub fn fix_for(
    cx: &Context<'_>,
    finding: &Finding,
    env: &mut FixEnv<'_>,
) -> Result<FixPlan, SecretError> {
    let Some(key) = finding
        .path
        .strip_prefix("secrets.")
        .and_then(|rest| rest.split('.').next())
        .filter(|k| SECRET_KEYS.contains(k))
    else {
        return Ok(FixPlan::Manual("not a secret list".to_owned()));
    };
    Ok(match fixed_list(cx, key, env)? {
        Some(list) => FixPlan::Ops(vec![set(&format!("secrets.{key}"), list)]),
        None => FixPlan::Ops(Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Deployment;
    use crate::fix::{FixEnv, SecretsTo};
    use crate::rules::Profile;
    use crate::secret::OsSecrets;

    const REAL: &str = "q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnAuR5w";

    fn fixed(config: &str, key: &str) -> Option<Vec<String>> {
        let d = Deployment::from_texts(vec![("k.yml".into(), "k.yml".into(), config.into())])
            .expect("loads");
        let cx = Context::new(&d, Profile::Production, None);
        let mut rng = OsSecrets;
        let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
        let list = fixed_list(&cx, key, &mut env).expect("rng")?;
        Some(
            list.as_array()
                .expect("list")
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect(),
        )
    }

    #[test]
    fn placeholder_removed_real_secret_kept_after_the_new_one() {
        let list = fixed(
            &format!("secrets:\n  cookie: [PLEASE-CHANGE-ME-I-AM-VERY-INSECURE, {REAL}]\n"),
            "cookie",
        )
        .expect("changes");
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].len(), 43);
        assert_eq!(list[1], REAL);
    }

    #[test]
    fn cookie_split_from_default_keeps_sessions_valid() {
        let list = fixed(&format!("secrets:\n  default: [{REAL}]\n"), "cookie").expect("changes");
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[1], REAL,
            "cookies signed with the default secret still verify"
        );
    }

    #[test]
    fn cipher_gets_exactly_32_and_good_lists_stay() {
        let list = fixed("dsn: memory\n", "cipher").expect("created");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].len(), 32);
        assert_eq!(
            fixed(&format!("secrets:\n  default: [{REAL}]\n"), "default"),
            None
        );
    }
}
