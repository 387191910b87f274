//! The rule catalog: what a rule is, the context it reads, and the one static list of rules.
//!
//! A rule is a unit struct implementing [`Rule`]; its metadata is a `static` [`RuleMeta`]. The
//! catalog [`RULES`] is in wizard order (threat by threat). Ids are stable: `KH1xx` flow
//! bypass, `KH2xx` service compromise, `KH3xx` denial of service, `KH4xx` weak credentials of
//! connected services. Rule files live in `rules/`, one per area; each rule's positive and
//! negative fixtures are in `tests/rules/<ID>.yml`.

mod compose;
mod cors;
mod courier;
mod crypto;
mod database;
mod dos;
pub(crate) mod flows;
mod helm;
mod hooks;
mod identity;
mod logging;
mod mfa;
mod password;
mod redirects;
pub mod rotation;
mod secrets;
mod serve;
mod session;
mod support;
mod webhooks;

use serde::Serialize;

use crate::config::node::{Node, Pos, join};
use crate::config::{Deployment, IdentitySchema, KratosVersion};
use crate::finding::{Finding, Fix};
use crate::fix::{FixEnv, FixPlan, FixResult};

/// The four threats kratos-harden defends against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Threat {
    /// Flow-configuration bypass: open redirects, unverified logins, MFA not enforced.
    FlowBypass,
    /// Compromise of Kratos itself: secrets, crypto, dev mode, exposed admin API.
    ServiceCompromise,
    /// Denial of service on the public API.
    Dos,
    /// Weak credentials of connected services (database, SMTP, hooks, OIDC).
    WeakCredentials,
}

impl Threat {
    /// All threats in wizard order.
    pub const ALL: [Threat; 4] = [
        Threat::FlowBypass,
        Threat::ServiceCompromise,
        Threat::Dos,
        Threat::WeakCredentials,
    ];

    /// The kebab-case name used in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Threat::FlowBypass => "flow-bypass",
            Threat::ServiceCompromise => "service-compromise",
            Threat::Dos => "dos",
            Threat::WeakCredentials => "weak-credentials",
        }
    }

    /// A heading for reports.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Threat::FlowBypass => "Flow-configuration bypass",
            Threat::ServiceCompromise => "Service compromise",
            Threat::Dos => "Denial of service on the public API",
            Threat::WeakCredentials => "Weak credentials of connected services",
        }
    }
}

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Worth knowing; no direct risk.
    Info,
    /// Defence in depth.
    Low,
    /// A real weakness that needs another mistake to exploit.
    Medium,
    /// Exploitable or a direct loss of a security property.
    High,
    /// Exploitable by anyone who has read the Kratos docs.
    Critical,
}

impl Severity {
    /// The lower-case name used in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// Whether a fix may be applied without asking (ruff's model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Applying it keeps the deployment working.
    Safe,
    /// It changes behaviour users may notice (sign-outs, blocked front-ends): needs consent.
    Unsafe,
    /// Only the operator can do it (rotate a database password, add a proxy): guidance only.
    Manual,
}

impl Applicability {
    /// The lower-case name used in output.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::Manual => "manual",
        }
    }
}

/// Which deployment profile the audit judges against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Internet-facing production: https everywhere, real database.
    #[default]
    Production,
    /// Local development: http/localhost URLs and in-memory databases are allowed.
    Development,
}

/// Which Kratos releases a rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Versions {
    /// Every release.
    All,
    /// v1.x only (a key removed or changed later).
    V1Only,
    /// v25/v26 and later only (a key added in the calendar releases).
    V26Only,
}

/// What a fix would set, as the catalog states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FixMeta {
    /// `safe`, `unsafe` or `manual`.
    pub applicability: Applicability,
    /// What the fix sets.
    pub summary: &'static str,
}

/// Everything a rule says about itself.
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    /// Stable id, e.g. `KH205`.
    pub id: &'static str,
    /// Kebab-case name of the bad pattern, e.g. `secret-placeholder`.
    pub name: &'static str,
    /// The threat it belongs to.
    pub threat: Threat,
    /// Default severity (a rule may report a lower band for milder cases).
    pub severity: Severity,
    /// One-line title.
    pub title: &'static str,
    /// Why it matters and what an attacker does.
    pub rationale: &'static str,
    /// What may break when it is fixed.
    pub breaks: &'static str,
    /// What the fix would set.
    pub fix: FixMeta,
    /// Ory documentation URLs and/or the Kratos behaviour it rests on.
    pub references: &'static [&'static str],
    /// Releases it applies to.
    pub versions: Versions,
    /// True when the development profile skips it (http URLs, in-memory DSN, log level…).
    pub production_only: bool,
}

/// A rule: metadata plus a check over the loaded deployment.
pub trait Rule: Sync {
    /// The rule's catalog entry.
    fn meta(&self) -> &'static RuleMeta;
    /// Reports every match through `out`.
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>);

    /// The operations that fix `finding`. The default leaves it to the operator with the
    /// catalog's guidance; rules with `safe`/`unsafe` fixes override it.
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Manual(
            finding
                .fix
                .as_ref()
                .map_or_else(String::new, |f| f.summary.to_string()),
        ))
    }
}

/// What the rules read: the merged config, the profile and the version.
pub struct Context<'a> {
    /// The loaded deployment (sources, identity schemas).
    pub deployment: &'a Deployment,
    /// The effective configuration.
    pub root: &'a Node,
    /// The profile audited against.
    pub profile: Profile,
    /// The Kratos version the rules assume.
    pub version: KratosVersion,
    /// Views several rules read, computed once per context.
    views: Views<'a>,
}

/// Lists of config nodes that several rules walk (`support::hook_lists`, `support::web_hooks`):
/// built once with the context (every audit reads them) and shared.
#[derive(Default)]
struct Views<'a> {
    hook_lists: Vec<(String, &'a Node)>,
    web_hooks: Vec<(String, &'a Node)>,
}

impl<'a> Context<'a> {
    /// A context over a deployment; the version is `version`, else the config's, else v1.
    #[must_use]
    pub fn new(
        deployment: &'a Deployment,
        profile: Profile,
        version: Option<KratosVersion>,
    ) -> Self {
        let mut cx = Self {
            deployment,
            root: &deployment.root,
            profile,
            version: version
                .or(deployment.declared_version)
                .unwrap_or(KratosVersion::V1),
            views: Views::default(),
        };
        cx.views.hook_lists = support::collect_hook_lists(&cx);
        cx.views.web_hooks = support::collect_web_hooks(&cx);
        cx
    }

    /// Every hook list under `selfservice.flows` (see `support::hook_lists`).
    pub(crate) fn hook_lists(&self) -> &[(String, &'a Node)] {
        &self.views.hook_lists
    }

    /// Every `web_hook` configuration (see `support::web_hooks`).
    pub(crate) fn web_hooks(&self) -> &[(String, &'a Node)] {
        &self.views.web_hooks
    }

    /// The node at a dotted path.
    #[must_use]
    pub fn get(&self, path: &str) -> Option<&'a Node> {
        #[cfg(test)]
        reads::record(path);
        self.root.get(path)
    }

    /// The string at a path.
    #[must_use]
    pub fn str(&self, path: &str) -> Option<&'a str> {
        self.get(path).and_then(Node::as_str)
    }

    /// The boolean at a path.
    #[must_use]
    pub fn bool(&self, path: &str) -> Option<bool> {
        self.get(path).and_then(Node::as_bool)
    }

    /// True in the production profile.
    #[must_use]
    pub fn production(&self) -> bool {
        self.profile == Profile::Production
    }

    /// True when `dev: true` is set in the config.
    #[must_use]
    pub fn dev_mode(&self) -> bool {
        self.bool("dev") == Some(true)
    }

    /// The identity schemas named by the config.
    #[must_use]
    pub fn schemas(&self) -> &'a [IdentitySchema] {
        &self.deployment.schemas
    }
}

/// The paths rules read through [`Context::get`], recorded in tests so that the environment
/// table can be checked to cover every one of them.
#[cfg(test)]
pub(crate) mod reads {
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    thread_local! {
        static READ: RefCell<Option<BTreeSet<String>>> = const { RefCell::new(None) };
    }

    /// Notes `path` when recording is on.
    pub fn record(path: &str) {
        READ.with(|r| {
            if let Some(set) = r.borrow_mut().as_mut() {
                set.insert(path.to_owned());
            }
        });
    }

    /// Runs `f` and returns the paths read meanwhile on this thread.
    pub fn during(f: impl FnOnce()) -> BTreeSet<String> {
        READ.with(|r| *r.borrow_mut() = Some(BTreeSet::new()));
        f();
        READ.with(|r| r.borrow_mut().take().unwrap_or_default())
    }
}

/// Collects one rule's findings, filling in positions from the config.
pub struct Sink<'a> {
    cx: &'a Context<'a>,
    rule: &'static RuleMeta,
    out: &'a mut Vec<Finding>,
}

impl<'a> Sink<'a> {
    /// A sink for `rule` writing into `out`.
    pub fn new(cx: &'a Context<'a>, rule: &'static RuleMeta, out: &'a mut Vec<Finding>) -> Self {
        Self { cx, rule, out }
    }

    /// Reports the value at `path`; a missing path is reported as missing.
    pub fn at(&mut self, path: &str, message: impl Into<String>) -> &mut Finding {
        match key_pos(self.cx.root, path) {
            Some(pos) => self.push(path.to_owned(), Some(pos), message.into()),
            None => self.missing(path, message),
        }
    }

    /// Reports a key that should exist, in the file holding its nearest existing parent.
    pub fn missing(&mut self, path: &str, message: impl Into<String>) -> &mut Finding {
        let mut file = 0;
        let mut prefix = String::new();
        for segment in path.split('.') {
            prefix = join(&prefix, segment);
            match self.cx.root.get(&prefix) {
                Some(node) => file = node.pos.file,
                None => break,
            }
        }
        let finding = self.push(path.to_owned(), None, message.into());
        finding.file = file;
        finding
    }

    /// Reports a place outside the config (a compose file's `ports:` entry), at `pos`.
    pub fn placed(&mut self, path: &str, pos: Pos, message: impl Into<String>) -> &mut Finding {
        self.push(path.to_owned(), Some(pos), message.into())
    }

    /// Reports a place inside an identity schema (`path` is the path in the schema).
    pub fn in_schema(
        &mut self,
        schema_root: &Node,
        path: &str,
        message: impl Into<String>,
    ) -> &mut Finding {
        let pos = key_pos(schema_root, path).unwrap_or(schema_root.pos);
        self.push(path.to_owned(), Some(pos), message.into())
    }

    /// How many findings the output holds (to revisit this rule's later ones with `since`).
    #[must_use]
    pub fn len(&self) -> usize {
        self.out.len()
    }

    /// True when nothing was reported yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The findings reported after `len()` returned `start`.
    pub fn since(&mut self, start: usize) -> &mut [Finding] {
        let start = start.min(self.out.len());
        &mut self.out[start..]
    }

    fn push(&mut self, path: String, pos: Option<Pos>, message: String) -> &mut Finding {
        let rule = self.rule;
        let index = self.out.len();
        self.out.push(Finding {
            rule,
            severity: rule.severity,
            path,
            file: pos.map_or(0, |p| p.file),
            pos,
            message,
            fix: Some(Fix {
                applicability: rule.fix.applicability,
                summary: std::borrow::Cow::Borrowed(rule.fix.summary),
                breaks: None,
            }),
            suppressed: None,
        });
        &mut self.out[index]
    }
}

impl Finding {
    /// Lowers (or raises) this finding's severity band.
    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }

    /// Replaces the fix summary with a finding-specific one.
    pub fn fix_summary(&mut self, summary: impl Into<std::borrow::Cow<'static, str>>) -> &mut Self {
        if let Some(fix) = &mut self.fix {
            fix.summary = summary.into();
        }
        self
    }

    /// Grades this finding's fix for this deployment; `breaks` names what may stop working
    /// (`None` keeps the rule's text). The catalog's class is only the usual case.
    pub fn applicability(
        &mut self,
        applicability: Applicability,
        breaks: Option<&'static str>,
    ) -> &mut Self {
        if let Some(fix) = &mut self.fix {
            fix.applicability = applicability;
            if let Some(breaks) = breaks {
                fix.breaks = Some(std::borrow::Cow::Borrowed(breaks));
            }
        }
        self
    }

    /// Marks this finding as having nothing to change in the config.
    pub fn no_fix(&mut self) -> &mut Self {
        self.fix = None;
        self
    }
}

/// The position of a path: the key's position for mapping entries, the item's for list items.
fn key_pos(root: &Node, path: &str) -> Option<Pos> {
    let (parent, last) = match path.rsplit_once('.') {
        Some((parent, last)) => (root.get(parent)?, last),
        None => (root, path),
    };
    match parent.entry(last) {
        Some(entry) => Some(entry.key_pos),
        None => parent.child(last).map(|n| n.pos),
    }
}

/// The catalog, in wizard order.
pub static RULES: &[&dyn Rule] = &[
    // Flow-configuration bypass
    &redirects::ReturnUrlsMissing,
    &redirects::ReturnUrlWildcardHost,
    &redirects::ReturnUrlSuffixWildcard,
    &redirects::ReturnUrlThirdParty,
    &redirects::ReturnUrlNotHttps,
    &redirects::ReturnUrlPathPrefix,
    &hooks::SessionBeforeVerification,
    &hooks::VerifiedAddressHookIgnored,
    &hooks::HookResponseIgnored,
    &hooks::HookCanInterruptLegacy,
    &mfa::WhoamiAalNotHighest,
    &mfa::SettingsAalNotHighest,
    &mfa::PrivilegedSessionLong,
    &mfa::WebauthnOriginNotHttps,
    &password::HibpDisabled,
    &password::MinPasswordLengthLow,
    &password::IdentifierSimilarityDisabled,
    &password::MaxBreachesAllowed,
    &password::HibpFailOpen,
    &flows::VerificationDisabled,
    &flows::LinkMethodLegacy,
    &flows::LegacyOneStepRegistration,
    &flows::LegacyConfigKeys,
    &identity::IdentitySchemaRemote,
    &identity::IdentitySchemaUnreadable,
    &identity::AuthorizationInTraits,
    &identity::TraitsAllowAdditional,
    &identity::TraitWithoutMaxLength,
    &identity::IdentifierWithoutFormat,
    &identity::NoVerifiableAddress,
    // Service compromise
    &secrets::SecretDefaultMissing,
    &secrets::SecretCookieMissing,
    &secrets::SecretCipherMissing,
    &secrets::SecretPaginationMissing,
    &secrets::SecretPlaceholder,
    &secrets::SecretTooShort,
    &secrets::SecretLowVariety,
    &secrets::CipherSecretWrongLength,
    &secrets::ContinuityKeyPairInvalid,
    &helm::HelmSecretsRegenerated,
    &secrets::SecretReused,
    &secrets::SecretInline,
    &secrets::EnvReferenceLiteral,
    &crypto::CipherNoop,
    &crypto::Argon2ParamsIgnored,
    &crypto::BcryptCostLow,
    &crypto::Argon2Weak,
    &serve::DevModeEnabled,
    &serve::AdminApiExposed,
    &compose::AdminPortPublished,
    &compose::ComposeSecretsInline,
    &compose::ImageNotPinned,
    &serve::PublicBaseUrlMissing,
    &serve::PublicBaseUrlNotHttps,
    &serve::UiUrlNotHttps,
    &serve::TlsNotConfigured,
    &cors::CorsDefaultWildcard,
    &cors::CorsWildcardOrigin,
    &cors::CorsWildcardSubdomain,
    &cors::CorsHttpOrigin,
    &cors::CorsDebugEnabled,
    &logging::LeakSensitiveValues,
    &logging::LogLevelVerbose,
    &session::SessionLifespanLong,
    &session::CookieSameSiteNone,
    &session::PersistentCookieLong,
    &session::CookieDomainBroad,
    &session::SessionExtendUnbounded,
    &session::CookieSecureDisabled,
    // Denial of service
    &dos::NoRateLimiting,
    &dos::FlowLifespanLong,
    &dos::CleanupUnscheduled,
    &dos::NotifyUnknownRecipients,
    &dos::CodeMaxSubmissionsHigh,
    // Weak credentials of connected services
    &database::DsnInMemory,
    &database::DsnWeakPassword,
    &database::DsnSuperuser,
    &database::DsnTlsUnverified,
    &database::DsnInlineCredentials,
    &courier::SmtpStarttlsDisabled,
    &courier::SmtpSkipSslVerify,
    &courier::SmtpWeakCredentials,
    &courier::SmtpInlineCredentials,
    &courier::CourierHttpInsecure,
    &courier::CourierHttpNoAuth,
    &webhooks::WebhookNotHttps,
    &webhooks::WebhookWithoutAuth,
    &webhooks::WebhookWeakAuth,
    &webhooks::OidcClientSecretInline,
    &webhooks::OidcClientSecretWeak,
    &webhooks::OidcEndpointNotHttps,
    &webhooks::OidcPkceDisabled,
    &webhooks::PrivateIpRangesAllowed,
    &webhooks::HydraAdminNotHttps,
];

/// Looks a rule up by id (`KH205`) or name (`secret-placeholder`), case-insensitively.
#[must_use]
pub fn find(id_or_name: &str) -> Option<&'static RuleMeta> {
    RULES
        .iter()
        .map(|r| r.meta())
        .find(|m| m.id.eq_ignore_ascii_case(id_or_name) || m.name.eq_ignore_ascii_case(id_or_name))
}

/// True when a rule runs for this profile and version.
#[must_use]
pub fn applies(meta: &RuleMeta, cx: &Context<'_>) -> bool {
    let version_ok = match meta.versions {
        Versions::All => true,
        Versions::V1Only => cx.version == KratosVersion::V1,
        Versions::V26Only => cx.version == KratosVersion::V26,
    };
    version_ok && (!meta.production_only || cx.production())
}

/// Runs every applicable rule. Findings come out in wizard order: threat, then severity
/// (worst first), then rule id, then file and position.
#[must_use]
pub fn check_all(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in RULES {
        let meta = rule.meta();
        if applies(meta, cx) {
            rule.check(cx, &mut Sink::new(cx, meta, &mut findings));
        }
    }
    findings.sort_by(|a, b| {
        (
            a.rule.threat,
            std::cmp::Reverse(a.severity),
            a.rule.id,
            a.file,
            a.pos,
        )
            .cmp(&(
                b.rule.threat,
                std::cmp::Reverse(b.severity),
                b.rule.id,
                b.file,
                b.pos,
            ))
    });
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_ids_and_names_are_unique_and_well_formed() {
        let mut ids = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for rule in RULES {
            let m = rule.meta();
            assert!(ids.insert(m.id), "duplicate id {}", m.id);
            assert!(names.insert(m.name), "duplicate name {}", m.name);
            assert!(
                m.id.len() == 5
                    && m.id.starts_with("KH")
                    && m.id[2..].chars().all(|c| c.is_ascii_digit()),
                "id {} is not KHnnn",
                m.id
            );
            let expected = match m.threat {
                Threat::FlowBypass => '1',
                Threat::ServiceCompromise => '2',
                Threat::Dos => '3',
                Threat::WeakCredentials => '4',
            };
            assert_eq!(
                m.id.as_bytes()[2] as char,
                expected,
                "{} is numbered outside its threat",
                m.id
            );
            assert!(
                m.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{} is not kebab-case",
                m.name
            );
        }
    }

    #[test]
    fn every_rule_documents_itself() {
        let mut problems = Vec::new();
        for rule in RULES {
            let m = rule.meta();
            for (field, text) in [
                ("title", m.title),
                ("rationale", m.rationale),
                ("breaks", m.breaks),
                ("fix summary", m.fix.summary),
            ] {
                assert!(!text.trim().is_empty(), "{} has no {field}", m.id);
            }
            assert!(
                m.rationale.len() > 80,
                "{}: the rationale must say why it matters",
                m.id
            );
            if m.references.is_empty() {
                problems.push(format!("{} cites no source", m.id));
            }
            for r in m.references {
                if !r.starts_with("https://") || r.contains(' ') {
                    problems.push(format!(
                        "{}: reference {r:?} is not a URL users can open",
                        m.id
                    ));
                }
                // Source links pin a release, never a moving branch.
                if let Some(rest) = r.strip_prefix("https://github.com/ory/kratos/blob/")
                    && !(rest.starts_with("v1.3.1/") || rest.starts_with("v26.2.0/"))
                {
                    problems.push(format!("{}: {r} is not at a release tag", m.id));
                }
            }
            // Every claim about Kratos rests on its source (code or schema) at a tag.
            if !m.references.iter().any(|r| {
                r.starts_with("https://github.com/ory/")
                    && (r.contains("/blob/") || r.contains("/tree/"))
            }) {
                problems.push(format!(
                    "{}: cites no Kratos source or schema at a tag",
                    m.id
                ));
            }
            // A rule of the calendar releases cites their source, never v1's.
            if m.versions == Versions::V26Only
                && !m.references.iter().any(|r| r.contains("/blob/v26.2.0/"))
            {
                problems.push(format!("{}: a v26 rule must cite the v26.2.0 source", m.id));
            }
            for text in [m.title, m.rationale, m.breaks, m.fix.summary] {
                if private_citation(text) {
                    problems.push(format!(
                        "{}: {text:?} cites a file users do not have (K:, S:, X:, kratos-hardening.md)",
                        m.id
                    ));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// The shorthand of the team's notes (`K:file`, `S:2366`, `S26:…`, `X:…`, `§1.2`), which
    /// users cannot follow.
    fn private_citation(text: &str) -> bool {
        text.contains("kratos-hardening")
            || text.contains('§')
            || ["K:", "S:", "S26:", "X:"].iter().any(|tag| {
                text.match_indices(tag).any(|(i, _)| {
                    let before = text[..i].chars().next_back();
                    let after = text[i + tag.len()..].chars().next();
                    !before.is_some_and(|c| c.is_ascii_alphanumeric())
                        && after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '#')
                })
            })
    }

    #[test]
    fn catalog_is_in_wizard_order() {
        let threats: Vec<Threat> = RULES.iter().map(|r| r.meta().threat).collect();
        let mut sorted = threats.clone();
        sorted.sort();
        assert_eq!(threats, sorted, "rules are listed threat by threat");
    }
}
