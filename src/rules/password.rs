//! Flow bypass through a weak password policy: the breached-password
//! (Have I Been Pwned) check, its tolerance and failure mode, the minimum length and the
//! password-identifier similarity check. Every rule here is silent when the password method is
//! disabled (`selfservice.methods.password.enabled` defaults to true in the schema).

use serde_json::Value;

use super::support::method_enabled;
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::Node;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};

const POLICY_DOC: &str = "https://www.ory.sh/docs/concepts/password-policy";
const CONFIG_DOC: &str = "https://www.ory.sh/docs/kratos/reference/configuration";

/// A line range of Kratos's password validator at v1.3.1, as a URL.
macro_rules! validator {
    ($lines:literal) => {
        concat!(
            "https://github.com/ory/kratos/blob/v1.3.1/",
            "selfservice/strategy/password/validator.go",
            $lines
        )
    };
}

const HIBP_ENABLED: &str = "selfservice.methods.password.config.haveibeenpwned_enabled";
const MIN_LENGTH: &str = "selfservice.methods.password.config.min_password_length";
const SIMILARITY: &str = "selfservice.methods.password.config.identifier_similarity_check_enabled";
const MAX_BREACHES: &str = "selfservice.methods.password.config.max_breaches";
const IGNORE_ERRORS: &str = "selfservice.methods.password.config.ignore_network_errors";

/// The recommended minimum password length.
const RECOMMENDED_LENGTH: i64 = 12;
/// Kratos's default minimum length (the schema default) and NIST's floor.
const DEFAULT_LENGTH: i64 = 8;

/// The fix of every rule here: one key set to its recommended value.
fn set_to(path: &str, value: Value) -> FixPlan {
    FixPlan::Ops(vec![set(path, value)])
}

/// True when Kratos validates passwords at all.
fn password_enabled(cx: &Context<'_>) -> bool {
    method_enabled(cx, "password")
}

/// True when the breached-password check runs (`haveibeenpwned_enabled` defaults to true).
fn hibp_enabled(cx: &Context<'_>) -> bool {
    cx.bool(HIBP_ENABLED) != Some(false)
}

/// KH130: the Have I Been Pwned check is switched off.
pub struct HibpDisabled;

static HIBP_DISABLED: RuleMeta = RuleMeta {
    id: "KH130",
    name: "breached-password-check-disabled",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "The breached-password check is disabled",
    rationale: "With `haveibeenpwned_enabled: false` Kratos accepts passwords that appear in \
        public breach corpora (`123456`, `Summer2024!`) at registration, password change and \
        recovery. Credential-stuffing and password-spraying attacks try exactly these lists \
        first, so such accounts are taken over without any other weakness. The check sends only \
        the first five characters of the password's SHA-1 hash (k-anonymity range API), never \
        the password.",
    breaks: "Nothing for existing users (passwords are only checked when they are set). Kratos \
        must reach `api.pwnedpasswords.com` (or `haveibeenpwned_host`) over HTTPS; while it \
        cannot, the default `ignore_network_errors: true` lets passwords through.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `selfservice.methods.password.config.haveibeenpwned_enabled: true`",
    },
    references: &[
        POLICY_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1616-L1621",
        validator!("#L124-L139"),
        validator!("#L196-L216"),
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for HibpDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &HIBP_DISABLED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if password_enabled(cx) && !hibp_enabled(cx) {
            let finding = out.at(
                HIBP_ENABLED,
                "`selfservice.methods.password.config.haveibeenpwned_enabled` is false, so \
                 passwords known from public breaches are accepted",
            );
            // Fail-closed already: once enabled, an unreachable HIBP host blocks passwords.
            if cx.bool("selfservice.methods.password.config.ignore_network_errors") == Some(false) {
                finding.applicability(
                    Applicability::Unsafe,
                    Some(
                        "`ignore_network_errors` is false, so while Kratos cannot reach the \
                         breach API, registration, password changes and recovery fail. Make \
                         sure it has egress to the host first.",
                    ),
                );
            }
        }
    }
    fn fix(&self, _cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(set_to(HIBP_ENABLED, Value::Bool(true)))
    }
}

/// KH131: the minimum password length is below the recommendation.
pub struct MinPasswordLengthLow;

static MIN_PASSWORD_LENGTH_LOW: RuleMeta = RuleMeta {
    id: "KH131",
    name: "min-password-length-low",
    threat: Threat::FlowBypass,
    severity: Severity::High,
    title: "The minimum password length is low",
    rationale: "`min_password_length` is the only lower bound Kratos puts on a password's length \
        (default 8, schema minimum 6; counted in bytes; bcrypt, the default hasher, also refuses \
        more than 72 bytes). Passwords of 6 or 7 characters fall to online guessing and, after a \
        database leak, to offline cracking within hours even when hashed; NIST SP 800-63B sets 8 \
        as the absolute floor. 12 or more characters makes guessing impractical; NIST SP 800-63B-4 \
        asks 15 for passwords used as the only factor. Below 8 is reported as high, 8 to 11 \
        (including the default) as low.",
    breaks: "Nothing for existing users: Kratos checks the length only when a password is set \
        (registration, settings, recovery). New passwords must be longer; update any length hint \
        in the UI.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `selfservice.methods.password.config.min_password_length: 12`",
    },
    references: &[
        POLICY_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1636-L1642",
        validator!("#L183-L185"),
        "https://github.com/ory/kratos/blob/v1.3.1/hash/hasher_bcrypt.go#L56-L67",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for MinPasswordLengthLow {
    fn meta(&self) -> &'static RuleMeta {
        &MIN_PASSWORD_LENGTH_LOW
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !password_enabled(cx) {
            return;
        }
        let Some(node) = cx.get(MIN_LENGTH) else {
            out.missing(
                MIN_LENGTH,
                "`selfservice.methods.password.config.min_password_length` is not set, so \
                 Kratos accepts passwords of 8 characters (12 or more is recommended)",
            )
            .severity(Severity::Low);
            return;
        };
        let Some(length) = node.as_i64() else {
            return;
        };
        if length < 6 {
            out.at(
                MIN_LENGTH,
                format!(
                    "`selfservice.methods.password.config.min_password_length` is {length}, below \
                     the schema minimum of 6: Kratos refuses this config"
                ),
            );
        } else if length < DEFAULT_LENGTH {
            out.at(
                MIN_LENGTH,
                format!(
                    "`selfservice.methods.password.config.min_password_length` is {length}: \
                     passwords this short are guessed online and cracked offline quickly"
                ),
            );
        } else if length < RECOMMENDED_LENGTH {
            out.at(
                MIN_LENGTH,
                format!(
                    "`selfservice.methods.password.config.min_password_length` is {length}, below \
                     the recommended {RECOMMENDED_LENGTH}"
                ),
            )
            .severity(Severity::Low);
        }
    }
    fn fix(&self, _cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(set_to(MIN_LENGTH, Value::from(RECOMMENDED_LENGTH)))
    }
}

/// KH132: the password-identifier similarity check is switched off.
pub struct IdentifierSimilarityDisabled;

static IDENTIFIER_SIMILARITY_DISABLED: RuleMeta = RuleMeta {
    id: "KH132",
    name: "identifier-similarity-check-disabled",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "The password-identifier similarity check is disabled",
    rationale: "By default Kratos rejects passwords too similar to the login identifier (for \
        `bob@example.com`, `bob24` is refused). With `identifier_similarity_check_enabled: false` \
        users may pick their user name or e-mail address as password, the first guess of every \
        targeted attack and of sprayers that derive candidates from the identifier.",
    breaks: "Nothing for existing users (checked only when a password is set); new passwords \
        resembling the identifier are refused with a validation message.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `selfservice.methods.password.config.identifier_similarity_check_enabled: \
            true`",
    },
    references: &[
        POLICY_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1643-L1648",
        validator!("#L187-L194"),
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for IdentifierSimilarityDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &IDENTIFIER_SIMILARITY_DISABLED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if password_enabled(cx) && cx.bool(SIMILARITY) == Some(false) {
            out.at(
                SIMILARITY,
                "`selfservice.methods.password.config.identifier_similarity_check_enabled` is \
                 false, so a password may equal the user's identifier",
            );
        }
    }
    fn fix(&self, _cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(set_to(SIMILARITY, Value::Bool(true)))
    }
}

/// KH133: passwords seen in breaches are tolerated.
pub struct MaxBreachesAllowed;

static MAX_BREACHES_ALLOWED: RuleMeta = RuleMeta {
    id: "KH133",
    name: "breached-passwords-allowed",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "Passwords found in breaches are accepted",
    rationale: "`max_breaches` (default 0, at most 100) is how many times a password may \
        appear in the Have I Been Pwned corpus before Kratos rejects it. Any value above 0 admits \
        leaked passwords, and the ones seen a few times are exactly those in attackers' \
        credential-stuffing lists.",
    breaks: "Nothing for existing users (checked only when a password is set); new passwords that \
        appear in a breach are refused.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `selfservice.methods.password.config.max_breaches: 0`",
    },
    references: &[
        POLICY_DOC,
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1622-L1629",
        validator!("#L218-L221"),
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for MaxBreachesAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &MAX_BREACHES_ALLOWED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !password_enabled(cx) {
            return;
        }
        let Some(n) = cx
            .get(MAX_BREACHES)
            .and_then(Node::as_i64)
            .filter(|n| *n > 0)
        else {
            return;
        };
        if hibp_enabled(cx) {
            out.at(
                MAX_BREACHES,
                format!(
                    "`selfservice.methods.password.config.max_breaches` is {n}: passwords seen in \
                     up to {n} breaches are accepted"
                ),
            );
        } else {
            // Not read while the check is off (KH130), but it weakens the check once KH130 is
            // fixed; reported now so that one run of fixes leaves nothing behind.
            out.at(
                MAX_BREACHES,
                format!(
                    "`selfservice.methods.password.config.max_breaches` is {n}: the breach check \
                     is off now, and once enabled it would still accept passwords seen in up to \
                     {n} breaches"
                ),
            )
            .severity(Severity::Low);
        }
    }
    fn fix(&self, _cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(set_to(MAX_BREACHES, Value::from(0)))
    }
}

/// KH134: the breach check lets passwords through when the lookup fails.
pub struct HibpFailOpen;

static HIBP_FAIL_OPEN: RuleMeta = RuleMeta {
    id: "KH134",
    name: "breach-check-fails-open",
    threat: Threat::FlowBypass,
    severity: Severity::Low,
    title: "The breached-password check fails open",
    rationale: "`ignore_network_errors` defaults to true: when Kratos cannot reach the \
        Have I Been Pwned API (egress blocked, DNS or TLS failure, API outage) every password is \
        accepted without a breach check and nothing tells the user or the operator. An attacker \
        who can disturb that outbound connection, or a firewall change nobody noticed, silently \
        disables the protection.",
    breaks: "Registration, password changes and recovery fail while the HIBP host is unreachable. \
        Make sure Kratos has egress to it (or run a self-hosted mirror via `haveibeenpwned_host`) \
        before switching.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `selfservice.methods.password.config.ignore_network_errors: false`",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1630-L1635",
        validator!("#L207-L216"),
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for HibpFailOpen {
    fn meta(&self) -> &'static RuleMeta {
        &HIBP_FAIL_OPEN
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !password_enabled(cx) {
            return;
        }
        let value = match cx.bool(IGNORE_ERRORS) {
            Some(false) => return,
            Some(true) => "is true",
            None => "is not set and defaults to true",
        };
        // While the check is off (KH130) this is latent, but fixing KH130 makes it real, so
        // it is reported now and one run of fixes leaves nothing behind.
        let effect = if hibp_enabled(cx) {
            "so passwords skip the breach check whenever the lookup fails"
        } else {
            "so once the breach check is enabled, passwords skip it whenever the lookup fails"
        };
        out.at(
            IGNORE_ERRORS,
            format!(
                "`selfservice.methods.password.config.ignore_network_errors` {value}, {effect}"
            ),
        );
    }
    fn fix(&self, _cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(set_to(IGNORE_ERRORS, Value::Bool(false)))
    }
}
