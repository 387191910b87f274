//! Service compromise through how Kratos is served:
//! dev mode, an admin API listening beyond the host, a missing or plain-http public base URL,
//! plain-http self-service UI URLs, and no TLS on the public listener.

use serde_json::Value;

use super::support::public_url_plain_http;
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::Node;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};
use crate::kratos::credential::is_env_reference;
use crate::kratos::uri::{
    HttpsPolicy, Uri, https_form, is_internal_listen_host, is_loopback_host, is_plain_http,
    mask_credentials,
};

const CONFIG_DOC: &str = "https://www.ory.sh/docs/kratos/reference/configuration";
const PRODUCTION_DOC: &str = "https://www.ory.sh/docs/kratos/guides/production";
const ACCESS_DOC: &str = "https://www.ory.sh/docs/self-hosted/operations/api-access-control";
const DEPLOY_DOC: &str = "https://www.ory.sh/docs/kratos/guides/deploy-kratos-example";

/// True when `path` holds a non-empty string.
fn has_text(cx: &Context<'_>, path: &str) -> bool {
    cx.str(path).is_some_and(|s| !s.trim().is_empty())
}

/// The `https://` form of an address users reach, or why the operator must choose it.
fn https_upgrade(url: &str) -> Result<String, &'static str> {
    https_form(url, HttpsPolicy::UserFacing)
}

/// The fix of a plain-http URL at `finding.path`: its https form, or the operator's call.
fn upgrade_fix(cx: &Context<'_>, finding: &Finding, what: &str) -> FixPlan {
    let Some(url) = cx.str(&finding.path) else {
        return FixPlan::Manual(format!("`{}` is not a string", finding.path));
    };
    match https_upgrade(url) {
        Ok(https) => FixPlan::Ops(vec![set(&finding.path, Value::from(https))]),
        Err(why) => FixPlan::Manual(format!(
            "`{}` ({}) cannot be switched to https automatically because {why}: set it to \
             the https:// URL {what}",
            finding.path,
            mask_credentials(url)
        )),
    }
}

/// KH230: `dev: true`.
pub struct DevModeEnabled;

static DEV_MODE_ENABLED: RuleMeta = RuleMeta {
    id: "KH230",
    name: "dev-mode-enabled",
    threat: Threat::ServiceCompromise,
    severity: Severity::Critical,
    title: "Kratos runs in dev mode (`dev: true`)",
    rationale: "Dev mode drops the `Secure` flag \
        from session, CSRF and continuity cookies so they travel over plain http, lets the bcrypt \
        cost fall below 12, guesses http base URLs, makes the admin courier API return message \
        bodies with recovery and verification codes instead of redacting them, and honours \
        `DEV_DISABLE_API_FLOW_ENFORCEMENT`, which bypasses the browser-vs-API flow check that \
        backs CSRF protection. Kratos logs 'SECURITY IS DISABLED' at start. A network attacker on \
        any http hop steals sessions.",
    breaks: "Cookies are `Secure` again: the deployment must be reached over https, or browsers \
        drop the CSRF cookie and every form fails with 'CSRF token is missing or invalid'.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "remove `dev` (or set `dev: false`) and drop `--dev` from the serve command",
    },
    references: &[
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L1282-L1284",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for DevModeEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &DEV_MODE_ENABLED
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        // `false` rather than removing the key: the file stays explicit, and an earlier config
        // file that also says `dev: true` is overridden instead of shown through.
        Ok(FixPlan::Ops(vec![set(&finding.path, Value::Bool(false))]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.dev_mode() {
            return;
        }
        if cx.production() {
            let finding = out.at(
                "dev",
                "`dev` is true: cookies lose the Secure flag and courier messages with codes are \
                 shown on the admin API",
            );
            if let Some(breaks) = dev_off_breaks(cx) {
                finding.applicability(Applicability::Unsafe, Some(breaks));
            }
        } else {
            out.at(
                "dev",
                "`dev` is true, acceptable for local development only; the file must not ship \
                 with it",
            )
            .severity(Severity::Low);
        }
    }
}

/// What turning dev mode off breaks here, if anything: with a plain-http public URL (not
/// loopback, where browsers keep Secure cookies) the CSRF cookie is dropped and every form
/// fails; without one, Kratos's guess of the public URL changes from http to https.
fn dev_off_breaks(cx: &Context<'_>) -> Option<&'static str> {
    if cx
        .str("serve.public.base_url")
        .is_none_or(|u| u.trim().is_empty())
    {
        return Some(
            "`serve.public.base_url` is unset, so Kratos guesses it: `http://` in dev mode, \
             `https://<hostname>:4433/` without it. Every redirect, form action and cookie \
             name changes; set the real public URL first.",
        );
    }
    public_url_plain_http(cx).then_some(
        "The public URL is plain http: without dev mode the CSRF cookie is `Secure`, browsers \
         drop it over http, and every self-service form fails with 'CSRF token is missing or \
         invalid'. Serve Kratos over https first (KH233).",
    )
}

/// KH231: the admin API listens beyond loopback or a private network.
pub struct AdminApiExposed;

static ADMIN_API_EXPOSED: RuleMeta = RuleMeta {
    id: "KH231",
    name: "admin-api-exposed",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "The admin API listens on a public interface",
    rationale: "The admin API has no authentication at all: whoever reaches it lists, edits and \
        deletes identities, reads credentials metadata, issues recovery links for any account and \
        revokes or creates sessions. `serve.admin.host` defaults to `0.0.0.0`, so an \
        unset host listens on every interface; a published port (the quickstart maps 4434) or a \
        flat network hands the whole user base to an attacker or to an SSRF in any neighbour.",
    breaks: "Clients that call the admin API from other hosts or containers lose access; give \
        them a private interface, a unix socket or an authenticating gateway.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `serve.admin.host: 127.0.0.1` (or a private interface or unix socket)",
    },
    references: &[
        ACCESS_DOC,
        DEPLOY_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2362-L2367",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for AdminApiExposed {
    fn meta(&self) -> &'static RuleMeta {
        &ADMIN_API_EXPOSED
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        if cx.deployment.chart.helm {
            return Ok(FixPlan::Manual(UNDER_HELM.to_owned()));
        }
        if let Some(compose) = &cx.deployment.compose {
            let text = if compose.kubernetes {
                UNDER_KUBERNETES
            } else {
                UNDER_COMPOSE
            };
            return Ok(FixPlan::Manual(text.to_owned()));
        }
        // An admin base URL on another host says clients reach the admin API through it (the
        // quickstarts' `http://kratos:4434/`): loopback would cut them off, and which private
        // interface they share is for the operator to say.
        if let Some(url) = cx.str("serve.admin.base_url")
            && let Some(uri) = Uri::parse(url)
            && !is_loopback_host(uri.host)
        {
            return Ok(FixPlan::Manual(format!(
                "`serve.admin.base_url` is {}, so clients reach the admin API from other hosts or \
                 containers and binding it to 127.0.0.1 would cut them off: set \
                 `serve.admin.host` to the private interface they use (or a unix socket), and \
                 keep port 4434 off public networks",
                mask_credentials(url)
            )));
        }
        Ok(FixPlan::Ops(vec![set(
            &finding.path,
            Value::from("127.0.0.1"),
        )]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let start = out.len();
        admin_host(cx, out);
        let manual = if cx.deployment.chart.helm {
            Some(UNDER_HELM)
        } else if let Some(compose) = &cx.deployment.compose {
            Some(if compose.kubernetes {
                UNDER_KUBERNETES
            } else {
                UNDER_COMPOSE
            })
        } else {
            None
        };
        if let Some(manual) = manual {
            for finding in out.since(start) {
                finding
                    .fix_summary(manual)
                    .applicability(Applicability::Manual, None);
            }
        }
    }
}

/// In a container, loopback is the container itself: the other containers (the proxy, the
/// apps calling the admin API) would be cut off. The host's exposure is the published port.
const UNDER_COMPOSE: &str = "in a container keep `serve.admin.host` on the container's \
    interface (127.0.0.1 is the container itself: every other container would be cut off); \
    publish no admin port (KH236) and put the admin API on an internal network only the \
    services that call it join";

/// In a pod, loopback is the pod itself: probes, Services and other pods reach the admin API on
/// the pod's interface. The exposure to close is the Service and the network.
const UNDER_KUBERNETES: &str = "in a pod keep `serve.admin.host` on the pod's interface \
    (probes, Services and the pods that call the admin API reach it there; 127.0.0.1 cuts them \
    off); expose port 4434 through no Service or Ingress reachable from outside, and allow only \
    the pods that need it with a NetworkPolicy";

/// Under the Helm chart the kubelet probes `/admin/health/*` on the admin port, so the admin
/// listener must stay on the pod's interface; the cluster network is what to close.
const UNDER_HELM: &str = "under the Helm chart keep `serve.admin.host` on the pod's interface \
    (the kubelet's readiness and startup probes call the admin port: 127.0.0.1 keeps pods from \
    ever becoming Ready); keep `ingress.admin.enabled: false` and allow only the pods that need \
    the admin API with a NetworkPolicy on port 4434";

/// KH231's check: the admin host, unset or beyond loopback and private networks.
fn admin_host(cx: &Context<'_>, out: &mut Sink<'_>) {
    let path = "serve.admin.host";
    match cx.str(path).map(str::trim).filter(|h| !h.is_empty()) {
        None => {
            out.at(
                path,
                format!(
                    "`{path}` is not set, so the unauthenticated admin API listens on 0.0.0.0 \
                         (every interface)"
                ),
            );
        }
        Some(host) if is_internal_listen_host(host) => {}
        // Rendered before Kratos reads it (`--template`): the host is set elsewhere.
        Some(host) if cx.deployment.template && is_env_reference(host) => {}
        Some(host) => {
            let what = if matches!(host, "0.0.0.0" | "::" | "[::]") {
                "every interface"
            } else {
                "an address that is neither loopback nor private"
            };
            out.at(
                path,
                format!(
                    "`{path}` is '{host}', {what}: the unauthenticated admin API is reachable \
                         there"
                ),
            );
        }
    }
}

/// KH232: no `serve.public.base_url`.
pub struct PublicBaseUrlMissing;

static PUBLIC_BASE_URL_MISSING: RuleMeta = RuleMeta {
    id: "KH232",
    name: "public-base-url-missing",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "`serve.public.base_url` is not set",
    rationale: "Without it Kratos guesses `https://<hostname>:4433/` (http in dev mode) and only \
        warns. The guess drives redirect targets, form action \
        URLs, OIDC callback and WebAuthn defaults and the CSRF cookie name: behind a proxy it is \
        the container's host name, so browsers are sent to internal names and redirects, \
        callbacks and WebAuthn break or point somewhere unintended.",
    breaks: "Nothing if the URL is the one users really reach; the CSRF cookie name changes once \
        (open forms fail once).",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "set `serve.public.base_url` to the https:// URL under which the reverse proxy \
            serves Kratos's public API",
    },
    references: &[
        CONFIG_DOC,
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L888-L926",
        "https://github.com/ory/kratos/blob/v1.3.1/x/nosurf.go#L131-L135",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for PublicBaseUrlMissing {
    fn meta(&self) -> &'static RuleMeta {
        &PUBLIC_BASE_URL_MISSING
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "serve.public.base_url";
        if !has_text(cx, path) {
            out.at(
                path,
                format!("`{path}` is not set: Kratos guesses it from the host name of the process"),
            );
        }
    }
}

/// KH233: the public base URL is plain http.
pub struct PublicBaseUrlNotHttps;

static PUBLIC_BASE_URL_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH233",
    name: "public-base-url-not-https",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "`serve.public.base_url` uses plain http",
    rationale: "The public base URL is where browsers send credentials, codes and session \
        cookies, and where Kratos builds redirect and form action URLs. Over http every hop (Wi-Fi, \
        ISP, proxy) reads and rewrites them. Outside dev mode cookies are `Secure` and browsers do \
        not send them over http, so a working http base URL usually means dev mode is on too.",
    breaks: "A reverse proxy must serve TLS at that URL; the CSRF cookie name, derived from the \
        base URL, changes once.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "change `serve.public.base_url` to the https:// URL the reverse proxy serves",
    },
    references: &[
        CONFIG_DOC,
        PRODUCTION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2507-L2509",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L7-L9",
        "https://github.com/ory/kratos/blob/v1.3.1/x/nosurf.go#L131-L141",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for PublicBaseUrlNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &PUBLIC_BASE_URL_NOT_HTTPS
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(upgrade_fix(
            cx,
            finding,
            "under which the reverse proxy serves Kratos's public API",
        ))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "serve.public.base_url";
        if let Some(url) = cx.str(path).filter(|u| is_plain_http(u)) {
            out.at(
                path,
                format!("`{path}` is {} over plain http", mask_credentials(url)),
            );
        }
    }
}

/// KH234: a self-service UI URL is plain http.
pub struct UiUrlNotHttps;

static UI_URL_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH234",
    name: "ui-url-not-https",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "A self-service UI URL uses plain http",
    rationale: "Kratos redirects browsers to `selfservice.flows.<flow>.ui_url` with the flow id, \
        and the page there collects passwords, codes and new credentials. Served over http, a \
        network attacker reads what users type or swaps the page for a phishing copy on the \
        trusted host name.",
    breaks: "The UI must be served over TLS at the new URL.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "change the UI URL to the https:// address the UI is served from",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1199-L1206",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/flow/login/handler.go#L592",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for UiUrlNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &UI_URL_NOT_HTTPS
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(upgrade_fix(cx, finding, "the UI is served from"))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(flows) = cx.get("selfservice.flows") else {
            return;
        };
        for flow in flows.entries() {
            let Some(url) = flow.node.get("ui_url").and_then(Node::as_str) else {
                continue;
            };
            if is_plain_http(url) {
                let path = format!("selfservice.flows.{}.ui_url", flow.key);
                out.at(
                    &path,
                    format!("`{path}` is {} over plain http", mask_credentials(url)),
                );
            }
        }
    }
}

/// KH235: no TLS on the public listener.
pub struct TlsNotConfigured;

static TLS_NOT_CONFIGURED: RuleMeta = RuleMeta {
    id: "KH235",
    name: "tls-not-configured",
    threat: Threat::ServiceCompromise,
    severity: Severity::Info,
    title: "Kratos's public listener does not terminate TLS",
    rationale: "With no `serve.public.tls` certificate and key, TLS is disabled and \
        Kratos speaks plain http. That is fine behind a TLS-terminating reverse proxy on a private \
        network, which the production guide recommends; it is not if users or the proxy reach \
        Kratos across an untrusted network.",
    breaks: "Nothing; this is guidance.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "terminate TLS at the reverse proxy and keep Kratos on a private interface, or \
            set `serve.public.tls.cert.path` and `serve.public.tls.key.path`",
    },
    references: &[
        PRODUCTION_DOC,
        DEPLOY_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1049-L1054",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L1565-L1592",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for TlsNotConfigured {
    fn meta(&self) -> &'static RuleMeta {
        &TLS_NOT_CONFIGURED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let set = |part: &str| {
            ["path", "base64"]
                .iter()
                .any(|k| has_text(cx, &format!("serve.public.tls.{part}.{k}")))
        };
        let (cert, key) = (set("cert"), set("key"));
        if cert && key {
            return;
        }
        let message = if cert || key {
            "`serve.public.tls` has only one of certificate and key, so Kratos cannot serve TLS"
        } else {
            "`serve.public.tls` is not configured: Kratos serves plain http, so a reverse proxy \
             must terminate TLS in front of it"
        };
        out.at("serve.public.tls", message);
    }
}

#[cfg(test)]
mod tests {
    use super::https_upgrade;

    #[test]
    fn public_http_urls_on_the_default_port_become_https() {
        assert_eq!(
            https_upgrade("http://auth.example.com/").as_deref(),
            Ok("https://auth.example.com/")
        );
        assert_eq!(
            https_upgrade(" HTTP://auth.example.com:80/login?a=b#c").as_deref(),
            Ok("https://auth.example.com/login?a=b#c")
        );
        assert_eq!(
            https_upgrade("http://app.example.com").as_deref(),
            Ok("https://app.example.com")
        );
    }

    #[test]
    fn hosts_and_ports_the_command_cannot_know_stay_manual() {
        for url in [
            "http://127.0.0.1:4433/",
            "http://localhost/",
            "http://kratos/",
            "http://203.0.113.10/",
            "http://[2001:db8::1]/",
            "http://auth.example.com:4433/",
            "http://user:pw@auth.example.com/",
            "https://auth.example.com/",
            "/relative",
        ] {
            assert!(https_upgrade(url).is_err(), "{url}");
        }
    }
}
