//! The config paths an environment variable can set, with the type Kratos casts the value to.
//!
//! Kratos accepts a variable for every path of its JSON Schema (kratos-hardening.md §5). This
//! table is our own: the keys the rule catalog reads and the keys kratos-harden writes, typed by
//! hand (never copied from the upstream schema). `*` stands for an array index. A variable
//! that names no path here is ignored, and the README says so.

use std::sync::OnceLock;

/// How Kratos casts a variable's text (by the schema type of its path).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// A string (URLs, durations, byte sizes, enums).
    Str,
    /// A boolean (Go's `strconv.ParseBool` spellings).
    Bool,
    /// An integer.
    Int,
    /// An array of strings: a JSON array, else CSV.
    List,
    /// An object or an array of objects, given as JSON.
    Json,
}

use Type::{Bool, Int, Json, List, Str};

/// Fixed paths.
const FIXED: &[(&str, Type)] = &[
    ("dsn", Str),
    ("dev", Bool),
    ("secrets.default", List),
    ("secrets.cookie", List),
    ("secrets.cipher", List),
    ("secrets.pagination", List),
    ("ciphers.algorithm", Str),
    ("hashers.algorithm", Str),
    ("hashers.bcrypt.cost", Int),
    ("hashers.argon2.memory", Str),
    ("hashers.argon2.iterations", Int),
    ("hashers.argon2.parallelism", Int),
    ("hashers.argon2.salt_length", Int),
    ("hashers.argon2.key_length", Int),
    ("log.level", Str),
    ("log.format", Str),
    ("log.leak_sensitive_values", Bool),
    ("log.redaction_text", Str),
    ("serve.public.base_url", Str),
    ("serve.public.host", Str),
    ("serve.public.port", Int),
    ("serve.public.cors.enabled", Bool),
    ("serve.public.cors.allowed_origins", List),
    ("serve.public.cors.allowed_methods", List),
    ("serve.public.cors.allowed_headers", List),
    ("serve.public.cors.exposed_headers", List),
    ("serve.public.cors.allow_credentials", Bool),
    ("serve.public.cors.debug", Bool),
    ("serve.public.tls.cert.path", Str),
    ("serve.public.tls.key.path", Str),
    ("serve.public.tls.cert.base64", Str),
    ("serve.public.tls.key.base64", Str),
    ("serve.admin.base_url", Str),
    ("serve.admin.host", Str),
    ("serve.admin.port", Int),
    ("serve.admin.tls.cert.path", Str),
    ("serve.admin.tls.key.path", Str),
    ("session.lifespan", Str),
    ("session.earliest_possible_extend", Str),
    ("session.cookie.name", Str),
    ("session.cookie.domain", Str),
    ("session.cookie.path", Str),
    ("session.cookie.same_site", Str),
    ("session.cookie.persistent", Bool),
    ("session.whoami.required_aal", Str),
    ("cookies.domain", Str),
    ("cookies.path", Str),
    ("cookies.same_site", Str),
    ("cookies.secure", Bool),
    ("selfservice.default_browser_return_url", Str),
    ("selfservice.allowed_return_urls", List),
    (
        "selfservice.methods.password.config.haveibeenpwned_enabled",
        Bool,
    ),
    (
        "selfservice.methods.password.config.haveibeenpwned_host",
        Str,
    ),
    (
        "selfservice.methods.password.config.ignore_network_errors",
        Bool,
    ),
    ("selfservice.methods.password.config.max_breaches", Int),
    (
        "selfservice.methods.password.config.min_password_length",
        Int,
    ),
    (
        "selfservice.methods.password.config.identifier_similarity_check_enabled",
        Bool,
    ),
    ("selfservice.methods.code.passwordless_enabled", Bool),
    ("selfservice.methods.code.mfa_enabled", Bool),
    ("selfservice.methods.code.config.lifespan", Str),
    ("selfservice.methods.code.config.max_submissions", Int),
    ("selfservice.methods.link.config.lifespan", Str),
    ("selfservice.methods.link.config.base_url", Str),
    ("selfservice.methods.webauthn.config.passwordless", Bool),
    ("selfservice.methods.webauthn.config.rp.id", Str),
    ("selfservice.methods.webauthn.config.rp.origins", List),
    ("selfservice.methods.passkey.config.rp.id", Str),
    ("selfservice.methods.passkey.config.rp.origins", List),
    ("selfservice.methods.totp.config.issuer", Str),
    ("selfservice.methods.oidc.config.providers", Json),
    ("selfservice.flows.settings.privileged_session_max_age", Str),
    ("selfservice.flows.settings.required_aal", Str),
    (
        "selfservice.flows.registration.enable_legacy_one_step",
        Bool,
    ),
    ("selfservice.flows.recovery.use", Str),
    ("selfservice.flows.verification.use", Str),
    (
        "selfservice.flows.logout.after.default_browser_return_url",
        Str,
    ),
    ("courier.smtp.connection_uri", Str),
    ("courier.smtp.from_address", Str),
    ("courier.smtp.from_name", Str),
    ("courier.smtp.client_cert_path", Str),
    ("courier.smtp.client_key_path", Str),
    ("courier.delivery_strategy", Str),
    ("courier.http.request_config", Json),
    ("courier.http.request_config.url", Str),
    ("courier.http.request_config.auth.config.value", Str),
    ("courier.http.request_config.auth.config.password", Str),
    ("courier.channels", Json),
    ("courier.sms.enabled", Bool),
    ("courier.sms.request_config", Json),
    ("courier.sms.request_config.url", Str),
    ("clients.http.disallow_private_ip_ranges", Bool),
    ("clients.http.private_ip_exception_urls", List),
    ("identity.default_schema_id", Str),
    ("identity.schemas", Json),
    ("database.cleanup.batch_size", Int),
    ("database.cleanup.sleep.tables", Str),
    ("security.account_enumeration.mitigate", Bool),
    ("oauth2_provider.url", Str),
    ("feature_flags.use_continue_with_transitions", Bool),
    ("feature_flags.legacy_require_verified_login_error", Bool),
    ("selfservice.flows.recovery.notify_unknown_recipients", Bool),
    (
        "selfservice.flows.verification.notify_unknown_recipients",
        Bool,
    ),
    ("selfservice.flows", Json),
    (
        "selfservice.methods.password.config.migrate_hook.enabled",
        Bool,
    ),
    (
        "selfservice.methods.password.config.migrate_hook.config",
        Json,
    ),
    ("selfservice.methods.webauthn.config.rp.display_name", Str),
    ("selfservice.methods.webauthn.config.rp.origin", Str),
    ("selfservice.methods.passkey.config.rp.display_name", Str),
    ("selfservice.methods.passkey.config.rp.origin", Str),
    // A boolean on v1 has no such key; v26 types it as a string, cast by Kratos later.
    ("session.cookie.secure", Str),
    ("session.whoami.tokenizer.templates", Json),
    ("courier.templates", Json),
    ("hashers.argon2", Json),
    ("oauth2_provider", Json),
];

/// Fields of one OIDC provider (`selfservice.methods.oidc.config.providers.*.<field>`).
const OIDC_FIELDS: &[(&str, Type)] = &[
    ("id", Str),
    ("provider", Str),
    ("client_id", Str),
    ("client_secret", Str),
    ("issuer_url", Str),
    ("auth_url", Str),
    ("token_url", Str),
    ("mapper_url", Str),
    ("scope", List),
    ("pkce", Str),
    ("apple_team_id", Str),
    ("apple_private_key_id", Str),
    ("apple_private_key", Str),
    ("microsoft_tenant", Str),
    ("additional_id_token_audiences", List),
    ("claims_source", Str),
];

const FLOWS: &[&str] = &[
    "login",
    "registration",
    "settings",
    "recovery",
    "verification",
];
const METHODS: &[&str] = &[
    "password",
    "oidc",
    "code",
    "totp",
    "webauthn",
    "passkey",
    "lookup_secret",
    "profile",
    "link",
    "saml",
];

/// Per flow: `enabled`, `ui_url`, `lifespan`, `after.default_browser_return_url`, and the hook
/// lists (flow level and per method, `before` and `after`) with their web-hook fields.
fn flow_paths(out: &mut Vec<(String, Type)>) {
    for flow in FLOWS {
        let base = format!("selfservice.flows.{flow}");
        for (key, ty) in [
            ("enabled", Bool),
            ("ui_url", Str),
            ("lifespan", Str),
            ("after.default_browser_return_url", Str),
        ] {
            out.push((format!("{base}.{key}"), ty));
        }
        let mut lists = vec![
            format!("{base}.before.hooks"),
            format!("{base}.after.hooks"),
        ];
        lists.extend(METHODS.iter().map(|m| format!("{base}.after.{m}.hooks")));
        for list in lists {
            for (key, ty) in [
                ("hook", Str),
                ("config.url", Str),
                ("config.method", Str),
                ("config.response.ignore", Bool),
                ("config.response.parse", Bool),
                ("config.auth.type", Str),
                ("config.auth.config.value", Str),
                ("config.auth.config.password", Str),
                ("config.auth.config.user", Str),
            ] {
                out.push((format!("{list}.*.{key}"), ty));
            }
            out.push((list, Json));
        }
    }
}

/// Every known path: the fixed ones, one element of each string list (`SECRETS_COOKIE_0`),
/// OIDC provider fields by index, and the flow paths.
pub fn known() -> &'static [(String, Type)] {
    static PATHS: OnceLock<Vec<(String, Type)>> = OnceLock::new();
    PATHS.get_or_init(|| {
        let mut out: Vec<(String, Type)> = Vec::new();
        for (path, ty) in FIXED {
            out.push(((*path).to_owned(), *ty));
            if *ty == List {
                out.push((format!("{path}.*"), Str));
            }
        }
        // `SELFSERVICE_METHODS_<M>_ENABLED` for every method.
        for method in METHODS {
            out.push((format!("selfservice.methods.{method}.enabled"), Bool));
        }
        for (field, ty) in [("id", Str), ("url", Str)] {
            out.push((format!("identity.schemas.*.{field}"), ty));
        }
        for (field, ty) in OIDC_FIELDS {
            out.push((
                format!("selfservice.methods.oidc.config.providers.*.{field}"),
                *ty,
            ));
        }
        flow_paths(&mut out);
        out
    })
}

/// The path and type a variable sets, Kratos's way: the name lower-cased with `_` for `.`
/// equals the path with `_` for `.`; `*` matches an index. `None` for unknown names.
#[must_use]
pub fn resolve(name: &str) -> Option<(String, Type)> {
    let wanted: Vec<String> = name
        .to_ascii_lowercase()
        .split('_')
        .map(str::to_owned)
        .collect();
    known()
        .iter()
        .find_map(|(pattern, ty)| matches(pattern, &wanted).map(|path| (path, *ty)))
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

    /// Every path a rule reads (recorded while the catalog runs over every fixture config) is
    /// one an environment variable can set: the path itself, or a list or JSON value holding it.
    #[test]
    fn every_path_the_rules_read_is_settable_by_env() {
        use crate::config::Deployment;
        use crate::rules::{Context, check_all, reads};
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules");
        let mut read = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(&dir).expect("fixtures") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
            let fixture: serde_json::Value = serde_saphyr::from_str(&text).expect("fixture");
            for case in fixture["cases"].as_array().expect("cases") {
                let config = case["config"].as_str().expect("config").to_owned();
                let files = vec![(dir.join("kratos.yml"), "kratos.yml".to_owned(), config)];
                let deployment = if case["helm"].as_bool() == Some(true) {
                    Deployment::from_helm_values(files)
                } else {
                    Deployment::from_texts(files)
                };
                let Ok(deployment) = deployment else { continue };
                for version in [
                    crate::config::KratosVersion::V1,
                    crate::config::KratosVersion::V26,
                ] {
                    read.extend(reads::during(|| {
                        let cx = Context::new(
                            &deployment,
                            crate::rules::Profile::Production,
                            Some(version),
                        );
                        let _ = check_all(&cx);
                    }));
                }
            }
        }
        let pattern = |path: &str| -> String {
            path.split('.')
                .map(|s| {
                    if s.bytes().all(|b| b.is_ascii_digit()) {
                        "*"
                    } else {
                        s
                    }
                })
                .collect::<Vec<_>>()
                .join(".")
        };
        let table: std::collections::HashMap<&str, Type> =
            known().iter().map(|(p, t)| (p.as_str(), *t)).collect();
        let covered = |path: &str| {
            let segments: Vec<&str> = path.split('.').collect();
            (1..=segments.len()).rev().any(|n| {
                let prefix = segments[..n].join(".");
                match table.get(prefix.as_str()) {
                    Some(_) if n == segments.len() => true,
                    Some(Json | List) => true,
                    _ => false,
                }
            })
        };
        // KH143 reads legacy keys to say they are no longer in the schema: no variable sets them.
        let legacy: Vec<&str> = crate::rules::flows::legacy_paths().collect();
        let missing: Vec<String> = read
            .iter()
            .map(|p| pattern(p))
            .filter(|p| !covered(p) && !legacy.contains(&p.as_str()))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert!(
            missing.is_empty(),
            "{} path(s) rules read that no variable sets:\n{}",
            missing.len(),
            missing.join("\n")
        );
    }
}
