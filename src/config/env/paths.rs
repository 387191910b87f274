//! Which config path an environment variable sets, Kratos's way (kratos-hardening.md §5).
//!
//! Owns the name matching only: the paths and the type each is cast to are the key table's
//! ([`crate::config::keys`]). Kratos accepts a variable for every path of its JSON Schema; we
//! know the keys the rule catalog reads and the keys kratos-harden writes. A variable that
//! names no path there is ignored, and the README says so.

use crate::config::keys;
pub use crate::config::keys::Type;

/// The path and type a variable sets, Kratos's way: the name lower-cased with `_` for `.`
/// equals the path with `_` for `.`; `*` matches an index. `None` for unknown names.
#[must_use]
pub fn resolve(name: &str) -> Option<(String, Type)> {
    let wanted: Vec<String> = name
        .to_ascii_lowercase()
        .split('_')
        .map(str::to_owned)
        .collect();
    keys::all()
        .iter()
        .find_map(|entry| matches(&entry.path, &wanted).map(|path| (path, entry.key.env)))
}

/// The real path when `pattern` (segments of `_`-joined tokens) spells `tokens`.
fn matches(pattern: &str, tokens: &[String]) -> Option<String> {
    let mut rest = tokens;
    let mut segments = Vec::new();
    for segment in pattern.split('.') {
        if segment == "*" {
            let (index, tail) = rest.split_first()?;
            if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            segments.push(index.clone());
            rest = tail;
            continue;
        }
        let parts = segment.split('_').count();
        if rest.len() < parts {
            return None;
        }
        let (head, tail) = rest.split_at(parts);
        if head.iter().map(String::as_str).ne(segment.split('_')) {
            return None;
        }
        segments.push(segment.to_owned());
        rest = tail;
    }
    rest.is_empty().then(|| segments.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Type::{Bool, Int, Json, List, Str};

    #[test]
    fn names_map_to_paths_with_underscores_and_indexes() {
        let path = |name: &str| resolve(name).map(|(p, _)| p);
        assert_eq!(
            path("SERVE_PUBLIC_BASE_URL").as_deref(),
            Some("serve.public.base_url")
        );
        assert_eq!(path("SECRETS_COOKIE").as_deref(), Some("secrets.cookie"));
        assert_eq!(
            path("SECRETS_COOKIE_1").as_deref(),
            Some("secrets.cookie.1")
        );
        assert_eq!(
            path("SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_0_CLIENT_SECRET").as_deref(),
            Some("selfservice.methods.oidc.config.providers.0.client_secret")
        );
        assert_eq!(
            path("SELFSERVICE_FLOWS_REGISTRATION_AFTER_PASSWORD_HOOKS_0_CONFIG_AUTH_CONFIG_VALUE")
                .as_deref(),
            Some("selfservice.flows.registration.after.password.hooks.0.config.auth.config.value")
        );
        assert_eq!(
            path("SELFSERVICE_METHODS_PASSWORD_CONFIG_MIN_PASSWORD_LENGTH").as_deref(),
            Some("selfservice.methods.password.config.min_password_length")
        );
        assert_eq!(path("dsn").as_deref(), Some("dsn"), "case does not matter");
        assert_eq!(path("SECRETS_COOKIE_X"), None);
        assert_eq!(path("PATH"), None);
        assert_eq!(path("HOME"), None);
    }

    #[test]
    fn types_follow_the_key() {
        let ty = |name: &str| resolve(name).map(|(_, t)| t);
        assert_eq!(ty("SERVE_PUBLIC_PORT"), Some(Int));
        assert_eq!(ty("LOG_LEAK_SENSITIVE_VALUES"), Some(Bool));
        assert_eq!(ty("SECRETS_DEFAULT"), Some(List));
        assert_eq!(ty("SECRETS_DEFAULT_0"), Some(Str));
        assert_eq!(ty("SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS"), Some(Json));
    }
}
