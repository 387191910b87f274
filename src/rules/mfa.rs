//! Flow bypass around multi-factor authentication and privileged actions (advisory
//! GHSA-wc43-73w7-x2f5): AAL requirements that accept single-factor sessions, a long
//! privileged-session window for settings, and WebAuthn/passkey origins without TLS.

use std::time::Duration;

use serde_json::Value;

use super::support::{method_enabled, second_factor_enabled};
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::{Node, join};
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};
use crate::kratos::duration::{human, parse};
use crate::kratos::uri::{Uri, is_loopback_host, is_plain_http, mask_credentials};

const MFA_DOC: &str = "https://www.ory.sh/docs/kratos/mfa/overview";
const STEP_UP_DOC: &str = "https://www.ory.sh/docs/kratos/mfa/step-up-authentication";
const ADVISORY: &str = "https://github.com/ory/kratos/security/advisories/GHSA-wc43-73w7-x2f5";
const SETTINGS_DOC: &str = "https://www.ory.sh/docs/kratos/self-service/flows/user-settings";

/// The enabled second factors, named for messages (mirrors `support::second_factor_enabled`).
fn second_factors(cx: &Context<'_>) -> String {
    let mut names = Vec::new();
    if method_enabled(cx, "totp") {
        names.push("TOTP");
    }
    if method_enabled(cx, "lookup_secret") {
        names.push("lookup secrets");
    }
    if method_enabled(cx, "webauthn")
        && cx.bool("selfservice.methods.webauthn.config.passwordless") != Some(true)
    {
        names.push("WebAuthn");
    }
    if method_enabled(cx, "code") && cx.bool("selfservice.methods.code.mfa_enabled") == Some(true) {
        names.push("one-time codes");
    }
    if names.is_empty() {
        "a second factor".to_owned()
    } else {
        names.join(", ")
    }
}

/// Reports `path` when it is `aal1`: high with a second factor enabled, low without one.
fn check_aal(cx: &Context<'_>, out: &mut Sink<'_>, path: &str, effect: &str) {
    if cx.str(path) != Some("aal1") {
        return;
    }
    if second_factor_enabled(cx) {
        out.at(
            path,
            format!(
                "`{path}` is `aal1` while users can set up {} as a second factor, so {effect} \
                 with the first factor only",
                second_factors(cx)
            ),
        );
    } else {
        out.at(
            path,
            format!(
                "`{path}` is `aal1`: no second factor is enabled now, but enabling one later \
                 leaves it unenforced because {effect} with the first factor only"
            ),
        )
        .severity(Severity::Low);
    }
}

/// Sets the reported AAL key to `highest_available`, Kratos's default. Also for the low
/// finding without a second factor: the value then behaves like `aal1` today and starts to
/// demand the second factor as soon as one is enabled.
fn fix_aal(finding: &Finding) -> FixPlan {
    FixPlan::Ops(vec![set(
        &finding.path,
        Value::String("highest_available".to_owned()),
    )])
}

/// KH120: `session.whoami.required_aal: aal1`.
pub struct WhoamiAalNotHighest;

static WHOAMI_AAL_NOT_HIGHEST: RuleMeta = RuleMeta {
    id: "KH120",
    name: "whoami-aal-allows-single-factor",
    threat: Threat::FlowBypass,
    severity: Severity::High,
    title: "`/sessions/whoami` accepts sessions that skipped the second factor",
    rationale: "With `session.whoami.required_aal: aal1` Kratos answers `/sessions/whoami` (and \
        everything built on it: Oathkeeper, API gateways, app middleware) with a valid session \
        as soon as the password is entered, even for users who set up TOTP or WebAuthn. An \
        attacker with a stolen or phished password uses the app without ever facing the second \
        factor. The default `highest_available` demands the second factor from every user who \
        has one. Kratos before v1.3.0 also failed to enforce it for passwordless-code users \
        (GHSA-wc43-73w7-x2f5).",
    breaks: "Sessions of users with a second factor who have not completed it get 403 \
        `session_aal2_required` from whoami; front-ends must send them to login with `aal=aal2`.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `session.whoami.required_aal: highest_available`",
    },
    references: &[
        STEP_UP_DOC,
        MFA_DOC,
        ADVISORY,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2797-L2799",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L837-L843",
        "https://github.com/ory/kratos/blob/v1.3.1/session/handler.go#L228-L236",
        "https://github.com/ory/kratos/blob/v1.3.1/session/manager_http.go#L309-L333",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for WhoamiAalNotHighest {
    fn meta(&self) -> &'static RuleMeta {
        &WHOAMI_AAL_NOT_HIGHEST
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        check_aal(
            cx,
            out,
            "session.whoami.required_aal",
            "whoami accepts sessions",
        );
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(fix_aal(finding))
    }
}

/// KH121: `selfservice.flows.settings.required_aal: aal1`.
pub struct SettingsAalNotHighest;

static SETTINGS_AAL_NOT_HIGHEST: RuleMeta = RuleMeta {
    id: "KH121",
    name: "settings-aal-allows-single-factor",
    threat: Threat::FlowBypass,
    severity: Severity::High,
    title: "The settings flow accepts sessions that skipped the second factor",
    rationale: "With `selfservice.flows.settings.required_aal: aal1` a session that only passed \
        the password may change the password, e-mail and credentials, including removing TOTP \
        or WebAuthn. An attacker with a stolen password therefore disables the victim's second \
        factor and takes the account over for good. The default `highest_available` asks for \
        the second factor first.",
    breaks: "Users with a second factor are asked for it before changing settings. Browser flows \
        redirect them to the login step-up themselves; native apps using the API flow get a \
        403 `session_aal2_required` they must handle.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `selfservice.flows.settings.required_aal: highest_available`",
    },
    references: &[
        SETTINGS_DOC,
        STEP_UP_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1219-L1221",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L837-L843",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/flow/settings/handler.go#L311-L314",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/flow/settings/handler.go#L222-L225",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SettingsAalNotHighest {
    fn meta(&self) -> &'static RuleMeta {
        &SETTINGS_AAL_NOT_HIGHEST
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        check_aal(
            cx,
            out,
            "selfservice.flows.settings.required_aal",
            "settings, including removing the second factor, can be changed",
        );
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(fix_aal(finding))
    }
}

/// KH122: a privileged session window above 15 minutes.
pub struct PrivilegedSessionLong;

static PRIVILEGED_SESSION_LONG: RuleMeta = RuleMeta {
    id: "KH122",
    name: "privileged-session-too-long",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "Sensitive settings can be changed long after the last login",
    rationale: "For `selfservice.flows.settings.privileged_session_max_age` after signing in \
        (default 1h) a session may change the password, e-mail and credentials without \
        re-authenticating. Someone who gets hold of an unlocked device or a stolen session \
        cookie in that window changes the password or e-mail and locks the owner out. Ory \
        suggests a short window; 5–15 minutes keeps re-authentication rare.",
    breaks: "Users who change settings more than 15 minutes after signing in are asked for \
        their password again.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `selfservice.flows.settings.privileged_session_max_age: 15m`",
    },
    references: &[
        SETTINGS_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1213-L1218",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L1354-L1356",
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/strategy/profile/strategy.go#L171-L177",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for PrivilegedSessionLong {
    fn meta(&self) -> &'static RuleMeta {
        &PRIVILEGED_SESSION_LONG
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "selfservice.flows.settings.privileged_session_max_age";
        let limit = Duration::from_secs(15 * 60);
        match cx.get(path) {
            None => {
                out.missing(
                    path,
                    format!(
                        "`{path}` is not set, so sessions may change passwords and e-mail \
                         addresses for 1h after login"
                    ),
                );
            }
            Some(node) => {
                let Some(age) = node.as_str().and_then(parse) else {
                    return;
                };
                if age > limit {
                    out.at(
                        path,
                        format!(
                            "`{path}` is {}, so sessions may change passwords and e-mail \
                             addresses that long after login",
                            human(age)
                        ),
                    );
                }
            }
        }
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(
            &finding.path,
            Value::String("15m".to_owned()),
        )]))
    }
}

/// KH123: a `WebAuthn` or passkey origin over plain http.
pub struct WebauthnOriginNotHttps;

static WEBAUTHN_ORIGIN_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH123",
    name: "webauthn-origin-not-https",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "A WebAuthn or passkey origin uses plain http",
    rationale: "Kratos accepts WebAuthn and passkey responses only from the configured origins; \
        an `http://` origin means the page that asks the authenticator is not protected by TLS, \
        so a network attacker who injects script into it obtains valid assertions for the \
        relying party and signs in as the user, defeating the phishing resistance that is the \
        point of WebAuthn. Browsers allow WebAuthn on plain http only for localhost, so such \
        origins are development leftovers or broken. Without explicit origins Kratos derives \
        one from the scheme of `serve.public.base_url` and `rp.id`.",
    breaks: "The login UI must be served from the https origin; credentials registered for the \
        same `rp.id` keep working.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `rp.origins` to the exact `https://` origins of your login UI",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/passwordless/passkeys",
        "https://www.ory.sh/docs/kratos/mfa/webauthn-fido-yubikey",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1776-L1796",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L1481-L1495",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L1497-L1513",
    ],
    versions: Versions::All,
    production_only: true,
};

/// The `https://` form of a plain-http origin on a real host; `None` for loopback hosts,
/// whose deployed origin only the operator knows.
fn https_origin(origin: &str) -> Option<String> {
    let origin = origin.trim();
    let uri = Uri::parse(origin)?;
    (is_plain_http(origin) && !is_loopback_host(uri.host))
        .then(|| format!("https://{}", &origin[7..]))
}

/// Reports one origin if it is plain http.
fn report_origin(out: &mut Sink<'_>, path: &str, origin: &str) {
    if !is_plain_http(origin) {
        return;
    }
    let shown = mask_credentials(origin.trim());
    if Uri::parse(origin).is_some_and(|u| is_loopback_host(u.host)) {
        out.at(
            path,
            format!("`{path}` is `{shown}`, a plain-http localhost origin left from development"),
        )
        .severity(Severity::Low);
    } else {
        out.at(
            path,
            format!(
                "`{path}` is `{shown}`: the page asking for the authenticator has no TLS, so \
                 whoever can alter it on the network obtains valid assertions"
            ),
        );
    }
}

impl Rule for WebauthnOriginNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &WEBAUTHN_ORIGIN_NOT_HTTPS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for method in ["webauthn", "passkey"] {
            if !method_enabled(cx, method) {
                continue;
            }
            let rp = format!("selfservice.methods.{method}.config.rp");
            let origins_path = join(&rp, "origins");
            let origins = cx.get(&origins_path).map(Node::items).unwrap_or_default();
            if !origins.is_empty() {
                for (i, node) in origins.iter().enumerate() {
                    if let Some(origin) = node.as_str() {
                        report_origin(out, &join(&origins_path, &i.to_string()), origin);
                    }
                }
                continue;
            }
            // v1.3.1 reads the single `origin` for WebAuthn only (`driver/config/config.go`,
            // `WebAuthnConfig`).
            let origin_path = join(&rp, "origin");
            if let Some(origin) = cx.str(&origin_path).filter(|_| method == "webauthn") {
                report_origin(out, &origin_path, origin);
                continue;
            }
            let base = cx.str("serve.public.base_url").unwrap_or_default();
            let id = cx.str(&join(&rp, "id")).unwrap_or_default();
            if is_plain_http(base) && !id.is_empty() {
                let derived = format!("http://{id}");
                let message = format!(
                    "`{origins_path}` is not set, so Kratos derives the origin `{derived}` from \
                     the plain-http `serve.public.base_url`"
                );
                let finding = out.missing(&origins_path, message);
                if is_loopback_host(id) {
                    finding.severity(Severity::Low);
                }
            }
        }
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        let manual = || {
            FixPlan::Manual(format!(
                "`{}` is (or derives) a localhost origin; set `rp.origins` to the exact https \
                 origins your deployed login UI is served from",
                finding.path
            ))
        };
        // An origin written in the config: same host and port, over https.
        if let Some(origin) = cx.str(&finding.path) {
            return Ok(https_origin(origin).map_or_else(manual, |secure| {
                FixPlan::Ops(vec![set(&finding.path, Value::String(secure))])
            }));
        }
        // No origins: Kratos derives `<base_url scheme>://<rp.id>`; keep that origin, over https.
        let Some(rp) = finding.path.strip_suffix(".origins") else {
            return Ok(manual());
        };
        let id = cx.str(&join(rp, "id")).unwrap_or_default().trim();
        Ok(match https_origin(&format!("http://{id}")) {
            Some(secure) if !id.is_empty() => FixPlan::Ops(vec![set(
                &finding.path,
                Value::Array(vec![Value::String(secure)]),
            )]),
            _ => manual(),
        })
    }
}
