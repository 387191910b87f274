//! Fixing Kratos's secret lists (as Ory's secret-key-rotation guide describes): one
//! computation per list that every secret finding shares, so several findings about
//! `secrets.cookie` produce one and the same operation.
//!
//! A new secret goes first (it signs or encrypts from now on); real secrets that were there stay
//! after it so existing sessions and stored tokens still verify. Published placeholders, short
//! or patterned values, `${VAR}` literals and duplicates are removed, not kept: keeping them
//! valid for verification would defeat the fix.
//!
//! The cookie list (and `secrets.default`, which stands in for it when it is unset) is also read
//! by the continuity cookie store as gorilla/securecookie key pairs `(hash, block, hash, block…)`
//! (<https://github.com/ory/kratos/blob/v1.3.1/driver/registry_default.go#L555>): every entry at
//! an odd index is an AES key and must be 16, 24 or 32 bytes. [`continuity_layout`] keeps that
//! true: a fresh 32-byte entry goes second, the old list follows unchanged (so its pairs, and the
//! continuity cookies made with them, still decode), and a fresh 32-byte entry is put before any
//! old entry that would otherwise land at an odd index without being a valid AES key.

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

/// The lists the continuity cookie store reads as key pairs.
#[must_use]
pub fn is_pair_list(key: &str) -> bool {
    matches!(key, "cookie" | "default")
}

/// True when `value` can be an AES key (the odd-index entries of a key-pair list).
#[must_use]
pub fn is_aes_key(value: &str) -> bool {
    matches!(value.len(), 16 | 24 | 32)
}

/// True when every odd-index entry of `list` is a valid AES key.
#[must_use]
pub fn valid_pairs(list: &[&str]) -> bool {
    list.iter().skip(1).step_by(2).all(|v| is_aes_key(v))
}

/// The key-pair list: `first` and a fresh block key (when `first` is given), then `rest` with
/// a fresh 32-byte entry inserted before each entry that would otherwise sit at an odd index
/// without being an AES key. `fresh` makes those entries (each one remembered for masking).
fn continuity_layout(
    first: Option<String>,
    rest: &[&str],
    fresh: &mut dyn FnMut() -> Result<String, SecretError>,
) -> Result<Vec<String>, SecretError> {
    let mut list: Vec<String> = Vec::with_capacity(rest.len() * 2 + 2);
    if let Some(first) = first {
        list.push(first);
        // The new hash key's partner: the old entries then keep their parity and their pairs.
        list.push(fresh()?);
    }
    for value in rest {
        if list.len() % 2 == 1 && !is_aes_key(value) {
            list.push(fresh()?);
        }
        list.push((*value).to_owned());
    }
    Ok(list)
}

/// The list for `secrets.<key>` after a rotation: the new secret `fresh` first, then `old`
/// (laid out as key pairs for the lists the continuity store reads that way).
fn with_new_secret(
    key: &str,
    fresh: String,
    old: &[&str],
    env: &mut FixEnv<'_>,
) -> Result<Value, SecretError> {
    let path = format!("secrets.{key}");
    let list = if is_pair_list(key) {
        continuity_layout(Some(fresh), old, &mut || env.secret(Kind::Signing, &path))?
    } else {
        std::iter::once(fresh)
            .chain(old.iter().map(|s| (*s).to_owned()))
            .collect()
    };
    Ok(Value::Array(list.into_iter().map(Value::String).collect()))
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
        let is_list = cx.get(&memo_key).is_some_and(|n| !n.items().is_empty());
        if !removed && !keep.is_empty() && is_list {
            if !is_pair_list(key) || valid_pairs(&keep) {
                return Ok(Value::Null);
            }
            // Only the pairing is wrong: nothing is rotated, a block key goes before each entry
            // that sits at an odd index (continuity cookies could not be made with it anyway).
            let list =
                continuity_layout(None, &keep, &mut || env.secret(Kind::Signing, &memo_key))?;
            return Ok(Value::Array(list.into_iter().map(Value::String).collect()));
        }
        let kind = if key == "cipher" {
            Kind::Cipher
        } else {
            Kind::Signing
        };
        let fresh = env.secret(kind, &memo_key)?;
        let old: Vec<&str> = keep.into_iter().chain(fallback).collect();
        with_new_secret(key, fresh, &old, env)
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
    Ok((with_new_secret(key, fresh, &keep, env)?, kept, dropped))
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
        assert_eq!(list.len(), 3, "new secret, its block key, the real old one");
        assert_eq!(list[0].len(), 32);
        assert_eq!(list[1].len(), 32);
        assert_eq!(list[2], REAL);
    }

    #[test]
    fn cookie_split_from_default_keeps_sessions_valid() {
        let list = fixed(&format!("secrets:\n  default: [{REAL}]\n"), "cookie").expect("changes");
        assert_eq!(list.len(), 3);
        assert_eq!(
            list[2], REAL,
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

    /// Real-looking old secrets of the byte lengths the continuity store cares about.
    fn old(len: usize) -> String {
        REAL.repeat(2)[..len].to_owned()
    }

    fn rotated_list(items: &[String], key: &str) -> Vec<String> {
        let list: Vec<String> = items.iter().map(|i| format!("    - {i}\n")).collect();
        let config = format!("secrets:\n  {key}:\n{}", list.concat());
        let d =
            Deployment::from_texts(vec![("k.yml".into(), "k.yml".into(), config)]).expect("loads");
        let cx = Context::new(&d, Profile::Production, None);
        let mut rng = OsSecrets;
        let mut env = FixEnv::new(&mut rng, SecretsTo::Inline);
        let (list, _, _) = rotated(&cx, key, &mut env).expect("rng");
        list.as_array()
            .expect("list")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect()
    }

    #[test]
    fn rotation_keeps_every_block_key_an_aes_key_and_old_secrets_valid() {
        for key in ["cookie", "default"] {
            for count in 1..=3 {
                for len in [16, 32, 35, 43] {
                    let items: Vec<String> = (0..count)
                        .map(|i| {
                            let mut s = old(len);
                            s.replace_range(..1, &i.to_string());
                            s
                        })
                        .collect();
                    let list = rotated_list(&items, key);
                    let refs: Vec<&str> = list.iter().map(String::as_str).collect();
                    assert!(valid_pairs(&refs), "{key} {count}x{len}: {refs:?}");
                    assert_eq!(list[0].len(), 32, "the new secret signs from now on");
                    for item in &items {
                        // Entries shorter than 32 characters are dropped as too short (KH206).
                        assert_eq!(list.contains(item), len >= 32, "{key} {count}x{len}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_full_old_list_keeps_its_pairs_in_place() {
        // [a, b] was one pair (a, b): after rotation it is still a pair, at indexes 2 and 3,
        // so continuity cookies made with it still decode.
        let items = vec![old(43), {
            let mut s = old(32);
            s.replace_range(..1, "Z");
            s
        }];
        let list = rotated_list(&items, "cookie");
        assert_eq!(list.len(), 4);
        assert_eq!(list[2..], items[..]);
    }

    #[test]
    fn a_bad_pairing_is_mended_without_rotating() {
        let bad = format!(
            "secrets:\n  cookie:\n    - {}\n    - {}\n",
            old(43),
            old(35)
        );
        let list = fixed(&bad, "cookie").expect("changes");
        assert_eq!(list.len(), 3);
        assert_eq!(list[0], old(43), "the signing secret stays first");
        assert_eq!(list[1].len(), 32);
        assert_eq!(list[2], old(35));
    }
}
