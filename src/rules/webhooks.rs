//! Weak credentials and unprotected connections of the HTTP services Kratos calls out to:
//! `web_hook` hooks and the password migrate hook, OIDC providers, the outgoing HTTP client's
//! SSRF guard and the Hydra admin API.

use serde_json::Value;

use super::courier::courier_request_configs;
use super::support::web_hooks;
use super::support::{cleartext_severity, has_auth_header};
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::Node;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};
use crate::kratos::credential::{describe, is_env_reference, is_placeholder, low_variety};
use crate::kratos::uri::{
    HttpsPolicy, Uri, https_form, is_internal_listen_host, is_plain_http, mask_credentials,
};

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

const GUARD: &str = "clients.http.disallow_private_ip_ranges";
const EXCEPTIONS: &str = "clients.http.private_ip_exception_urls";

/// The `https://` form of a service URL Kratos calls out to (a web hook, an OIDC provider, an
/// HTTP courier channel, Hydra's admin API), or why the operator must choose it.
pub(super) fn service_https(url: &str) -> Result<String, &'static str> {
    https_form(url, HttpsPolicy::Service)
}

/// A URL for messages: credentials masked, a query (which may carry a token) elided.
pub(super) fn shown(url: &str) -> String {
    let url = url.trim();
    match url.find('?') {
        Some(q) => format!("{}?…", mask_credentials(&url[..q])),
        None => mask_credentials(url),
    }
}

/// A URL as `clients.http.private_ip_exception_urls` must list it: the guard compares the
/// request URL without query and fragment (exactly, or as a glob in newer ory/x).
fn exception_form(url: &str) -> &str {
    let url = url.trim();
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

/// True when an exception entry would not match its URL literally: glob syntax (newer ory/x
/// compiles entries as globs, older ones compare exactly) or credentials, which must not be
/// copied into a second key.
fn unlistable(url: &str) -> Option<&'static str> {
    if url.contains(['*', '?', '[', ']', '{', '}', '\\']) {
        Some("it contains characters that ory/x reads as glob syntax")
    } else if Uri::parse(url).is_some_and(|u| u.user.is_some()) {
        Some("it carries credentials, which must not be copied into the exception list")
    } else {
        None
    }
}

/// The edits that keep the SSRF guard's exceptions working when a URL moves from `old` to
/// `new`: each `private_ip_exception_urls` item naming the old URL is switched to the new one
/// (only when the guard is on; while it is off the list is inert and KH434's fix lists both
/// forms). `Err` when such an item lives in another file than the URL.
fn exception_updates(
    cx: &Context<'_>,
    finding: &Finding,
    old: &str,
    new: &str,
) -> Result<Vec<crate::patch::Op>, String> {
    if cx.bool(GUARD) != Some(true) {
        return Ok(Vec::new());
    }
    let Some(list) = cx.get(EXCEPTIONS) else {
        return Ok(Vec::new());
    };
    let mut ops = Vec::new();
    for (i, item) in list.items().iter().enumerate() {
        if item.as_str().map(str::trim) != Some(exception_form(old)) {
            continue;
        }
        let path = format!("{EXCEPTIONS}.{i}");
        if item.pos.file != finding.file {
            return Err(format!(
                "`{path}` in {} also names the old URL: change it to `{}` together with `{}`",
                cx.deployment.source(item.pos.file).display,
                exception_form(new),
                finding.path
            ));
        }
        ops.push(set(&path, Value::from(exception_form(new))));
    }
    Ok(ops)
}

/// The fix of a plain-http service URL at `finding.path`: its https form (and the SSRF
/// exception naming it), or the operator's call with the reason. `what` names the endpoint.
pub(super) fn https_fix(cx: &Context<'_>, finding: &Finding, what: &str) -> FixPlan {
    let Some(url) = cx.str(&finding.path) else {
        return FixPlan::Manual(format!("`{}` is not a string", finding.path));
    };
    let https = match service_https(url) {
        Ok(https) => https,
        Err(why) => {
            return FixPlan::Manual(format!(
                "`{}` ({}) is not switched to https automatically because {why}; set the https:// \
                 URL of {what} by hand",
                finding.path,
                shown(url)
            ));
        }
    };
    let mut ops = vec![set(&finding.path, Value::from(https.clone()))];
    match exception_updates(cx, finding, url, &https) {
        Ok(more) => ops.extend(more),
        Err(why) => return FixPlan::Manual(why),
    }
    FixPlan::Ops(ops)
}

/// What check time says the https fix will do for `url`.
pub(super) fn https_fix_summary(url: &str, what: &str) -> String {
    match service_https(url) {
        Ok(https) => {
            let port = Uri::parse(&https).and_then(|u| u.port.map(str::to_owned));
            let port = port.map_or_else(String::new, |p| format!(" on port {p}"));
            let host = Uri::parse(&https).map_or_else(String::new, |u| u.host.to_owned());
            format!(
                "change the URL to `{}`; {what} must then serve TLS{port} (itself or through a \
                 proxy) with a certificate for `{host}` that Kratos trusts",
                shown(&https)
            )
        }
        Err(why) => format!("set the https:// URL of {what} by hand ({why})"),
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
    references: &[
        HOOKS_DOC,
        WEBHOOK_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L217-L351",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for WebhookNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &WEBHOOK_NOT_HTTPS
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(https_fix(cx, finding, "the hook endpoint"))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, config) in web_hooks(cx) {
            if let Some(url) = plain_http(config, "url") {
                let at = format!("{path}.url");
                out.at(
                    &at,
                    format!(
                        "`{at}` uses plain http for a hook that receives {}",
                        hook_payload(path)
                    ),
                )
                .severity(cleartext_severity(url, Severity::High))
                .fix_summary(https_fix_summary(url, "the hook endpoint"));
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
    references: &[
        HOOKS_DOC,
        WEBHOOK_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/request/auth.go#L18-L34",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L112-L216",
    ],
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
                        hook_payload(path)
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
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L112-L216",
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
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L470-L472",
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
                // Placeholders are KH431's; `${VAR}` literals are KH211's; a value from an
                // env file is where this rule wants it.
                if value.trim().is_empty()
                    || is_env_reference(value)
                    || is_placeholder(value)
                    || !cx.deployment.in_config_file(node)
                {
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
    references: &[
        OIDC_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L470-L472",
    ],
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
    references: &[
        OIDC_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L473-L500",
    ],
    versions: Versions::All,
    production_only: true,
};

/// What an OIDC provider URL points at, for fix texts.
fn oidc_endpoint(key: &str) -> &'static str {
    match key {
        "issuer_url" => "the provider's issuer",
        "auth_url" => "the provider's authorization endpoint",
        "token_url" => "the provider's token endpoint",
        _ => "the mapper's server",
    }
}

/// What else switching an OIDC provider URL needs.
fn oidc_note(key: &str) -> &'static str {
    match key {
        "issuer_url" => {
            "; the provider must announce this https issuer itself (discovery rejects an \
             `issuer` that differs from the configured URL)"
        }
        "mapper_url" => "; a `file://` or `base64://` mapper avoids the fetch altogether",
        _ => "",
    }
}

impl Rule for OidcEndpointNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &OIDC_ENDPOINT_NOT_HTTPS
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        let key = finding.path.rsplit('.').next().unwrap_or_default();
        Ok(https_fix(cx, finding, oidc_endpoint(key)))
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
                    .severity(cleartext_severity(url, Severity::High))
                    .fix_summary(https_fix_summary(url, oidc_endpoint(key)) + oidc_note(key));
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
        redeemed. Under `ciphers.algorithm: noop` the verifier travels readable in the `state` \
        parameter, so PKCE protects nothing until a real cipher is set.",
    breaks: "When PKCE is used Kratos may call back on `/self-service/methods/oidc/callback` \
        without the provider id, which must then be an allowed redirect URI at the provider.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `pkce: auto` (the default) and allow \
            `<public URL>/self-service/methods/oidc/callback` as a redirect URI at the provider",
    },
    references: &[
        OIDC_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L571-L577",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/strategy/oidc/pkce.go#L37-L60",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/strategy/oidc/state.go#L40-L53",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for OidcPkceDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &OIDC_PKCE_DISABLED
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(&finding.path, Value::from("auto"))]))
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

/// A request target Kratos reaches through its shared HTTP client (the one the SSRF guard
/// wraps), with the host the guard resolves.
struct Outgoing<'a> {
    /// Config path of the value.
    path: String,
    /// The configured value (a URL, or a bare host for HIBP).
    value: &'a str,
    /// The host Kratos connects to.
    host: String,
    /// Why listing `value` is not enough, when Kratos requests URLs derived from it.
    derived: Option<&'static str>,
}

/// True for an `http://` or `https://` URL that is not a `${VAR}` literal.
fn is_http_url(text: &str) -> bool {
    !is_env_reference(text)
        && Uri::parse(text).is_some_and(|u| u.scheme_is("http") || u.scheme_is("https"))
}

/// Everything Kratos fetches through its shared HTTP client that a config names: web hooks
/// and their Jsonnet bodies, HTTP courier channels, remote mail templates, identity schemas,
/// tokenizer keys and mappers, OIDC mappers and providers, Hydra's admin API and a HIBP mirror
/// (`HTTPClient` in `driver/registry_default.go`).
fn outgoing<'a>(cx: &Context<'a>) -> Vec<Outgoing<'a>> {
    let mut out = Vec::new();
    let mut push = |path: String, node: Option<&'a Node>, derived: Option<&'static str>| {
        let Some(value) = node.and_then(Node::as_str).filter(|v| is_http_url(v)) else {
            return;
        };
        if let Some(uri) = Uri::parse(value) {
            let host = uri.host.to_owned();
            out.push(Outgoing {
                path,
                value,
                host,
                derived,
            });
        }
    };
    for (path, config) in web_hooks(cx) {
        push(format!("{path}.url"), config.get("url"), None);
        push(format!("{path}.body"), config.get("body"), None);
    }
    for (path, config) in courier_request_configs(cx) {
        push(format!("{path}.url"), config.get("url"), None);
        push(format!("{path}.body"), config.get("body"), None);
    }
    for base in ["courier.templates", "session.whoami.tokenizer.templates"] {
        if let Some(node) = cx.get(base) {
            for (rel, n) in node.find_strings(&is_http_url) {
                push(format!("{base}.{rel}"), Some(n), None);
            }
        }
    }
    if let Some(schemas) = cx.get("identity.schemas") {
        for (i, schema) in schemas.items().iter().enumerate() {
            push(format!("identity.schemas.{i}.url"), schema.get("url"), None);
        }
    }
    push(
        "identity.default_schema_url".to_owned(),
        cx.get("identity.default_schema_url"),
        None,
    );
    for (path, provider, _) in providers(cx) {
        push(
            format!("{path}.mapper_url"),
            provider.get("mapper_url"),
            None,
        );
        let discovery = "Kratos also fetches the discovery document \
            (`<issuer>/.well-known/openid-configuration`) and the `jwks_uri`, `token_endpoint` and \
            `userinfo_endpoint` URLs it names";
        push(
            format!("{path}.issuer_url"),
            provider.get("issuer_url"),
            Some(discovery),
        );
        push(format!("{path}.token_url"), provider.get("token_url"), None);
    }
    push(
        "oauth2_provider.url".to_owned(),
        cx.get("oauth2_provider.url"),
        Some(
            "Kratos calls Hydra's admin endpoints below it (`…/admin/oauth2/auth/requests/login` \
             and `…/login/accept`), not the URL itself",
        ),
    );
    let hibp = "selfservice.methods.password.config";
    if cx.bool(&format!("{hibp}.haveibeenpwned_enabled")) != Some(false)
        && let Some(host) = cx.str(&format!("{hibp}.haveibeenpwned_host"))
    {
        out.push(Outgoing {
            path: format!("{hibp}.haveibeenpwned_host"),
            value: host,
            host: host.to_owned(),
            derived: Some(
                "Kratos requests one `https://<host>/range/<prefix>` URL per password hash prefix",
            ),
        });
    }
    out
}

/// The exception entries internal targets need: each URL as the guard compares it, plus the
/// https form the KH414/KH420 fixes switch a plain-http URL to, so the target keeps working
/// whether or not those fixes are applied. `Err` explains what the operator must list.
fn needed_exceptions(targets: &[&Outgoing<'_>]) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let mut wanted: Vec<String> = Vec::new();
    for target in targets {
        let shown = shown(target.value);
        if let Some(why) = target.derived {
            problems.push(format!("`{}` ({shown}): {why}", target.path));
            continue;
        }
        let mut forms = vec![exception_form(target.value).to_owned()];
        if is_plain_http(target.value)
            && let Ok(https) = service_https(target.value)
        {
            forms.push(exception_form(&https).to_owned());
        }
        if let Some(why) = forms.iter().find_map(|f| unlistable(f)) {
            problems.push(format!(
                "`{}` ({shown}) cannot be listed automatically: {why}",
                target.path
            ));
            continue;
        }
        for form in forms {
            if !wanted.contains(&form) {
                wanted.push(form);
            }
        }
    }
    if problems.is_empty() {
        Ok(wanted)
    } else {
        Err(problems.join("; "))
    }
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
        guide recommends turning the guard on. With it on, each entry of \
        `clients.http.private_ip_exception_urls` is a glob: a `**`, or a `*` in the host, \
        reopens the networks the guard closes.",
    breaks: "Web hooks and providers on private addresses stop working unless their URL matches \
        an entry of `clients.http.private_ip_exception_urls` (glob patterns matched against the \
        request URL without its query; `*` stops at `.` and `/`, `**` does not).",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `clients.http.disallow_private_ip_ranges: true` and list internal hook URLs \
            in `clients.http.private_ip_exception_urls`",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/guides/production",
        CONFIG_DOC,
        "https://github.com/ory/x/blob/v0.0.660/httpx/ssrf.go#L40-L53",
        "https://github.com/ory/x/blob/v0.0.660/httpx/resilient_client.go#L99-L105",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/registry_default.go#L839-L857",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for PrivateIpRangesAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &PRIVATE_IP_RANGES_ALLOWED
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        let all = outgoing(cx);
        let internal: Vec<&Outgoing<'_>> = all.iter().filter(|t| looks_internal(&t.host)).collect();
        let wanted = match needed_exceptions(&internal) {
            Ok(wanted) => wanted,
            Err(problems) => {
                return Ok(FixPlan::Manual(format!(
                    "turning the guard on would cut Kratos off from internal services it calls, \
                     and not every URL it requests can be derived from the config: {problems}. \
                     List the exact request URLs (without query) in `{EXCEPTIONS}`, then set \
                     `{GUARD}: true`"
                )));
            }
        };
        let mut ops = vec![set(&finding.path, Value::from(true))];
        let list = cx.get(EXCEPTIONS);
        let current: Vec<&str> = list
            .map(|l| l.items().iter().filter_map(Node::as_str).collect())
            .unwrap_or_default();
        let missing: Vec<&String> = wanted
            .iter()
            .filter(|w| !current.contains(&w.as_str()))
            .collect();
        if !missing.is_empty() {
            if let Some(list) = list.filter(|l| l.pos.file != finding.file) {
                return Ok(FixPlan::Manual(format!(
                    "`{EXCEPTIONS}` is in {}, not in the file with `{GUARD}`: add {} there, \
                     then set `{GUARD}: true`",
                    cx.deployment.source(list.pos.file).display,
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            let mut items: Vec<Value> = list
                .map(|l| l.items().iter().map(Node::to_json).collect())
                .unwrap_or_default();
            items.extend(missing.into_iter().map(|m| Value::from(m.as_str())));
            ops.push(set(EXCEPTIONS, Value::Array(items)));
        }
        Ok(FixPlan::Ops(ops))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = GUARD;
        if cx.bool(path) == Some(true) {
            broad_exceptions(cx, out);
            return;
        }
        let all = outgoing(cx);
        let internal: Vec<&Outgoing<'_>> = all.iter().filter(|t| looks_internal(&t.host)).collect();
        let finding = out.at(
            path,
            format!(
                "`{path}` is not true: web hooks, OIDC discovery and remote schemas may be pointed \
                 at cloud metadata, the admin API or other internal services"
            ),
        );
        if internal.is_empty() {
            finding.fix_summary(format!(
                "set `{path}: true` (no internal service found in the config; list any that \
                 resolves to a private address exactly in `{EXCEPTIONS}`)"
            ));
        } else if internal.iter().any(|t| t.derived.is_some()) {
            finding.fix_summary(format!(
                "set `{path}: true` after listing in `{EXCEPTIONS}` every URL Kratos requests from \
                 the internal services it calls (OIDC discovery, Hydra's admin API or a HIBP \
                 mirror: these cannot be derived from the config)"
            ));
        } else {
            finding.fix_summary(format!(
                "set `{path}: true` and list the {} internal URL(s) Kratos calls exactly in \
                 `{EXCEPTIONS}` (host names that resolve to private addresses but do not look \
                 internal must be added by hand)",
                internal.len()
            ));
        }
    }
}

/// Exception globs that admit far more than one service: `**` crosses every `.` and `/`, and a
/// `*` in the host admits every name (or address) of that shape.
fn broad_exceptions(cx: &Context<'_>, out: &mut Sink<'_>) {
    let Some(list) = cx.get(EXCEPTIONS) else {
        return;
    };
    for (i, item) in list.items().iter().enumerate() {
        let Some(pattern) = item.as_str() else {
            continue;
        };
        let host = pattern
            .split_once("://")
            .map_or(pattern, |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or("");
        let why = if pattern.contains("**") {
            "`**` matches across every `.` and `/`"
        } else if host.contains(['*', '?', '[', '{']) {
            "a wildcard in the host admits every internal host of that shape"
        } else {
            continue;
        };
        let path = format!("{EXCEPTIONS}.{i}");
        out.at(
            &path,
            format!(
                "`{path}` (`{}`) is a glob: {why}, so the SSRF guard lets Kratos reach those \
                 private addresses",
                shown(pattern)
            ),
        )
        .fix_summary(
            "list each internal URL Kratos calls as its own entry, without wildcards in the host \
             and without `**`",
        )
        .applicability(Applicability::Manual, None);
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
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2288-L2321",
    ],
    versions: Versions::All,
    production_only: true,
};

const HYDRA_ADMIN: &str = "Hydra's admin endpoint";

impl Rule for HydraAdminNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &HYDRA_ADMIN_NOT_HTTPS
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(https_fix(cx, finding, HYDRA_ADMIN))
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
            .severity(cleartext_severity(url, Severity::Medium))
            .fix_summary(https_fix_summary(url, HYDRA_ADMIN));
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
    fn https_forms_of_service_urls() {
        assert_eq!(
            service_https("http://hooks.example.com/a?b=c#d").as_deref(),
            Ok("https://hooks.example.com/a?b=c#d")
        );
        // The same service on the same port; `:80` names the plain-http port and goes.
        assert_eq!(
            service_https("http://hydra:4445/").as_deref(),
            Ok("https://hydra:4445/")
        );
        assert_eq!(
            service_https("HTTP://hooks.example.com:80").as_deref(),
            Ok("https://hooks.example.com")
        );
        assert_eq!(
            service_https("http://u:p%40ss@hooks.example.com/x").as_deref(),
            Ok("https://u:p%40ss@hooks.example.com/x")
        );
        assert!(service_https("http://127.0.0.1:4459/webhook").is_err());
        assert!(service_https("http://localhost:4444/").is_err());
        assert!(service_https("http://10.0.0.4/hook").is_err());
        assert!(service_https("http://[fd00::1]/hook").is_err());
        assert!(service_https("https://hooks.example.com/").is_err());
        assert!(service_https("http://${HOOK_HOST}/x").is_err());
    }

    #[test]
    fn exception_entries() {
        assert_eq!(
            exception_form("https://hooks.internal/a?tenant=1#x"),
            "https://hooks.internal/a"
        );
        assert!(unlistable("https://hooks.internal/a").is_none());
        assert!(unlistable("http://[fd00::1]/hook").is_some());
        assert!(unlistable("https://u:p@hooks.internal/a").is_some());
    }

    fn fix_of(rule: &dyn Rule, config: &str) -> Vec<FixPlan> {
        let d = crate::config::Deployment::from_texts(vec![(
            "k.yml".into(),
            "k.yml".into(),
            config.into(),
        )])
        .expect("loads");
        let cx = Context::new(&d, crate::rules::Profile::Production, None);
        let mut findings = Vec::new();
        rule.check(&cx, &mut Sink::new(&cx, rule.meta(), &mut findings));
        let mut rng = crate::secret::OsSecrets;
        let mut env = crate::fix::FixEnv::new(&mut rng, crate::fix::SecretsTo::Inline);
        findings
            .iter()
            .map(|f| rule.fix(&cx, f, &mut env).expect("no secrets needed"))
            .collect()
    }

    #[test]
    fn guard_fix_never_repeats_a_password() {
        let plans = fix_of(
            &PrivateIpRangesAllowed,
            "selfservice:\n  flows:\n    login:\n      after:\n        hooks:\n          - hook: web_hook\n            config: {url: 'https://kratos:s3cr3t-hook-pass@hooks.internal/x', method: POST}\n",
        );
        assert!(
            matches!(plans.as_slice(), [FixPlan::Manual(_)]),
            "{plans:?}"
        );
        if let [FixPlan::Manual(why)] = plans.as_slice() {
            assert!(!why.contains("s3cr3t"), "{why}");
            assert!(why.contains("kratos:****@hooks.internal"), "{why}");
        }
    }

    #[test]
    fn https_fix_keeps_the_exception_in_step() {
        let plans = fix_of(
            &WebhookNotHttps,
            "clients:\n  http:\n    disallow_private_ip_ranges: true\n    private_ip_exception_urls: [http://h.internal/x]\nselfservice:\n  flows:\n    login:\n      after:\n        hooks:\n          - hook: web_hook\n            config: {url: 'http://h.internal/x?a=1', method: POST}\n",
        );
        assert!(matches!(plans.as_slice(), [FixPlan::Ops(_)]), "{plans:?}");
        if let [FixPlan::Ops(ops)] = plans.as_slice() {
            assert_eq!(
                ops.as_slice(),
                [
                    set(
                        "selfservice.flows.login.after.hooks.0.config.url",
                        Value::from("https://h.internal/x?a=1")
                    ),
                    set(
                        "clients.http.private_ip_exception_urls.0",
                        Value::from("https://h.internal/x")
                    ),
                ]
            );
        }
    }

    #[test]
    fn internal_hosts() {
        assert!(looks_internal("host.docker.internal"));
        assert!(looks_internal("hooks"));
        assert!(looks_internal("10.0.0.4"));
        assert!(!looks_internal("hooks.example.com"));
    }
}
