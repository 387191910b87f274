//! Service compromise through sessions and cookies: long lifespans,
//! `SameSite=None`, long-lived persistent cookies, cookie domains wider than the public host,
//! unbounded session extension and (v26) a disabled `Secure` flag.

use std::time::Duration;

use serde_json::Value;

use super::support::public_url_plain_http;
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::SourceKind;
use crate::config::load;
use crate::config::node::{FileId, Node};
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, remove, set};
use crate::kratos::duration::{human, parse};
use crate::kratos::uri::Uri;

const CONFIG_DOC: &str = "https://www.ory.sh/docs/kratos/reference/configuration";
const DAY: Duration = Duration::from_secs(24 * 3600);
const MONTH: Duration = Duration::from_secs(720 * 3600);

/// Multi-label suffixes under which unrelated parties own sites (a small excerpt of the Public
/// Suffix List: second-level country suffixes and shared hosting domains). Single labels (`com`,
/// `io`) are all treated as public suffixes.
#[rustfmt::skip]
const PUBLIC_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "gov.uk", "com.au", "net.au", "co.jp", "co.nz", "com.br",
    "co.in", "github.io", "gitlab.io", "herokuapp.com", "vercel.app", "netlify.app", "pages.dev",
    "workers.dev", "web.app", "firebaseapp.com", "appspot.com", "azurewebsites.net",
    "cloudfront.net", "onrender.com", "fly.dev", "blogspot.com",
];

/// `session.lifespan` as Kratos reads it (default 24h); `None` when unparsable.
fn lifespan(cx: &Context<'_>) -> Option<Duration> {
    match cx.str("session.lifespan") {
        Some(text) => parse(text),
        None => Some(DAY),
    }
}

/// The cookie-setting keys shared by all cookies and the session cookie's override.
const COOKIE_SCOPES: [(&str, &str); 2] = [
    ("cookies", "Kratos's cookies"),
    ("session.cookie", "the session cookie"),
];

/// What to remove from `file` so that `path` is unset without leaving an empty mapping behind:
/// the key itself, or its highest ancestor that holds nothing else in that file. `None` when
/// that would empty the whole file, or when another config file also sets `path` (removing it
/// here would let that value through).
fn removal_target(cx: &Context<'_>, path: &str, file: FileId) -> Option<String> {
    let mut own = None;
    for (i, source) in cx.deployment.sources.iter().enumerate() {
        if source.kind != SourceKind::Config {
            continue;
        }
        let tree = load::parse(&source.text, &source.display).ok()?;
        if i == usize::from(file) {
            own = Some(tree);
        } else if tree.get(path).is_some() {
            return None;
        }
    }
    let own = own?;
    let segments: Vec<&str> = path.split('.').collect();
    let mut depth = segments.len();
    while depth > 1
        && own
            .get(&segments[..depth - 1].join("."))
            .is_some_and(|p| p.entries().len() == 1)
    {
        depth -= 1;
    }
    if depth == 1 && own.entries().len() <= 1 {
        return None;
    }
    Some(segments[..depth].join("."))
}

/// KH260: a session lifespan above 24h.
pub struct SessionLifespanLong;

static SESSION_LIFESPAN_LONG: RuleMeta = RuleMeta {
    id: "KH260",
    name: "session-lifespan-long",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "`session.lifespan` is longer than 24h",
    rationale: "A session cookie or token stays valid for `session.lifespan` (default \
        24h). A session stolen from a log, a shared computer, malware or an XSS keeps working \
        for that long; at 720h (30 days) a single theft gives a month of access, and users rarely \
        sign out.",
    breaks: "Users sign in more often; sessions already issued keep their old expiry.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `session.lifespan: 24h` (or shorter for sensitive applications)",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2839-L2846",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L999-L1002",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SessionLifespanLong {
    fn meta(&self) -> &'static RuleMeta {
        &SESSION_LIFESPAN_LONG
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(
            &finding.path,
            Value::from(human(DAY)),
        )]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "session.lifespan";
        let Some(span) = lifespan(cx).filter(|d| *d > DAY) else {
            return;
        };
        let days = span.as_secs() / (24 * 3600);
        let about = if days >= 2 {
            format!(" (about {days} days)")
        } else {
            String::new()
        };
        let finding = out.at(
            path,
            format!(
                "`{path}` is {}{about}: a stolen session stays usable that long",
                human(span)
            ),
        );
        if span < MONTH {
            finding.severity(Severity::Low);
        }
    }
}

/// KH261: `SameSite=None`.
pub struct CookieSameSiteNone;

static COOKIE_SAME_SITE_NONE: RuleMeta = RuleMeta {
    id: "KH261",
    name: "cookie-same-site-none",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "Cookies are sent with `SameSite=None`",
    rationale: "With `SameSite=None` browsers attach the session and CSRF cookies to requests \
        started by any other site: embedded frames, cross-site form posts and fetches. Kratos's \
        anti-CSRF token remains, but the SameSite default Lax is its first layer; None also lets \
        third-party pages that frame or fetch your UI act with the user's session (clickjacking, \
        cross-site leaks of the logged-in state). `session.cookie` \
        overrides `cookies` for the session cookie only.",
    breaks: "Flows embedded in a third-party site (iframes) or cross-site POSTs stop carrying the \
        cookies.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set the `same_site` key to `Lax`",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2778-L2784",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2872-L2877",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L1358-L1372",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CookieSameSiteNone {
    fn meta(&self) -> &'static RuleMeta {
        &COOKIE_SAME_SITE_NONE
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(&finding.path, Value::from("Lax"))]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (scope, what) in COOKIE_SCOPES {
            let path = format!("{scope}.same_site");
            // Kratos compares case-sensitively; other spellings fall back to the browser default.
            if cx.str(&path).map(str::trim) == Some("None") {
                out.at(
                    &path,
                    format!("`{path}` is None: browsers attach {what} to cross-site requests"),
                )
                .fix_summary(format!("set `{path}: Lax`"));
            }
        }
    }
}

/// KH262: a persistent session cookie for a lifespan above 24h.
pub struct PersistentCookieLong;

static PERSISTENT_COOKIE_LONG: RuleMeta = RuleMeta {
    id: "KH262",
    name: "persistent-cookie-long-lived",
    threat: Threat::ServiceCompromise,
    severity: Severity::Low,
    title: "The session cookie persists across browser restarts for more than a day",
    rationale: "`session.cookie.persistent` defaults to true: the cookie gets a max-age \
        equal to `session.lifespan` and survives closing the browser. With a long lifespan, \
        anyone using the same device or browser profile later (shared or kiosk computers, a lost \
        laptop) is still signed in as the previous user.",
    breaks: "Users sign in again after every browser restart.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `session.cookie.persistent: false` (or shorten `session.lifespan` to 24h)",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2861-L2866",
        "https://github.com/ory/kratos/blob/v1.3.1/session/manager_http.go#L171-L178",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for PersistentCookieLong {
    fn meta(&self) -> &'static RuleMeta {
        &PERSISTENT_COOKIE_LONG
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(&finding.path, Value::Bool(false))]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "session.cookie.persistent";
        if cx.bool(path) == Some(false) {
            return;
        }
        let Some(span) = lifespan(cx).filter(|d| *d > DAY) else {
            return;
        };
        let how = if cx.get(path).is_some() {
            "is true"
        } else {
            "defaults to true"
        };
        out.at(
            path,
            format!(
                "`{path}` {how}, so the session cookie survives browser restarts for the full {} \
                 lifespan",
                human(span)
            ),
        );
    }
}

/// KH263: a cookie domain wider than the public host.
pub struct CookieDomainBroad;

static COOKIE_DOMAIN_BROAD: RuleMeta = RuleMeta {
    id: "KH263",
    name: "cookie-domain-too-broad",
    threat: Threat::ServiceCompromise,
    severity: Severity::Medium,
    title: "The cookie domain is wider than Kratos's public host",
    rationale: "A cookie `Domain` makes browsers send the session and CSRF cookies to every host \
        under it. Set to a parent of the public host, every sibling subdomain \
        receives live sessions: a taken-over DNS entry, a marketing site or user content there \
        reads and replays them. A public suffix (`com`, `co.uk`, `github.io`) would share them \
        with unrelated sites; browsers refuse such cookies, so sign-in breaks instead.",
    breaks: "Applications on sibling subdomains that read the Kratos session cookie stop \
        receiving it; they must call Kratos on its own host.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "remove the domain (host-only cookie) or set it to the narrowest host every \
            consuming application shares",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2767-L2771",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2850-L2854",
        "https://github.com/ory/kratos/blob/v1.3.1/session/manager_http.go#L148-L150",
        "https://github.com/ory/kratos/blob/v1.3.1/x/nosurf.go#L148-L151",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for CookieDomainBroad {
    fn meta(&self) -> &'static RuleMeta {
        &COOKIE_DOMAIN_BROAD
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let base_host = cx
            .str("serve.public.base_url")
            .and_then(Uri::parse)
            .map(|u| u.host.to_ascii_lowercase());
        for (scope, what) in COOKIE_SCOPES {
            let path = format!("{scope}.domain");
            let Some(written) = cx.str(&path) else {
                continue;
            };
            let domain = written.trim().trim_start_matches('.').to_ascii_lowercase();
            if domain.is_empty() || domain == "localhost" {
                continue;
            }
            if !domain.contains('.') || PUBLIC_SUFFIXES.contains(&domain.as_str()) {
                out.at(
                    &path,
                    format!(
                        "`{path}` is '{domain}', a public suffix: {what} would be shared with \
                         unrelated sites, and browsers refuse them"
                    ),
                );
            } else if let Some(host) = base_host
                .as_deref()
                .filter(|h| h.ends_with(&format!(".{domain}")))
            {
                out.at(
                    &path,
                    format!(
                        "`{path}` is '{domain}', a parent of the public host '{host}': every \
                         sibling subdomain receives {what}"
                    ),
                );
            }
        }
    }
}

/// KH264: no `session.earliest_possible_extend`.
pub struct SessionExtendUnbounded;

static SESSION_EXTEND_UNBOUNDED: RuleMeta = RuleMeta {
    id: "KH264",
    name: "session-extend-unbounded",
    threat: Threat::ServiceCompromise,
    severity: Severity::Low,
    title: "`session.earliest_possible_extend` is not set",
    rationale: "Unset, it defaults to the whole lifespan: a session can be extended at any \
        moment, so every extension request rewrites it in the database and pushes its end \
        further out. Bounding it limits those writes and keeps session ends predictable. The \
        schema says 'We highly recommend setting this value'.",
    breaks: "Extension requests earlier than one hour before expiry leave the session unchanged.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `session.earliest_possible_extend: 1h`",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L1405-L1407",
        "https://github.com/ory/kratos/blob/v1.3.1/session/session.go#L303-L305",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2881-L2887",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for SessionExtendUnbounded {
    fn meta(&self) -> &'static RuleMeta {
        &SESSION_EXTEND_UNBOUNDED
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(&finding.path, Value::from("1h"))]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "session.earliest_possible_extend";
        if cx.str(path).is_none_or(|s| s.trim().is_empty()) {
            out.at(
                path,
                format!("`{path}` is not set, so sessions can be extended at any time"),
            );
        }
    }
}

/// True when Kratos's boolean cast (strconv.ParseBool) reads the value as true.
fn secure_on(node: &Node) -> bool {
    match node.as_str() {
        Some(s) => ["1", "t", "T", "TRUE", "true", "True"].contains(&s.trim()),
        None => node.as_bool() == Some(true) || node.as_i64() == Some(1),
    }
}

/// KH265: the `Secure` cookie flag switched off (v26).
pub struct CookieSecureDisabled;

static COOKIE_SECURE_DISABLED: RuleMeta = RuleMeta {
    id: "KH265",
    name: "cookie-secure-disabled",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "The cookie `Secure` flag is switched off (v26)",
    rationale: "Since the calendar releases two keys override the Secure flag, which otherwise \
        follows `!dev`: `session.cookie.secure` for the session cookie, and `cookies.secure` \
        (a string in the schema) for the CSRF and continuity cookies only. Kratos reads both as \
        booleans, so 'false' and any value that is not a true-ish string drop the flag. Browsers \
        then send the cookie over plain http: anyone on the network path copies a session \
        cookie and takes over the session, or reads the CSRF token and the OIDC flow state.",
    breaks: "Nothing on https; a deployment reached over plain http stops keeping cookies and \
        must move to https.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "remove the key (Secure then follows `!dev`) or set it to the string \"true\"",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v26.2.0/driver/config/config.go#L1375-L1380",
        "https://github.com/ory/kratos/blob/v26.2.0/driver/config/config.go#L1441-L1446",
        "https://github.com/ory/kratos/blob/v26.2.0/driver/registry_default.go#L525",
        "https://github.com/ory/kratos/blob/v26.2.0/driver/registry_default.go#L551",
        "https://github.com/ory/kratos/blob/v26.2.0/x/nosurfx/nosurf.go#L171",
        "https://github.com/ory/kratos/blob/v26.2.0/embedx/config.schema.json#L2777-L2781",
        "https://github.com/ory/kratos/blob/v26.2.0/embedx/config.schema.json#L2883-L2887",
    ],
    versions: Versions::V26Only,
    production_only: false,
};

impl Rule for CookieSecureDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &COOKIE_SECURE_DISABLED
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        // Unset, the flag follows `!dev` (dev mode is KH230's). Where removing cannot unset
        // it cleanly, write the string "true" (a YAML boolean fails the v26 schema, which types
        // the key as a string).
        // The key itself is removed (the patch engine drops parents it leaves empty), so other
        // fixes inside the same parent, such as KH264's, still apply in this run.
        Ok(FixPlan::Ops(vec![
            match removal_target(cx, &finding.path, finding.file) {
                Some(_) => remove(&finding.path),
                None => set(&finding.path, Value::from("true")),
            },
        ]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (scope, _) in COOKIE_SCOPES {
            let what = if scope == "cookies" {
                "the CSRF and continuity cookies (the session cookie follows \
                 `session.cookie.secure`)"
            } else {
                "the session cookie"
            };
            let path = format!("{scope}.secure");
            let Some(node) = cx.get(&path).filter(|n| !n.is_null()) else {
                continue;
            };
            if secure_on(node) {
                continue;
            }
            let finding = out.at(
                &path,
                format!(
                    "`{path}` turns the Secure flag off for {what}, which browsers then send over \
                     plain http"
                ),
            );
            if !cx.production() {
                finding.severity(Severity::Low);
            } else if scope == "cookies" {
                // The session cookie keeps its own flag: the CSRF token and the OIDC flow
                // state are what travel in clear.
                finding.severity(Severity::Medium);
            }
            if public_url_plain_http(cx) {
                finding.applicability(
                    Applicability::Unsafe,
                    Some(
                        "The public URL is plain http: browsers drop Secure cookies there, so \
                         sign-in and every form stop working until Kratos is served over https \
                         (KH233).",
                    ),
                );
            }
        }
    }
}
