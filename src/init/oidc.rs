//! Social sign-in for `init`: the providers it can set up, their `providers` array (client
//! secrets included, so it goes where the other secrets go) and the `oidc:` block of kratos.yml.

use std::fmt::Write as _;

use super::Answers;
use crate::fix::SecretsTo;
use crate::patch::render_string;

/// Social sign-in providers `init` can configure, with the scopes that yield a verified e-mail
/// claim (Kratos's `github` provider reads it from the user's verified primary address).
pub const OIDC_PROVIDERS: &[(&str, &[&str])] = &[
    ("google", &["openid", "email", "profile"]),
    ("github", &["user:email"]),
    ("gitlab", &["openid", "email"]),
];

/// One social sign-in provider.
#[derive(Clone, Debug)]
pub struct Oidc {
    /// Kratos's provider type (one of [`OIDC_PROVIDERS`]), also used as the provider id.
    pub provider: String,
    /// The OAuth client id registered with the provider.
    pub client_id: String,
    /// The client secret (goes where the other secrets go).
    pub client_secret: String,
}

/// The variable that carries the OIDC providers (with their client secrets) as one JSON array.
pub(super) const OIDC_VAR: &str = "SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS";

/// The providers as Kratos's `selfservice.methods.oidc.config.providers` array.
pub(super) fn oidc_providers(answers: &Answers) -> serde_json::Value {
    let providers: Vec<serde_json::Value> = answers
        .oidc
        .iter()
        .map(|o| {
            let scope = OIDC_PROVIDERS
                .iter()
                .find(|(p, _)| *p == o.provider)
                .map_or(&[][..], |(_, s)| *s);
            serde_json::json!({
                "id": o.provider,
                "provider": o.provider,
                "client_id": o.client_id,
                "client_secret": o.client_secret,
                "mapper_url": "file://oidc.mapper.jsonnet",
                "scope": scope,
                "pkce": "auto",
            })
        })
        .collect();
    serde_json::Value::Array(providers)
}

/// The `oidc:` method block: the providers inline, or a note naming the variable that holds them.
pub(super) fn oidc_block(answers: &Answers) -> String {
    if answers.oidc.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = answers.oidc.iter().map(|o| o.provider.as_str()).collect();
    let mut block = format!(
        "    oidc:\n      # Sign-in with {}; the mapper accepts only e-mail addresses the provider verified.\n      enabled: true\n",
        names.join(", ")
    );
    if answers.secrets_to == SecretsTo::Inline {
        block.push_str("      config:\n        providers:\n");
        for provider in oidc_providers(answers).as_array().into_iter().flatten() {
            let mut first = true;
            for (key, value) in provider.as_object().into_iter().flatten() {
                let lead = if first {
                    "          - "
                } else {
                    "            "
                };
                first = false;
                let text = match value {
                    serde_json::Value::Array(items) => format!(
                        "[{}]",
                        items
                            .iter()
                            .filter_map(|i| i.as_str())
                            .map(render_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    other => render_string(other.as_str().unwrap_or_default()),
                };
                let _ = writeln!(block, "{lead}{key}: {text}");
            }
        }
    } else {
        let _ = writeln!(
            block,
            "      # config.providers: from {OIDC_VAR} (a JSON array; it holds the client secrets)."
        );
    }
    block
}
