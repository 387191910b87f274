//! Service compromise through CORS on the public API (kratos-hardening.md §1.3): enabled without
//! an origin list (schema default `*`), an explicit `*`, wildcard origins combined with the
//! default `allow_credentials: true`, plain-http origins and CORS debug logging.
//!
//! Matching follows rs/cors as pinned by Kratos: `*` alone allows every origin and is answered
//! with `Access-Control-Allow-Origin: *`; any other entry holding `*` is split into a prefix and
//! a suffix and matches every origin that starts and ends with them, echoed back verbatim.

use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::join;
use crate::kratos::uri::{Uri, is_loopback_host, is_plain_http};

const CONFIG_DOC: &str = "https://www.ory.sh/docs/kratos/reference/configuration";
const ORIGINS: &str = "serve.public.cors.allowed_origins";

/// True when CORS is switched on for the public API (schema default false, S:2406).
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

/// KH240: CORS enabled without `allowed_origins`.
pub struct CorsDefaultWildcard;

static CORS_DEFAULT_WILDCARD: RuleMeta = RuleMeta {
    id: "KH240",
    name: "cors-origins-default-wildcard",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "CORS is enabled without `allowed_origins`, which defaults to every origin",
    rationale: "`serve.public.cors.allowed_origins` defaults to `[\"*\"]` (S:2411) and rs/cors \
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
    references: &[CONFIG_DOC, "kratos-hardening.md §1.3"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CorsDefaultWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_DEFAULT_WILDCARD
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
    references: &[CONFIG_DOC, "kratos-hardening.md §1.3"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CorsWildcardOrigin {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_WILDCARD_ORIGIN
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
        back verbatim, and `allow_credentials` defaults to true (S:2484). Script on any matching \
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
    references: &[CONFIG_DOC, "kratos-hardening.md §1.3"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CorsWildcardSubdomain {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_WILDCARD_SUBDOMAIN
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cors_enabled(cx) || cx.bool("serve.public.cors.allow_credentials") == Some(false) {
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
    references: &[CONFIG_DOC, "kratos-hardening.md §1.3"],
    versions: Versions::All,
    production_only: true,
};

impl Rule for CorsHttpOrigin {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_HTTP_ORIGIN
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
    rationale: "`serve.public.cors.debug` (default false, S:2500) makes rs/cors log every CORS \
        decision with the request's origin and headers. It adds noise to logs that are already \
        sensitive, and documents to anyone reading them exactly which origins are accepted.",
    breaks: "Nothing: only log output changes.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `serve.public.cors.debug: false`",
    },
    references: &[CONFIG_DOC, "kratos-hardening.md §1.3"],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CorsDebugEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_DEBUG_ENABLED
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
