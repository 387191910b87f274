//! Weak credentials and unprotected connections of the HTTP services Kratos calls out to:
//! `web_hook` hooks and the password migrate hook (kratos-hardening.md §2), OIDC providers
//! (§1.9), the outgoing HTTP client's SSRF guard and the Hydra admin API (§1.13).

use super::support::web_hooks;
use super::support::{cleartext_severity, has_auth_header};
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::Node;
use crate::kratos::credential::{describe, is_env_reference, is_placeholder, low_variety};
use crate::kratos::uri::{Uri, is_internal_listen_host, is_plain_http};

const HOOKS_DOC: &str = "https://www.ory.sh/docs/kratos/hooks/configure-hooks";
const WEBHOOK_DOC: &str =
    "https://www.ory.sh/docs/guides/integrate-with-ory-cloud-through-webhooks";
const OIDC_DOC: &str = "https://www.ory.sh/docs/kratos/social-signin/generic";
const CONFIG_DOC: &str = "https://www.ory.sh/docs/kratos/reference/configuration";
const PROVIDERS: &str = "selfservice.methods.oidc.config.providers";

/// What a web hook sends, for messages: the migrate hook receives the plaintext password.
fn hook_payload(path: &str) -> &'static str {
    if path.contains("migrate_hook") {
        "the user's plaintext password"
    } else {
        "identity data and all request cookies, the session cookie included"
    }
}

/// A string value that is a plain-http URL and not a `${VAR}` literal (KH211 reports those).
fn plain_http<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key)
        .and_then(Node::as_str)
        .filter(|url| is_plain_http(url) && !is_env_reference(url))
}

/// Why a machine-to-machine secret (API key, basic-auth password) is weak, with a severity.
fn machine_secret_weakness(value: &str) -> Option<(String, Severity)> {
    let len = value.chars().count();
    if value.is_empty() {
        Some(("is empty".to_owned(), Severity::High))
    } else if is_placeholder(value) {
        Some((
            "is a published example or placeholder value".to_owned(),
            Severity::High,
        ))
    } else if len < 16 {
        Some((format!("is only {len} characters"), Severity::High))
    } else if low_variety(value) {
        Some((
            "follows a guessable pattern, not random characters".to_owned(),
            Severity::High,
        ))
    } else if len < 32 {
        Some((format!("is {len} characters, below 32"), Severity::Medium))
    } else {
        None
    }
}

/// Every OIDC provider: `(path, provider node, label for messages)`.
fn providers<'a>(cx: &Context<'a>) -> Vec<(String, &'a Node, String)> {
    cx.get(PROVIDERS).map_or_else(Vec::new, |list| {
        list.items()
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let label = p
                    .get("id")
                    .and_then(Node::as_str)
                    .map_or_else(|| format!("#{i}"), |id| format!("`{id}`"));
                (format!("{PROVIDERS}.{i}"), p, label)
            })
            .collect()
    })
}

/// KH420: a web hook over plain http.
pub struct WebhookNotHttps;

static WEBHOOK_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH420",
    name: "web-hook-not-https",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "A web hook is called over plain http",
    rationale: "Kratos's web hook context carries the identity, the flow, allow-listed request \
        headers and all request cookies, including the Kratos session cookie; the password \
        migrate hook carries the plaintext password. Over `http://` anyone on the path reads them \
        and the hook's `auth` credential, replays the session, and can forge the hook's answer \
        (with `response.parse` it rewrites identities or blocks flows).",
    breaks: "The hook endpoint must serve https with a certificate Kratos trusts.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "change the hook URL to https://",
    },
    references: &[HOOKS_DOC, WEBHOOK_DOC, "kratos-hardening.md §2"],
    versions: Versions::All,
    production_only: true,
};

impl Rule for WebhookNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &WEBHOOK_NOT_HTTPS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, config) in web_hooks(cx) {
            if let Some(url) = plain_http(config, "url") {
                let at = format!("{path}.url");
                out.at(
                    &at,
                    format!(
                        "`{at}` uses plain http for a hook that receives {}",
                        hook_payload(&path)
                    ),
                )
                .severity(cleartext_severity(url, Severity::High));
            }
        }
    }
}

/// KH421: a web hook without `auth`.
pub struct WebhookWithoutAuth;

static WEBHOOK_WITHOUT_AUTH: RuleMeta = RuleMeta {
    id: "KH421",
    name: "web-hook-without-auth",
    threat: Threat::WeakCredentials,
    severity: Severity::Medium,
    title: "A web hook sends no credentials",
    rationale: "Without `auth` (or a credential header) the hook endpoint cannot tell Kratos from \
        anyone else. It must then accept unauthenticated calls: anyone who reaches it fakes \
        registrations, logins or password checks (for the migrate hook, a forged call can make \
        the endpoint vouch for a password), and it receives session cookies and identity data \
        that it cannot attribute.",
    breaks: "The hook endpoint must check the new credential; deploy that check first.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "add `auth: {type: api_key, config: {name, value, in: header}}` with a random \
            value of 32+ characters from the environment, and check it in the endpoint",
    },
    references: &[HOOKS_DOC, WEBHOOK_DOC, "kratos-hardening.md §2"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for WebhookWithoutAuth {
    fn meta(&self) -> &'static RuleMeta {
        &WEBHOOK_WITHOUT_AUTH
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, config) in web_hooks(cx) {
            if config.get("auth").is_none() && !has_auth_header(config) {
                let at = format!("{path}.auth");
                out.missing(
                    &at,
                    format!(
                        "`{path}` has no `auth`: the endpoint cannot tell Kratos, which sends it \
                         {}, from anyone else calling it",
                        hook_payload(&path)
                    ),
                );
            }
        }
    }
}

/// KH422: a placeholder, short or patterned web hook credential.
pub struct WebhookWeakAuth;

static WEBHOOK_WEAK_AUTH: RuleMeta = RuleMeta {
    id: "KH422",
    name: "web-hook-auth-weak",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "A web hook's API key or basic-auth password is weak",
    rationale: "The hook credential is the only thing that tells the endpoint a call comes from \
        Kratos. A placeholder (`\"1\"` in Kratos's own e2e tests, \
        `KRATOS_API_KEY_VALUE_SET_VIA_ENV_VARIABLE`), a short or patterned value is guessed or \
        copied from the public config: the attacker then calls the endpoint directly and, for \
        hooks that provision accounts or verify passwords, gets what Kratos would.",
    breaks: "The endpoint must accept the new value at the same time (or accept both during the \
        switch).",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "replace it with a random value of at least 32 characters supplied through the \
            environment, and update the endpoint",
    },
    references: &[
        HOOKS_DOC,
        "kratos-hardening.md §2",
        "kratos-hardening.md §6",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for WebhookWeakAuth {
    fn meta(&self) -> &'static RuleMeta {
        &WEBHOOK_WEAK_AUTH
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, config) in web_hooks(cx) {
            let key = match config.get("auth.type").and_then(Node::as_str) {
                Some("api_key") => "value",
                Some("basic_auth") => "password",
                _ => continue,
            };
            let at = format!("{path}.auth.config.{key}");
            let Some(value) = cx.str(&at) else {
                continue;
            };
            if is_env_reference(value) {
                continue;
            }
            if let Some((why, severity)) = machine_secret_weakness(value) {
                out.at(&at, format!("`{at}` ({}) {why}", describe(value)))
                    .severity(severity);
            }
        }
    }
}

/// KH430: OIDC client secrets written in the config file.
pub struct OidcClientSecretInline;

static OIDC_CLIENT_SECRET_INLINE: RuleMeta = RuleMeta {
    id: "KH430",
    name: "oidc-client-secret-inline",
    threat: Threat::WeakCredentials,
    severity: Severity::Medium,
    title: "An OIDC client secret is written in the config file",
    rationale: "With the client secret of a social sign-in app an attacker redeems authorization \
        codes for your app and, with some providers, impersonates it to phish consent. In a config \
        file it leaks with git history, images and tickets. Kratos reads providers from \
        SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS (JSON) so secrets can come from a secret store.",
    breaks: "The providers must be supplied through the environment before they are removed from \
        the file; env arrays merge element-wise into file arrays, so move the whole list.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "move the provider list to SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS from a \
            secret store and delete the secrets from the file",
    },
    references: &[
        OIDC_DOC,
        "https://www.ory.sh/docs/kratos/configuring",
        "kratos-hardening.md §1.9",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for OidcClientSecretInline {
    fn meta(&self) -> &'static RuleMeta {
        &OIDC_CLIENT_SECRET_INLINE
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, provider, label) in providers(cx) {
            for (key, what) in [
                ("client_secret", "client secret"),
                ("apple_private_key", "Sign in with Apple private key"),
            ] {
                let Some(node) = provider.get(key) else {
                    continue;
                };
                let Some(value) = node.as_str() else {
                    continue;
                };
                // Placeholders are KH431's; `${VAR}` literals are KH211's.
                if value.trim().is_empty() || is_env_reference(value) || is_placeholder(value) {
                    continue;
                }
                let at = format!("{path}.{key}");
                let file = cx.deployment.source(node.pos.file).display.clone();
                out.at(
                    &at,
                    format!(
                        "`{at}` holds the {what} of OIDC provider {label} inline in {file}; supply \
                         the providers through SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS instead"
                    ),
                );
            }
        }
    }
}

/// KH431: a placeholder, short or client-id-equal OIDC client secret.
pub struct OidcClientSecretWeak;

static OIDC_CLIENT_SECRET_WEAK: RuleMeta = RuleMeta {
    id: "KH431",
    name: "oidc-client-secret-weak",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "An OIDC client secret is a placeholder",
    rationale: "Real providers issue long random client secrets. A secret equal to the client id, \
        a published example (`client_secret`, `123abc`, `todo`) or a short value means the \
        provider side is a test client, or a self-hosted provider (Hydra, Keycloak) was \
        registered with a guessable secret: an attacker exchanges stolen authorization codes or \
        impersonates your client against it.",
    breaks: "The client must be re-registered (or its secret rotated) at the provider together \
        with the Kratos config.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "rotate the client secret at the provider and supply the new one through \
            SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS",
    },
    references: &[OIDC_DOC, "kratos-hardening.md §1.9"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for OidcClientSecretWeak {
    fn meta(&self) -> &'static RuleMeta {
        &OIDC_CLIENT_SECRET_WEAK
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, provider, label) in providers(cx) {
            let Some(secret) = provider.get("client_secret").and_then(Node::as_str) else {
                continue;
            };
            if is_env_reference(secret) {
                continue;
            }
            let client_id = provider.get("client_id").and_then(Node::as_str);
            let len = secret.chars().count();
            let why = if secret.trim().is_empty() {
                "is empty".to_owned()
            } else if client_id == Some(secret) {
                "equals the client id".to_owned()
            } else if is_placeholder(secret) {
                "is a published example or placeholder value".to_owned()
            } else if len < 16 {
                format!("is only {len} characters")
            } else {
                continue;
            };
            let at = format!("{path}.client_secret");
            out.at(
                &at,
                format!(
                    "`{at}` of OIDC provider {label} ({}) {why}",
                    describe(secret)
                ),
            );
        }
    }
}

/// KH432: an OIDC provider endpoint or mapper over plain http.
pub struct OidcEndpointNotHttps;

static OIDC_ENDPOINT_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH432",
    name: "oidc-endpoint-not-https",
    threat: Threat::WeakCredentials,
    severity: Severity::High,
    title: "An OIDC provider endpoint or claims mapper is fetched over plain http",
    rationale: "Kratos fetches the provider's discovery document and keys from `issuer_url`, \
        redeems codes (sending the client secret) at `token_url` and sends users to `auth_url`. \
        Over http a network attacker serves their own discovery document and signing keys, mints \
        ID tokens for any subject and signs in as any linked user; the client secret and tokens \
        cross the network in cleartext. A Jsonnet mapper loaded over http can be rewritten to map \
        any claim to any trait.",
    breaks: "The provider must be reachable over https with a trusted certificate.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "change the URL to https:// (mappers: a `file://` or `base64://` URL)",
    },
    references: &[OIDC_DOC, "kratos-hardening.md §1.9"],
    versions: Versions::All,
    production_only: true,
};

impl Rule for OidcEndpointNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &OIDC_ENDPOINT_NOT_HTTPS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, provider, label) in providers(cx) {
            for key in ["issuer_url", "auth_url", "token_url", "mapper_url"] {
                if let Some(url) = plain_http(provider, key) {
                    let at = format!("{path}.{key}");
                    out.at(
                        &at,
                        format!("`{at}` of OIDC provider {label} uses plain http"),
                    )
                    .severity(cleartext_severity(url, Severity::High));
                }
            }
        }
    }
}

/// KH433: PKCE switched off for a provider.
pub struct OidcPkceDisabled;

static OIDC_PKCE_DISABLED: RuleMeta = RuleMeta {
    id: "KH433",
    name: "oidc-pkce-disabled",
    threat: Threat::WeakCredentials,
    severity: Severity::Low,
    title: "PKCE is disabled for an OIDC provider (`pkce: never`)",
    rationale: "PKCE binds the authorization code to the flow that requested it. With `never` \
        Kratos skips it even when the provider supports it (the default `auto` uses it whenever \
        discovery advertises S256), so an authorization code leaked through a referrer, a log or \
        an open redirect at the provider can be injected into another browser's flow and \
        redeemed.",
    breaks: "When PKCE is used Kratos may call back on `/self-service/methods/oidc/callback` \
        without the provider id, which must then be an allowed redirect URI at the provider.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `pkce: auto` (the default) and allow \
            `<public URL>/self-service/methods/oidc/callback` as a redirect URI at the provider",
    },
    references: &[OIDC_DOC, "kratos-hardening.md §1.9"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for OidcPkceDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &OIDC_PKCE_DISABLED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, provider, label) in providers(cx) {
            if provider.get("pkce").and_then(Node::as_str) == Some("never") {
                let at = format!("{path}.pkce");
                out.at(
                    &at,
                    format!("`{at}` turns PKCE off for OIDC provider {label}"),
                );
            }
        }
    }
}

/// True for hosts that resolve to private addresses in a typical deployment.
fn looks_internal(host: &str) -> bool {
    let lower = host.to_ascii_lowercase();
    is_internal_listen_host(host)
        || !lower.contains('.')
        || [
            ".internal",
            ".local",
            ".localhost",
            ".svc",
            ".cluster.local",
        ]
        .iter()
        .any(|s| lower.ends_with(s))
}

/// KH434: outgoing calls may reach private networks.
pub struct PrivateIpRangesAllowed;

static PRIVATE_IP_RANGES_ALLOWED: RuleMeta = RuleMeta {
    id: "KH434",
    name: "private-ip-ranges-allowed",
    threat: Threat::WeakCredentials,
    severity: Severity::Medium,
    title: "Kratos's HTTP client may call private IP ranges",
    rationale: "`clients.http.disallow_private_ip_ranges` defaults to false. Kratos's shared HTTP \
        client fetches web hooks, OIDC discovery documents and keys and remote identity schemas, \
        and follows redirects. Whoever controls one of those responses or its DNS (a third-party \
        hook or provider, a rebinding attack) can point Kratos at cloud metadata \
        (169.254.169.254), the unauthenticated admin API or internal databases. The production \
        guide recommends turning the guard on.",
    breaks: "Web hooks and providers on private addresses stop working unless their exact URLs are \
        listed in `clients.http.private_ip_exception_urls`.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `clients.http.disallow_private_ip_ranges: true` and list internal hook URLs \
            in `clients.http.private_ip_exception_urls`",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/guides/production",
        CONFIG_DOC,
        "kratos-hardening.md §1.13",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for PrivateIpRangesAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &PRIVATE_IP_RANGES_ALLOWED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "clients.http.disallow_private_ip_ranges";
        if cx.bool(path) == Some(true) {
            return;
        }
        let internal = web_hooks(cx)
            .iter()
            .filter_map(|(_, config)| config.get("url").and_then(Node::as_str))
            .filter_map(Uri::parse)
            .filter(|uri| looks_internal(uri.host))
            .count();
        let finding = out.at(
            path,
            format!(
                "`{path}` is not true: web hooks, OIDC discovery and remote schemas may be pointed \
                 at cloud metadata, the admin API or other internal services"
            ),
        );
        if internal > 0 {
            finding.fix_summary(format!(
                "set `{path}: true` and list the {internal} internal web hook URL(s) exactly in \
                 `clients.http.private_ip_exception_urls`"
            ));
        }
    }
}

/// KH435: the Hydra admin API over plain http.
pub struct HydraAdminNotHttps;

static HYDRA_ADMIN_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH435",
    name: "hydra-admin-not-https",
    threat: Threat::WeakCredentials,
    severity: Severity::Medium,
    title: "The Hydra admin API is called over plain http",
    rationale: "`oauth2_provider.url` is Hydra's admin API, which has no authentication of its \
        own. Kratos accepts OAuth2 login requests there on users' behalf and sends any \
        `oauth2_provider.headers` credential with each call. Over http a network attacker reads \
        that credential, answers in Hydra's place or replays login acceptances, and issues OAuth2 \
        tokens for users who never signed in.",
    breaks: "Hydra's admin endpoint (or a proxy in front of it) must serve https.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "change `oauth2_provider.url` to an https:// admin endpoint",
    },
    references: &[
        CONFIG_DOC,
        "kratos-hardening.md §1.13",
        "kratos-hardening.md §4",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for HydraAdminNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &HYDRA_ADMIN_NOT_HTTPS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(provider) = cx.get("oauth2_provider") else {
            return;
        };
        if let Some(url) = plain_http(provider, "url") {
            out.at(
                "oauth2_provider.url",
                "`oauth2_provider.url` reaches the unauthenticated Hydra admin API over plain http",
            )
            .severity(cleartext_severity(url, Severity::Medium));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_secrets() {
        assert_eq!(
            machine_secret_weakness("1").map(|(_, s)| s),
            Some(Severity::High)
        );
        assert!(machine_secret_weakness("KRATOS_API_KEY_VALUE_SET_VIA_ENV_VARIABLE").is_some());
        assert_eq!(
            machine_secret_weakness("q8Vt2mZr7LxN4pWc9KfH").map(|(_, s)| s),
            Some(Severity::Medium)
        );
        assert_eq!(
            machine_secret_weakness("q8Vt2mZr7LxN4pWc9KfHs3JdYb6GeTnA"),
            None
        );
    }

    #[test]
    fn internal_hosts() {
        assert!(looks_internal("host.docker.internal"));
        assert!(looks_internal("hooks"));
        assert!(looks_internal("10.0.0.4"));
        assert!(!looks_internal("hooks.example.com"));
    }
}
