//! Service compromise through CORS on the public API: enabled without
//! an origin list (schema default `*`), an explicit `*`, wildcard origins combined with the
//! default `allow_credentials: true`, plain-http origins and CORS debug logging.
//!
//! Matching follows rs/cors as pinned by Kratos: `*` alone allows every origin and is answered
//! with `Access-Control-Allow-Origin: *`; any other entry holding `*` is split into a prefix and
//! a suffix and matches every origin that starts and ends with them, echoed back verbatim.

use serde_json::Value;

use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::join;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};
use crate::kratos::uri::{HttpsPolicy, Uri, https_form, is_loopback_host, is_plain_http};

const CONFIG_DOC: &str = "https://www.ory.sh/docs/kratos/reference/configuration";
const ORIGINS: &str = "serve.public.cors.allowed_origins";

/// True when CORS is switched on for the public API (schema default false).
fn cors_enabled(cx: &Context<'_>) -> bool {
    cx.bool("serve.public.cors.enabled") == Some(true)
}

/// Every string in `allowed_origins` with its path (a lone string is read as one item).
fn origins<'a>(cx: &Context<'a>) -> Vec<(String, &'a str)> {
    match cx.get(ORIGINS) {
        Some(node) if !node.items().is_empty() => node
            .items()
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((join(ORIGINS, &i.to_string()), n.as_str()?.trim())))
            .collect(),
        Some(node) => node
            .as_str()
            .map(|s| vec![(ORIGINS.to_owned(), s.trim())])
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

/// True when the host of an origin is loopback (`localhost`, `*.localhost`, `127.0.0.1`).
fn loopback_origin(origin: &str) -> bool {
    Uri::parse(origin).is_some_and(|u| is_loopback_host(u.host.trim_start_matches("*.")))
}

/// True when credentialed requests are allowed (schema default true).
fn credentials_allowed(cx: &Context<'_>) -> bool {
    cx.bool("serve.public.cors.allow_credentials") != Some(false)
}

/// What the fix does with one origin, judged as KH241–KH243 judge it in this profile.
enum Verdict {
    /// Nothing reported: keep it.
    Keep,
    /// `*`, a credentialed wildcard pattern or a loopback http origin: drop it.
    Drop,
    /// A plain-http origin on a public host: use this https origin instead.
    Upgrade(String),
}

fn verdict(cx: &Context<'_>, origin: &str) -> Verdict {
    if origin == "*" || (origin.contains('*') && credentials_allowed(cx)) {
        return Verdict::Drop;
    }
    // KH243 is production-only: http origins are left alone in the development profile.
    if cx.production() && is_plain_http(origin) {
        // Loopback origins are development leftovers. An http origin with a port or an IP has
        // no https form the command can know: the front-end it names is blocked, which is what
        // the rule's `breaks` warns of.
        return https_form(origin, HttpsPolicy::UserFacing).map_or(Verdict::Drop, Verdict::Upgrade);
    }
    Verdict::Keep
}

/// The one fix every CORS origin finding shares: `allowed_origins` without `*`, credentialed
/// wildcard patterns and loopback http origins, with public http origins switched to https and
/// duplicates removed. All findings about the list produce this same operation, so one run
/// fixes the list completely. `Err` when nothing acceptable would remain: an empty list means
/// every origin again, and only the operator knows which front-ends must be listed.
fn fixed_origins(cx: &Context<'_>) -> Result<Value, String> {
    let mut kept: Vec<String> = Vec::new();
    for (_, origin) in origins(cx) {
        let fixed = match verdict(cx, origin) {
            Verdict::Keep => origin.to_owned(),
            Verdict::Drop => continue,
            Verdict::Upgrade(https) => https,
        };
        if !kept.contains(&fixed) {
            kept.push(fixed);
        }
    }
    if kept.is_empty() {
        return Err(no_origin_left(cx));
    }
    Ok(Value::Array(kept.into_iter().map(Value::String).collect()))
}

/// Why the origins need the operator, with the UI origins as a hint when the config has them.
fn no_origin_left(cx: &Context<'_>) -> String {
    let mut hints: Vec<String> = Vec::new();
    if let Some(flows) = cx.get("selfservice.flows") {
        for flow in flows.entries() {
            let Some(uri) = flow
                .node
                .get("ui_url")
                .and_then(|n| n.as_str())
                .and_then(Uri::parse)
            else {
                continue;
            };
            if !uri.scheme_is("https") {
                continue;
            }
            let origin = match uri.port {
                Some(port) => format!("https://{}:{port}", uri.host),
                None => format!("https://{}", uri.host),
            };
            if !hints.contains(&origin) {
                hints.push(origin);
            }
        }
    }
    let hint = if hints.is_empty() {
        String::new()
    } else {
        format!(
            " (the self-service UI is served from {}; list it if it calls Kratos from the \
             browser)",
            hints.join(", ")
        )
    };
    format!(
        "no acceptable origin would remain in `{ORIGINS}`, and an empty list allows every \
         origin: list the exact https:// origins of the front-ends that call Kratos from the \
         browser{hint}, or set `serve.public.cors.enabled: false` if the UI is served from \
         Kratos's own origin"
    )
}

/// The fix of a finding about `allowed_origins`.
fn origins_fix(cx: &Context<'_>) -> FixPlan {
    match fixed_origins(cx) {
        Ok(list) => FixPlan::Ops(vec![set(ORIGINS, list)]),
        Err(why) => FixPlan::Manual(why),
    }
}

/// KH240: CORS enabled without `allowed_origins`.
pub struct CorsDefaultWildcard;

static CORS_DEFAULT_WILDCARD: RuleMeta = RuleMeta {
    id: "KH240",
    name: "cors-origins-default-wildcard",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "CORS is enabled without `allowed_origins`, which defaults to every origin",
    rationale: "`serve.public.cors.allowed_origins` defaults to `[\"*\"]` and rs/cors \
        treats an empty list the same way, so `cors.enabled: true` on its own lets every website \
        script the public API from its visitors' browsers and read the answers. Browsers withhold \
        cookies only because rs/cors answers `*` instead of the caller's origin: the session \
        protection rests on that library detail, not on the config, and any proxy or later \
        setting that reflects origins turns it into credentialed access for everyone.",
    breaks: "Front-ends on origins not listed can no longer call Kratos from the browser.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "list the exact https:// origins of your front-ends in \
            `serve.public.cors.allowed_origins` (or disable CORS if the UI shares Kratos's origin)",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2411-L2441",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L520-L527",
        "https://github.com/ory/kratos/blob/v1.3.1/cmd/daemon/serve.go#L108-L115",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CorsDefaultWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_DEFAULT_WILDCARD
    }
    fn fix(&self, cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        // Nothing is listed: which front-ends need access is for the operator to say.
        Ok(FixPlan::Manual(no_origin_left(cx)))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cors_enabled(cx) || !origins(cx).is_empty() {
            return;
        }
        let message = if cx.get(ORIGINS).is_some() {
            format!("`{ORIGINS}` is empty, which rs/cors treats as every origin")
        } else {
            format!("CORS is enabled but `{ORIGINS}` is not set, so it defaults to every origin")
        };
        out.at(ORIGINS, message);
    }
}

/// KH241: `*` in `allowed_origins`.
pub struct CorsWildcardOrigin;

static CORS_WILDCARD_ORIGIN: RuleMeta = RuleMeta {
    id: "KH241",
    name: "cors-wildcard-origin",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "`allowed_origins` contains `*`",
    rationale: "A `*` entry switches origin checking off for every other entry: any website may \
        script the public API from its visitors' browsers and read the answers. Cookies are \
        withheld only because rs/cors answers `*` rather than the caller's origin, a library \
        detail rather than a policy; the listed exact origins no longer restrict anything.",
    breaks: "Front-ends on origins not listed can no longer call Kratos from the browser.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "remove `*` and list the exact https:// origins of your front-ends",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2411-L2441",
        "https://github.com/ory/kratos/blob/v1.3.1/cmd/daemon/serve.go#L108-L115",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CorsWildcardOrigin {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_WILDCARD_ORIGIN
    }
    fn fix(&self, cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(origins_fix(cx))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cors_enabled(cx) {
            return;
        }
        for (path, origin) in origins(cx) {
            if origin == "*" {
                out.at(
                    &path,
                    format!("`{path}` is '*': every origin may call the public API"),
                );
            }
        }
    }
}

/// KH242: a wildcard origin pattern while credentials are allowed.
pub struct CorsWildcardSubdomain;

static CORS_WILDCARD_SUBDOMAIN: RuleMeta = RuleMeta {
    id: "KH242",
    name: "cors-wildcard-subdomain-with-credentials",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "A wildcard origin is allowed to make credentialed requests",
    rationale: "rs/cors echoes an origin that matches a pattern such as `https://*.example.org` \
        back verbatim, and `allow_credentials` defaults to true. Script on any matching \
        origin (a forgotten subdomain taken over, user-hosted content, an XSS on a minor site) \
        then sends the user's session cookie, reads `/sessions/whoami` and the CSRF token of a \
        settings flow, and changes the account. A pattern without a dot after `*` \
        (`https://*example.org`) is a plain suffix match that also accepts domains anyone can \
        register, such as `https://evilexample.org`.",
    breaks: "Front-ends on subdomains not listed can no longer make credentialed calls.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "replace the pattern with the exact https:// origins that need access, or set \
            `serve.public.cors.allow_credentials: false` if no cookie-authenticated calls are made",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2484-L2488",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L520-L527",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CorsWildcardSubdomain {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_WILDCARD_SUBDOMAIN
    }
    fn fix(&self, cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(origins_fix(cx))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cors_enabled(cx) || !credentials_allowed(cx) {
            return;
        }
        for (path, origin) in origins(cx) {
            let Some((prefix, suffix)) = origin.split_once('*') else {
                continue;
            };
            if origin == "*" {
                continue;
            }
            if !suffix.starts_with('.') {
                out.at(
                    &path,
                    format!(
                        "`{path}` matches every origin starting with '{prefix}' and ending with \
                         '{suffix}', including domains anyone can register, with credentials"
                    ),
                )
                .severity(Severity::High);
            } else if loopback_origin(origin) {
                out.at(
                    &path,
                    format!(
                        "`{path}` lets any `*.localhost` page on the visitor's machine make \
                         credentialed requests"
                    ),
                )
                .severity(Severity::Low);
            } else {
                out.at(
                    &path,
                    format!(
                        "`{path}` lets every subdomain matching it make credentialed requests \
                         with the user's session"
                    ),
                );
            }
        }
    }
}

/// KH243: a plain-http origin.
pub struct CorsHttpOrigin;

static CORS_HTTP_ORIGIN: RuleMeta = RuleMeta {
    id: "KH243",
    name: "cors-http-origin",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "`allowed_origins` contains a plain-http origin",
    rationale: "A page served over http can be rewritten by anyone on the network path. Allowed \
        as a CORS origin (with credentials by default), the injected script calls the public API \
        with the user's session and reads the answers, so the http page is as powerful as the \
        real front-end. Loopback origins are development leftovers.",
    breaks: "A front-end still served over http can no longer call Kratos from the browser.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "change the origin to https:// (or remove development origins such as \
            http://localhost)",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2411-L2441",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2484-L2488",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for CorsHttpOrigin {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_HTTP_ORIGIN
    }
    fn fix(&self, cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(origins_fix(cx))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cors_enabled(cx) {
            return;
        }
        for (path, origin) in origins(cx) {
            if !is_plain_http(origin) {
                continue;
            }
            if loopback_origin(origin) {
                out.at(
                    &path,
                    format!("`{path}` is the development origin {origin} in a production config"),
                )
                .severity(Severity::Low);
            } else {
                out.at(&path, format!("`{path}` is the plain-http origin {origin}"));
            }
        }
    }
}

/// KH244: CORS debug logging.
pub struct CorsDebugEnabled;

static CORS_DEBUG_ENABLED: RuleMeta = RuleMeta {
    id: "KH244",
    name: "cors-debug-enabled",
    threat: Threat::ServiceCompromise,
    severity: Severity::Low,
    title: "CORS debug logging is on",
    rationale: "`serve.public.cors.debug` (default false) makes rs/cors log every CORS \
        decision with the request's origin and headers. It adds noise to logs that are already \
        sensitive, and documents to anyone reading them exactly which origins are accepted.",
    breaks: "Nothing: only log output changes.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `serve.public.cors.debug: false`",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2500-L2504",
        "https://github.com/ory/x/blob/v0.0.660/configx/provider.go#L465-L480",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CorsDebugEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_DEBUG_ENABLED
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(&finding.path, Value::Bool(false))]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "serve.public.cors.debug";
        if cors_enabled(cx) && cx.bool(path) == Some(true) {
            out.at(
                path,
                format!("`{path}` is true: every CORS decision is logged"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Deployment;
    use crate::rules::Profile;

    fn fixed(config: &str, profile: Profile) -> Result<Value, String> {
        let d = Deployment::from_texts(vec![("k.yml".into(), "k.yml".into(), config.into())])
            .expect("loads");
        fixed_origins(&Context::new(&d, profile, None))
    }

    const LIST: &str = "serve:\n  public:\n    cors:\n      enabled: true\n      \
        allowed_origins: ['*', http://localhost:3000, http://app.example.com, \
        https://app.example.com, https://*.example.com]\n";

    #[test]
    fn one_list_fixes_every_origin_finding() {
        assert_eq!(
            fixed(LIST, Profile::Production),
            Ok(serde_json::json!(["https://app.example.com"]))
        );
    }

    #[test]
    fn development_keeps_http_origins_that_no_rule_reports_there() {
        assert_eq!(
            fixed(LIST, Profile::Development),
            Ok(serde_json::json!([
                "http://localhost:3000",
                "http://app.example.com",
                "https://app.example.com"
            ]))
        );
    }

    #[test]
    fn patterns_stay_when_credentials_are_off() {
        let config = "serve:\n  public:\n    cors:\n      enabled: true\n      \
            allow_credentials: false\n      allowed_origins: ['*', https://*.example.com]\n";
        assert_eq!(
            fixed(config, Profile::Production),
            Ok(serde_json::json!(["https://*.example.com"]))
        );
    }

    #[test]
    fn nothing_left_is_manual_with_the_ui_origin_as_a_hint() {
        let config = "serve:\n  public:\n    cors:\n      enabled: true\n      \
            allowed_origins: ['*']\nselfservice:\n  flows:\n    login:\n      \
            ui_url: https://app.example.com/login\n    settings:\n      \
            ui_url: https://app.example.com/settings\n";
        let why = fixed(config, Profile::Production).expect_err("manual");
        assert!(why.contains("(the self-service UI is served from https://app.example.com;"));
    }
}
