//! Flow bypass through redirects: the `return_to` allowlist
//! `selfservice.allowed_return_urls` (missing, wildcards too wide or dropped, third-party and
//! development entries, open path prefixes) and plain-http return URLs, judged the way
//! Kratos's `x/http_secure_redirect.go` and `SelfServiceBrowserAllowedReturnToDomains` in
//! `driver/config/config.go` match them: scheme
//! equal, host equal or `*`-suffix, path a raw string prefix.

use serde_json::Value;

use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::join;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};
use crate::kratos::uri::{Uri, is_loopback_host, is_plain_http, mask_credentials};

const REDIRECT_DOC: &str =
    "https://www.ory.sh/docs/kratos/concepts/browser-redirect-flow-completion";
const LIST: &str = "selfservice.allowed_return_urls";

/// Single-label names that are not public top-level domains (`*.localhost` is fine).
#[rustfmt::skip]
const RESERVED_TLDS: &[&str] = &[
    "localhost", "local", "internal", "test", "example", "invalid", "lan", "home",
];

/// Common multi-label ICANN public suffixes; single labels are handled as TLDs.
const ICANN_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "me.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "com.au", "net.au",
    "org.au", "co.nz", "org.nz", "co.jp", "ne.jp", "or.jp", "com.br", "com.cn", "com.mx", "co.in",
    "co.za", "com.tr", "com.sg", "com.hk", "co.kr", "com.tw", "com.ar", "co.il", "com.pl",
    "com.ua", "co.id", "com.my", "com.ph", "com.vn",
];

/// Shared-hosting suffixes from the private section of the Public Suffix List. Kratos only
/// drops ICANN suffixes, so `*.github.io` stays in the allowlist.
#[rustfmt::skip]
const PRIVATE_SUFFIXES: &[&str] = &[
    "github.io", "gitlab.io", "herokuapp.com", "vercel.app", "netlify.app", "pages.dev",
    "workers.dev", "web.app", "firebaseapp.com", "azurewebsites.net", "azurestaticapps.net",
    "cloudfront.net", "appspot.com", "blogspot.com", "onrender.com", "fly.dev", "ngrok.io",
    "ngrok-free.app", "ngrok.app", "trycloudflare.com", "s3.amazonaws.com", "glitch.me",
    "surge.sh", "repl.co", "replit.app",
];

const EXAMPLE_DOMAIN: &str = "a documentation example domain, copied from test configs";

/// Sites nobody deploying Kratos runs themselves, with why they are there.
const THIRD_PARTY: &[(&str, &str)] = &[
    (
        "ory.sh",
        "Ory's own website, copied from Kratos' test configs",
    ),
    ("example.com", EXAMPLE_DOMAIN),
    ("example.org", EXAMPLE_DOMAIN),
    ("example.net", EXAMPLE_DOMAIN),
    ("github.com", "a public site where anyone can publish pages"),
    ("google.com", "a public site you do not control"),
];

/// Every string entry of `selfservice.allowed_return_urls` with its path.
fn entries<'a>(cx: &Context<'a>) -> Vec<(String, &'a str)> {
    string_items(cx, LIST)
}

/// Every string item of the list at `path`, with its own path.
fn string_items<'a>(cx: &Context<'a>, path: &str) -> Vec<(String, &'a str)> {
    cx.get(path).map_or_else(Vec::new, |list| {
        list.items()
            .iter()
            .enumerate()
            .filter_map(|(i, n)| Some((join(path, &i.to_string()), n.as_str()?)))
            .collect()
    })
}

/// The legacy v0.x allowlist key (KH143 reports the key itself).
const LEGACY_LIST: &str = "selfservice.whitelisted_return_urls";

/// The allowlist entries, then those of the legacy key: an operator who moves the legacy
/// list over (as KH143 asks) gets exactly these entries, so they are judged the same way.
fn judged_entries<'a>(cx: &Context<'a>) -> Vec<(String, &'a str)> {
    let mut all = entries(cx);
    all.extend(string_items(cx, LEGACY_LIST));
    all
}

/// Says, on the findings reported since `start`, which ones sit in the legacy key.
fn mark_legacy(out: &mut Sink<'_>, start: usize) {
    for finding in out.since(start) {
        if finding.path.starts_with(LEGACY_LIST) {
            finding.message.push_str(
                " (in the legacy `selfservice.whitelisted_return_urls`: moved to \
                 `selfservice.allowed_return_urls`, it would allow this)",
            );
            finding
                .fix_summary(
                    "move the list to `selfservice.allowed_return_urls` (KH143) without this \
                     entry, or with the entry corrected",
                )
                .applicability(super::Applicability::Manual, None);
        }
    }
}

/// Whether `suffix` is a public suffix: `Some(true)` for ICANN ones (Kratos drops `*.<it>`),
/// `Some(false)` for shared-hosting ones (Kratos keeps `*.<it>`), `None` for ordinary domains.
fn public_suffix(suffix: &str) -> Option<bool> {
    let suffix = suffix.to_ascii_lowercase();
    if suffix.is_empty() {
        return None;
    }
    if !suffix.contains('.') {
        return (!RESERVED_TLDS.contains(&suffix.as_str())).then_some(true);
    }
    if ICANN_SUFFIXES.contains(&suffix.as_str()) {
        Some(true)
    } else if PRIVATE_SUFFIXES.contains(&suffix.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// The host and whether a port is written, also for scheme-less entries (`*`, `*.com`), which
/// Kratos ignores because they are not URLs.
fn host_of(entry: &str) -> Option<(&str, bool, bool)> {
    match Uri::parse(entry) {
        Some(uri) => Some((uri.host, uri.port.is_some(), true)),
        None if !entry.starts_with('/') => {
            let authority = entry.trim().split('/').next().unwrap_or_default();
            Some((authority, false, false))
        }
        None => None,
    }
}

/// The sentence for a wildcard that covers a public suffix or every host, if it does. Kratos
/// compares the raw host (port included) and looks suffixes up case-sensitively, so a port or
/// upper-case letters keep an entry it would otherwise drop.
fn wide_wildcard(shown: &str, host: &str, port: bool, is_url: bool) -> Option<String> {
    if !host.starts_with('*') {
        return None;
    }
    let subject = format!("`{shown}`");
    let kept = if port {
        Some("the port")
    } else if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Some("its upper-case letters")
    } else {
        None
    };
    if host == "*" {
        return Some(match (is_url, kept) {
            (false, _) => format!(
                "{subject} is not a URL, so Kratos ignores it, but it asks for redirects to any \
                 site"
            ),
            (true, Some(_)) => format!(
                "{subject} matches every host on that port, because Kratos only drops a bare `*` \
                 host: any site is an allowed `return_to`"
            ),
            (true, None) => format!(
                "{subject} allows every host; Kratos drops it with a warning, but the entry asks \
                 for an open redirect"
            ),
        });
    }
    let suffix = host.strip_prefix("*.")?;
    let icann = public_suffix(suffix)?;
    Some(match (is_url, icann, kept) {
        (false, _, _) => format!(
            "{subject} covers every domain under `.{suffix}` and is not a URL, so Kratos ignores \
             it, but it asks for an open redirect"
        ),
        (true, false, _) => format!(
            "{subject} covers `.{suffix}`, a shared hosting suffix that Kratos does not treat as \
             public, so anyone who publishes a site there is an allowed `return_to`"
        ),
        (true, true, Some(reason)) => format!(
            "{subject} covers every domain under the public suffix `.{suffix}`, and Kratos keeps \
             it because of {reason}: any such site is an allowed `return_to`"
        ),
        (true, true, None) => format!(
            "{subject} covers every domain under the public suffix `.{suffix}`; Kratos drops it \
             with a warning, but the entry asks for an open redirect"
        ),
    })
}

/// The KH102 sentence for an entry that allows any host or a whole public suffix, if it does.
fn wide_entry(entry: &str) -> Option<String> {
    let (host, port, is_url) = host_of(entry).filter(|(h, _, _)| h.starts_with('*'))?;
    wide_wildcard(&mask_credentials(entry.trim()), host, port, is_url)
}

/// The text after `*` of a wildcard host without a dot (`*example.com` gives `example.com`).
fn undotted_suffix(entry: &str) -> Option<&str> {
    let uri = Uri::parse(entry)?;
    let rest = uri.host.strip_prefix('*')?;
    (!rest.is_empty() && !rest.starts_with('.')).then_some(rest)
}

/// Why an entry is a target nobody deploying Kratos controls (KH104).
enum ThirdParty<'a> {
    /// An Expo Go development URL (production only), with its host.
    Expo(&'a str),
    /// A public or documentation site, with why it is there.
    Site(&'static str),
}

fn third_party<'a>(cx: &Context<'_>, entry: &'a str) -> Option<ThirdParty<'a>> {
    let uri = Uri::parse(entry)?;
    if (uri.scheme_is("exp") || uri.scheme_is("exps")) && cx.production() {
        return Some(ThirdParty::Expo(uri.host));
    }
    let host = uri.host.trim_start_matches('*').trim_start_matches('.');
    let host = host.to_ascii_lowercase();
    THIRD_PARTY
        .iter()
        .find(|(domain, _)| {
            host.strip_suffix(domain)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
        })
        .map(|(_, why)| ThirdParty::Site(why))
}

/// True for a plain-http URL whose host is loopback (KH105 leaves those to the operator).
fn loopback_http(url: &str) -> bool {
    is_plain_http(url) && Uri::parse(url).is_some_and(|u| is_loopback_host(u.host))
}

/// The `https://` form of a plain-http URL on a real host (KH105's fix).
fn https_form(url: &str) -> Option<String> {
    (is_plain_http(url) && !loopback_http(url)).then(|| format!("https://{}", &url.trim()[7..]))
}

/// The path of an allowlist entry beyond `/`, and whether the entry is relative (KH106).
fn entry_path(entry: &str) -> Option<(&str, bool)> {
    let entry = entry.trim();
    let (path, relative) = match Uri::parse(entry) {
        Some(uri) => (uri.path, false),
        None if entry.starts_with('/') && !entry.starts_with("//") => {
            (entry.split(['?', '#']).next().unwrap_or(entry), true)
        }
        None => return None,
    };
    (path.len() > 1).then_some((path, relative))
}

/// One step of repairing an entry in place: the dot after `*`, then https. A path is left as
/// it is: no spelling of it is a boundary (dot segments), and a trailing `/` added to it would
/// only refuse the `return_to` apps send today.
fn repair_step(cx: &Context<'_>, entry: &str) -> Option<String> {
    if let Some(rest) = undotted_suffix(entry) {
        let host = Uri::parse(entry)?.host;
        let start = entry.find("://")? + 3;
        let star = start + entry[start..].find(host)?;
        return Some(format!(
            "{}*.{rest}{}",
            &entry[..star],
            &entry[star + host.len()..]
        ));
    }
    // KH105 only runs in the production profile.
    https_form(entry).filter(|_| cx.production())
}

/// What the allowlist fix makes of one entry: `None` to remove it, else its new text (the
/// same text when nothing about it can be fixed). Every rule of this file is applied, so the
/// result is never reported again except for what needs the operator (localhost, relative).
fn fixed_entry(cx: &Context<'_>, entry: &str) -> Option<String> {
    let mut current = entry.trim().to_owned();
    // Each step fixes one of three independent defects, so three steps reach the end; inserting
    // the dot can reveal a public suffix (`*com` becomes `*.com`), checked on every round.
    for _ in 0..4 {
        if wide_entry(&current).is_some() || third_party(cx, &current).is_some() {
            return None;
        }
        match repair_step(cx, &current) {
            Some(next) if next != current => current = next,
            _ => break,
        }
    }
    Some(current)
}

/// The operation that fixes one allowlist entry, the finding's own: the entry repaired in
/// place, or removed when nothing about it can be kept. Each finding is its own decision; the
/// editor writes several changes to one list as one rewrite of it. Every rule of this file
/// agrees on an entry (one [`fixed_entry`]), so two findings about it share the operation.
fn allowlist_ops(cx: &Context<'_>, finding: &Finding) -> FixPlan {
    let ops = match cx.str(&finding.path).map(|s| (s, fixed_entry(cx, s))) {
        Some((_, None)) => vec![crate::fix::remove(&finding.path)],
        Some((old, Some(new))) if new != old => vec![set(&finding.path, Value::String(new))],
        _ => Vec::new(),
    };
    ops_or_manual(ops, finding)
}

/// The operations, or the finding's own guidance when there are none.
fn ops_or_manual(ops: Vec<crate::patch::Op>, finding: &Finding) -> FixPlan {
    if ops.is_empty() {
        FixPlan::Manual(
            finding
                .fix
                .as_ref()
                .map_or_else(String::new, |f| f.summary.to_string()),
        )
    } else {
        FixPlan::Ops(ops)
    }
}

/// KH101: no return URL allowlist.
pub struct ReturnUrlsMissing;

static RETURN_URLS_MISSING: RuleMeta = RuleMeta {
    id: "KH101",
    name: "return-urls-missing",
    threat: Threat::FlowBypass,
    severity: Severity::Info,
    title: "`selfservice.allowed_return_urls` is empty or lists nothing safe to keep",
    rationale: "Without an allowlist Kratos accepts no `return_to` outside its own `/self-service` \
        URLs: creating a flow with any other `return_to` answers 400 (the default return URL is \
        not implicitly allowed either), and flows without one end on the default return URL. \
        That is safe, but it is the state in which operators, asked to make `return_to` work, \
        hastily add `*` or a whole domain.",
    breaks: "Nothing: listing your apps only makes more `return_to` values work.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "list the https URLs of your own apps in `selfservice.allowed_return_urls` \
            (each allows its whole host: a path is no boundary)",
    },
    references: &[
        REDIRECT_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/selfservice/flow/login/flow.go#L169-L178",
        "https://github.com/ory/kratos/blob/v1.3.1/x/http_secure_redirect.go#L126-L147",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for ReturnUrlsMissing {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URLS_MISSING
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let listed: Vec<&str> = entries(cx)
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| !e.trim().is_empty())
            .collect();
        // A list of nothing but entries the fixes remove (open redirects) is no allowlist of
        // the operator's apps either: said before the fix, so the emptied list is not new.
        if listed.iter().any(|e| fixed_entry(cx, e).is_some()) {
            return;
        }
        if !listed.is_empty() {
            out.at(
                LIST,
                format!(
                    "`{LIST}` lists no entry that is safe to keep: without its {} open \
                     entr{} Kratos refuses every `return_to` outside its own `/self-service` \
                     URLs",
                    listed.len(),
                    if listed.len() == 1 { "y" } else { "ies" }
                ),
            );
            return;
        }
        let legacy = if cx.get("selfservice.whitelisted_return_urls").is_some() {
            ", and the legacy `selfservice.whitelisted_return_urls` is not read"
        } else {
            ""
        };
        out.at(
            LIST,
            format!(
                "`{LIST}` is empty: Kratos refuses every `return_to` outside its own \
                 `/self-service` URLs{legacy}"
            ),
        );
    }
}

/// KH102: a return URL whose host is `*` or a wildcard over a public suffix.
pub struct ReturnUrlWildcardHost;

static RETURN_URL_WILDCARD_HOST: RuleMeta = RuleMeta {
    id: "KH102",
    name: "return-url-wildcard-host",
    threat: Threat::FlowBypass,
    severity: Severity::High,
    title: "A return URL allows any host or a whole public suffix",
    rationale: "An allowlist entry like `https://*`, `https://*.com` or `https://*.co.uk` makes \
        Kratos an open redirect: an attacker sends a login link with \
        `return_to=https://evil.com/`, the victim signs in on the real site and lands on the \
        attacker's page, which phishes for the password again or catches tokens handed over in \
        the URL. Kratos drops a bare `*` host and `*.<ICANN suffix>` with a warning, but keeps \
        them when a port is written and keeps shared-hosting suffixes such as `*.github.io`, \
        where anyone can publish a site.",
    breaks: "Apps whose URLs were only covered by the wildcard stop receiving `return_to` \
        redirects until their exact hosts are listed.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "replace the entry with the exact https URLs of your own apps",
    },
    references: &[
        REDIRECT_DOC,
        "https://github.com/ory/kratos/issues/943",
        "https://github.com/ory/kratos/blob/v1.3.1/x/http_secure_redirect.go#L72-L77",
        "https://github.com/ory/kratos/blob/v1.3.1/driver/config/config.go#L1008-L1037",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for ReturnUrlWildcardHost {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URL_WILDCARD_HOST
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let start = out.len();
        for (path, entry) in judged_entries(cx) {
            if let Some(sentence) = wide_entry(entry) {
                out.at(&path, format!("`{path}`: {sentence}"));
            }
        }
        mark_legacy(out, start);
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(allowlist_ops(cx, finding))
    }
}

/// KH103: `*example.com`, a suffix wildcard without the dot.
pub struct ReturnUrlSuffixWildcard;

static RETURN_URL_SUFFIX_WILDCARD: RuleMeta = RuleMeta {
    id: "KH103",
    name: "return-url-suffix-wildcard",
    threat: Threat::FlowBypass,
    severity: Severity::High,
    title: "A wildcard return URL host has no dot after `*`",
    rationale: "Kratos matches a wildcard host by stripping the `*` and comparing the rest as a \
        plain string suffix. \
        `https://*example.com` therefore also allows `https://evilexample.com`, a domain anyone \
        can register, which turns the allowlist into an open redirect for an attacker's phishing \
        page.",
    breaks: "`*.example.com` no longer matches the bare `example.com`; list it separately if it \
        is an app.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "insert the dot after `*` (`https://*.example.com`), and list the apex host \
            separately if needed",
    },
    references: &[
        REDIRECT_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/x/http_secure_redirect.go#L72-L77",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for ReturnUrlSuffixWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URL_SUFFIX_WILDCARD
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let start = out.len();
        for (path, entry) in judged_entries(cx) {
            let Some(rest) = undotted_suffix(entry) else {
                continue;
            };
            out.at(
                &path,
                format!(
                    "`{path}` (`{}`) matches any host ending in `{rest}`, such as \
                     `evil{rest}`, because Kratos compares the text after `*` as a plain suffix",
                    mask_credentials(entry.trim())
                ),
            )
            .fix_summary(format!(
                "change the host to `*.{rest}` and list `{rest}` itself if it is an app"
            ));
        }
        mark_legacy(out, start);
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(allowlist_ops(cx, finding))
    }
}

/// KH104: third-party sites and the Expo Go scheme in the allowlist.
pub struct ReturnUrlThirdParty;

static RETURN_URL_THIRD_PARTY: RuleMeta = RuleMeta {
    id: "KH104",
    name: "return-url-third-party",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "A return URL points at a third-party site or the Expo Go development scheme",
    rationale: "Entries copied from Kratos' own test configs (`https://www.ory.sh/`, \
        `https://example.org/`) or public sites let anyone send your users there after they sign \
        in, with your login page vouching for the link. `exp://` URLs are opened by Expo Go, \
        the development client, which loads whatever project the named host serves: in \
        production a login can be handed to a development build or to someone else's project.",
    breaks: "Links that really used these targets (test suites, Expo Go during development) \
        stop being redirected.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "remove the entry; use your app's own https URL or its registered custom scheme",
    },
    references: &[
        REDIRECT_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1174-L1190",
        "https://github.com/ory/kratos/blob/v1.3.1/x/http_secure_redirect.go#L126-L147",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for ReturnUrlThirdParty {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URL_THIRD_PARTY
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let start = out.len();
        for (path, entry) in judged_entries(cx) {
            let shown = mask_credentials(entry.trim());
            match third_party(cx, entry) {
                Some(ThirdParty::Expo(host)) => {
                    out.at(
                        &path,
                        format!(
                            "`{path}` allows `{shown}`, an Expo Go development URL: Expo Go loads \
                             whatever project `{host}` serves, which a production login should \
                             never be handed to"
                        ),
                    );
                }
                Some(ThirdParty::Site(why)) => {
                    out.at(
                        &path,
                        format!(
                            "`{path}` allows `{shown}`, {why}: Kratos redirects signed-in users \
                             there whenever a link asks it to"
                        ),
                    );
                }
                None => {}
            }
        }
        mark_legacy(out, start);
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(allowlist_ops(cx, finding))
    }
}

/// KH105: plain-http return URLs.
pub struct ReturnUrlNotHttps;

static RETURN_URL_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH105",
    name: "return-url-not-https",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "A return URL uses plain http",
    rationale: "After a flow Kratos sends the browser to the return URL; with plain http that \
        request and the app page answering it travel without TLS, so a network attacker reads \
        the URL's parameters, rewrites the page and sends the freshly signed-in user wherever \
        they like. http entries in a production allowlist also admit `return_to` targets that \
        are not protected by TLS. localhost URLs are development leftovers.",
    breaks: "The app must be served over https at that URL before the change.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "change the URL to its `https://` form",
    },
    references: &[
        REDIRECT_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1174-L1190",
        "https://github.com/ory/kratos/blob/v1.3.1/x/http_secure_redirect.go#L126-L147",
    ],
    versions: Versions::All,
    production_only: true,
};

/// Every return URL setting: the default, the allowlist and each flow's and method's `after`.
fn return_urls<'a>(cx: &Context<'a>) -> Vec<(String, &'a str)> {
    let mut urls = Vec::new();
    let default = "selfservice.default_browser_return_url";
    if let Some(url) = cx.str(default) {
        urls.push((default.to_owned(), url));
    }
    urls.extend(judged_entries(cx));
    let Some(flows) = cx.get("selfservice.flows") else {
        return urls;
    };
    for flow in flows.entries() {
        let Some(after) = flow.node.get("after") else {
            continue;
        };
        let base = format!("selfservice.flows.{}.after", flow.key);
        for entry in after.entries() {
            if entry.key == "default_browser_return_url" {
                if let Some(url) = entry.node.as_str() {
                    urls.push((join(&base, &entry.key), url));
                }
            } else if let Some(url) = entry
                .node
                .get("default_browser_return_url")
                .and_then(|n| n.as_str())
            {
                urls.push((
                    format!("{base}.{}.default_browser_return_url", entry.key),
                    url,
                ));
            }
        }
    }
    urls
}

impl Rule for ReturnUrlNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URL_NOT_HTTPS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let start = out.len();
        for (path, url) in return_urls(cx) {
            if !is_plain_http(url) {
                continue;
            }
            let shown = mask_credentials(url.trim());
            let secure = format!("https://{}", &url.trim()[7..]);
            if loopback_http(url) {
                out.at(
                    &path,
                    format!(
                        "`{path}` is `{shown}`, a plain-http localhost URL left from development"
                    ),
                )
                .severity(Severity::Low)
                .fix_summary("replace it with the https URL of the deployed app");
            } else {
                out.at(
                    &path,
                    format!(
                        "`{path}` is `{shown}`: the redirect back to the app travels without \
                         TLS and can be read and rewritten on the network"
                    ),
                )
                .fix_summary(format!("change it to `{}`", mask_credentials(&secure)));
            }
        }
        mark_legacy(out, start);
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        let Some(url) = cx.str(&finding.path) else {
            return Ok(ops_or_manual(Vec::new(), finding));
        };
        if loopback_http(url) {
            return Ok(FixPlan::Manual(format!(
                "`{}` points at this machine; only you know the https URL of the deployed app \
                 that replaces it",
                finding.path
            )));
        }
        if finding.path.starts_with(&format!("{LIST}.")) {
            return Ok(allowlist_ops(cx, finding));
        }
        let ops = https_form(url)
            .map(|secure| set(&finding.path, Value::String(secure)))
            .into_iter()
            .collect();
        Ok(ops_or_manual(ops, finding))
    }
}

/// KH106: an allowlist path that is an open string prefix.
pub struct ReturnUrlPathPrefix;

static RETURN_URL_PATH_PREFIX: RuleMeta = RuleMeta {
    id: "KH106",
    name: "return-url-path-prefix-open",
    threat: Threat::FlowBypass,
    severity: Severity::Low,
    title: "A return URL path restricts nothing on its host",
    rationale: "Kratos compares the path of `return_to` with a raw string prefix and never removes \
        dot segments, so `https://app.example.com/dash/` also admits \
        `https://app.example.com/dash/../upload/evil.html`, which the browser opens as \
        `/upload/evil.html`; without the trailing `/` it admits `/dashboard-evil` as well. An \
        entry with a path allows its whole host: where other teams or users can publish pages \
        under that host, that is an open redirect. A relative entry such as `/dashboard` has no \
        scheme or host, which Kratos compares too: it matches nothing unless \
        `default_browser_return_url` is relative as well.",
    breaks: "Nothing is changed: the path cannot be made a boundary.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "treat the entry as allowing every path on its host: serve pages other people \
            control from a host of their own (appending `/` does not help)",
    },
    references: &[
        REDIRECT_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/x/http_secure_redirect.go#L126-L142",
        "https://github.com/ory/kratos/blob/v26.2.0/x/redir/secure_redirect.go#L137-L141",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for ReturnUrlPathPrefix {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URL_PATH_PREFIX
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let start = out.len();
        for (path, entry) in judged_entries(cx) {
            let Some((url_path, relative)) = entry_path(entry) else {
                continue;
            };
            let shown = mask_credentials(entry.trim());
            if relative {
                out.at(
                    &path,
                    format!(
                        "`{path}` (`{shown}`) is relative: Kratos also compares scheme and host, \
                         so it matches nothing while the default return URL is absolute"
                    ),
                )
                .fix_summary(
                    "write it as the absolute https URL of the app (its path still restricts \
                     nothing on that host)",
                );
            } else if url_path.ends_with(['/', '*']) {
                // A trailing `*` is compared literally: no sibling prefix, only dot segments.
                let up = if url_path.ends_with('/') {
                    "../"
                } else {
                    "/../"
                };
                out.at(
                    &path,
                    format!(
                        "`{path}` (`{shown}`) allows every path on its host: \
                         `{url_path}{up}` reaches any of them"
                    ),
                )
                .severity(Severity::Info);
            } else {
                out.at(
                    &path,
                    format!(
                        "`{path}` (`{shown}`) is matched as a raw prefix, so it admits \
                         `{url_path}-evil`, and through `{url_path}/../` every path on its host"
                    ),
                );
            }
        }
        mark_legacy(out, start);
    }
}
