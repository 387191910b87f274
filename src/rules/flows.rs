//! Flow bypass through the self-service flow settings:
//! address verification switched off, the legacy `link` strategy for verification and
//! recovery, legacy one-step registration, and pre-v1 keys that Kratos rejects or ignores.

use serde_json::Value;

use super::support::method_enabled;
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::KratosVersion;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, remove, set};
use crate::patch::Op;

const VERIFICATION_DOC: &str =
    "https://www.ory.sh/docs/kratos/self-service/flows/verify-email-account-activation";
const RECOVERY_DOC: &str =
    "https://www.ory.sh/docs/kratos/self-service/flows/account-recovery-password-reset";
const REGISTRATION_DOC: &str =
    "https://www.ory.sh/docs/kratos/self-service/flows/user-registration";
const CONFIG_DOC: &str = "https://www.ory.sh/docs/kratos/reference/configuration";

const VERIFICATION_ENABLED: &str = "selfservice.flows.verification.enabled";
const LINK_ENABLED: &str = "selfservice.methods.link.enabled";
const CODE_ENABLED: &str = "selfservice.methods.code.enabled";
const ONE_STEP: &str = "selfservice.flows.registration.enable_legacy_one_step";

/// True when `selfservice.flows.<flow>.enabled` is true (verification and recovery default to
/// false in the schema).
fn flow_enabled(cx: &Context<'_>, flow: &str) -> bool {
    cx.bool(&format!("selfservice.flows.{flow}.enabled")) == Some(true)
}

/// True when the config names a way to send messages: an SMTP connection URI, or the HTTP
/// delivery strategy with a URL. Without one, enabling verification either fails the schema
/// (whose `oneOf` requires `courier` when exactly one of verification and recovery is on) or
/// mails nothing, and nobody can ever verify.
fn courier_configured(cx: &Context<'_>) -> bool {
    let set = |path: &str| cx.str(path).is_some_and(|s| !s.trim().is_empty());
    set("courier.smtp.connection_uri")
        || (cx.str("courier.delivery_strategy") == Some("http")
            && set("courier.http.request_config.url"))
}

/// `selfservice.flows.<flow>.use: code`, plus enabling the code method when it is switched off
/// (a flow using a disabled strategy fails). Shared so that every fix writes the same values.
fn use_code_ops(cx: &Context<'_>, flow: &str) -> Vec<Op> {
    let mut ops = Vec::new();
    let path = format!("selfservice.flows.{flow}.use");
    if cx.str(&path) != Some("code") {
        ops.push(set(&path, Value::String("code".to_owned())));
    }
    if !method_enabled(cx, "code") {
        ops.push(set(CODE_ENABLED, Value::Bool(true)));
    }
    ops
}

/// Enabling verification with one-time codes (KH140, and KH110 before it adds login hooks), or
/// why only the operator can: without a courier nobody could ever verify.
pub(super) fn verification_ops(cx: &Context<'_>) -> Result<Vec<Op>, String> {
    if !courier_configured(cx) {
        return Err(
            "no courier is configured in these files: Kratos needs one to send \
             verification codes (`courier.smtp.connection_uri`, or `delivery_strategy: http`), \
             and without one nobody can ever verify. Configure it first, or if \
             the environment supplies it (`COURIER_SMTP_CONNECTION_URI`), set \
             `selfservice.flows.verification.enabled: true` and `use: code` by hand"
                .to_owned(),
        );
    }
    let mut ops = vec![set(VERIFICATION_ENABLED, Value::Bool(true))];
    ops.extend(use_code_ops(cx, "verification"));
    Ok(ops)
}

/// KH140: address verification is off.
pub struct VerificationDisabled;

static VERIFICATION_DISABLED: RuleMeta = RuleMeta {
    id: "KH140",
    name: "verification-disabled",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "E-mail/phone verification is disabled",
    rationale: "`selfservice.flows.verification.enabled` defaults to false. Without it no \
        address is ever verified: anyone can register with someone else's e-mail address and use \
        the account as theirs, `require_verified_address` can never be satisfied, and recovery \
        codes and notifications go to addresses nobody proved to own. An attacker pre-registers \
        a victim's address (account pre-hijacking) or poses as a colleague by address.",
    breaks: "Kratos then needs a working `courier` configuration (its schema also demands one \
        unless recovery is enabled too) and sends a verification message after registration; users see a verification step. Nothing blocks unverified \
        users until `require_verified_address` is added to login hooks.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `selfservice.flows.verification.enabled: true` and `use: code` (needs a \
            working `courier`)",
    },
    references: &[
        VERIFICATION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1327-L1332",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L3024-L3069",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for VerificationDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &VERIFICATION_DISABLED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        match cx.bool(VERIFICATION_ENABLED) {
            Some(true) => {}
            Some(false) => {
                out.at(
                    VERIFICATION_ENABLED,
                    "`selfservice.flows.verification.enabled` is false, so no user ever proves \
                     they own their e-mail address or phone number",
                );
            }
            None => {
                out.at(
                    VERIFICATION_ENABLED,
                    "`selfservice.flows.verification.enabled` is not set and defaults to false, so \
                     no user ever proves they own their e-mail address or phone number",
                );
            }
        }
    }
    fn fix(&self, cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(match verification_ops(cx) {
            Ok(ops) => FixPlan::Ops(ops),
            Err(why) => FixPlan::Manual(why),
        })
    }
}

/// KH141: the legacy `link` strategy for verification or recovery.
pub struct LinkMethodLegacy;

static LINK_METHOD_LEGACY: RuleMeta = RuleMeta {
    id: "KH141",
    name: "link-method-legacy",
    threat: Threat::FlowBypass,
    severity: Severity::Low,
    title: "The legacy `link` strategy is used for verification or recovery",
    rationale: "Ory considers magic links legacy and recommends one-time codes. A link is a bearer \
        credential in a URL: a GET on it completes the flow. Mail scanners and link previewers \
        that open it can verify an address the user never confirmed (an attacker registers with \
        a victim's corporate address and the gateway verifies it), or consume a recovery link; \
        links also leak through proxy logs, browser history and Referer headers. With `code`, \
        opening the e-mailed URL only pre-fills the code; the user must still submit it in the \
        flow they started.",
    breaks: "Verification and recovery UIs built for links must show a code form; admin \
        integrations calling `/admin/recovery/link` need `/admin/recovery/code` once the link \
        method is disabled.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set `selfservice.flows.verification.use: code` and \
            `selfservice.flows.recovery.use: code`, then `selfservice.methods.link.enabled: false`",
    },
    references: &[
        VERIFICATION_DOC,
        RECOVERY_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1355-L1360",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1403-L1408",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for LinkMethodLegacy {
    fn meta(&self) -> &'static RuleMeta {
        &LINK_METHOD_LEGACY
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let mut used = false;
        for flow in ["verification", "recovery"] {
            let path = format!("selfservice.flows.{flow}.use");
            // `use` defaults to `code` in the schema; an inactive flow sends nothing.
            if cx.str(&path) == Some("link") && flow_enabled(cx, flow) {
                used = true;
                let code_note = if method_enabled(cx, "code") {
                    ""
                } else {
                    " (enable `selfservice.methods.code` first)"
                };
                out.at(
                    &path,
                    format!(
                        "`{path}` is `link`: the {flow} flow e-mails a URL that completes the flow \
                         when anything opens it"
                    ),
                )
                .fix_summary(format!("set `{path}: code`{code_note}"));
            }
        }
        if cx.bool(LINK_ENABLED) == Some(true) {
            let message = if used {
                "`selfservice.methods.link.enabled` is true, keeping the legacy link strategy \
                 active"
            } else {
                "`selfservice.methods.link.enabled` is true although no flow uses links: it only \
                 keeps link tokens and `/admin/recovery/link` working"
            };
            out.at(LINK_ENABLED, message).fix_summary(
                "set `selfservice.methods.link.enabled: false` once no flow uses `link`",
            );
        }
    }
    fn fix(&self, cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        if finding.path != LINK_ENABLED {
            // `selfservice.flows.<flow>.use`
            let flow = finding
                .path
                .trim_start_matches("selfservice.flows.")
                .trim_end_matches(".use");
            return Ok(FixPlan::Ops(use_code_ops(cx, flow)));
        }
        // Disabling the method breaks every flow still on `link`, including switched-off flows
        // once they are switched on: move them all to codes in the same fix.
        let mut ops = Vec::new();
        for flow in ["verification", "recovery"] {
            if cx.str(&format!("selfservice.flows.{flow}.use")) == Some("link") {
                for op in use_code_ops(cx, flow) {
                    if !ops.contains(&op) {
                        ops.push(op);
                    }
                }
            }
        }
        ops.push(set(LINK_ENABLED, Value::Bool(false)));
        Ok(FixPlan::Ops(ops))
    }
}

/// KH142: legacy one-step registration.
pub struct LegacyOneStepRegistration;

static LEGACY_ONE_STEP_REGISTRATION: RuleMeta = RuleMeta {
    id: "KH142",
    name: "legacy-one-step-registration",
    threat: Threat::FlowBypass,
    severity: Severity::Info,
    title: "Registration uses the legacy one-step flow",
    rationale: "`enable_legacy_one_step: true` reverts to the old registration form that \
        asks for profile traits and credentials at once. It is kept only for compatibility: it \
        is deprecated in favour of `registration.style` in the calendar releases and will \
        be removed, so the flow stays on a code path that gets less attention. No direct \
        weakness.",
    breaks: "The registration UI receives the profile step first and the credential step second; \
        custom UIs written for one step must handle both.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "remove `selfservice.flows.registration.enable_legacy_one_step` (two-step \
            registration is the default)",
    },
    references: &[
        REGISTRATION_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1281-L1286",
        "https://github.com/ory/kratos/blob/v26.2.0/embedx/config.schema.json#L1297-L1310",
        "https://github.com/ory/kratos/blob/v26.2.0/driver/config/config.go#L675-L690",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for LegacyOneStepRegistration {
    fn meta(&self) -> &'static RuleMeta {
        &LEGACY_ONE_STEP_REGISTRATION
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.bool(ONE_STEP) != Some(true) {
            return;
        }
        let finding = out.at(
            ONE_STEP,
            "`selfservice.flows.registration.enable_legacy_one_step` is true, keeping the \
             deprecated one-step registration form",
        );
        if cx.version == KratosVersion::V26 {
            finding.fix_summary(
                "remove `selfservice.flows.registration.enable_legacy_one_step`; use \
                 `selfservice.flows.registration.style: unified` only if the UI needs one step",
            );
        }
    }
    fn fix(&self, _cx: &Context<'_>, _finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![remove(ONE_STEP)]))
    }
}

/// A key from pre-v1 configs: path, where its value belongs now, whether Kratos rejects it
/// (`additionalProperties: false`) or silently ignores it, and whether only v26 lacks it.
struct LegacyKey {
    path: &'static str,
    replacement: &'static str,
    rejected: bool,
    v26_only: bool,
}

const fn legacy(path: &'static str, replacement: &'static str) -> LegacyKey {
    LegacyKey {
        path,
        replacement,
        rejected: true,
        v26_only: false,
    }
}

/// Well-known keys of v0.x configs (and `courier.sms`, removed in v26), each absent from the
/// v1.3.1 schema (and from v26.2.0).
/// The legacy keys' paths (absent from the schema, so no variable sets them).
#[cfg(test)]
pub(crate) fn legacy_paths() -> impl Iterator<Item = &'static str> {
    LEGACY_KEYS.iter().map(|k| k.path)
}

static LEGACY_KEYS: &[LegacyKey] = &[
    legacy(
        "selfservice.whitelisted_return_urls",
        "`selfservice.allowed_return_urls`",
    ),
    legacy(
        "identity.default_schema_url",
        "`identity.schemas` (with an `id`) and `identity.default_schema_id`",
    ),
    legacy(
        "identity.traits",
        "`identity.schemas` and `identity.default_schema_id`",
    ),
    legacy("selfservice.strategies", "`selfservice.methods`"),
    legacy("selfservice.login", "`selfservice.flows.login`"),
    legacy(
        "selfservice.registration",
        "`selfservice.flows.registration`",
    ),
    legacy("selfservice.settings", "`selfservice.flows.settings`"),
    legacy("selfservice.verify", "`selfservice.flows.verification`"),
    legacy(
        "selfservice.verification",
        "`selfservice.flows.verification`",
    ),
    legacy("selfservice.recovery", "`selfservice.flows.recovery`"),
    legacy("selfservice.logout", "`selfservice.flows.logout`"),
    legacy("selfservice.error", "`selfservice.flows.error`"),
    legacy(
        "urls",
        "`serve.public.base_url`, `selfservice.flows.*.ui_url`, \
         `selfservice.default_browser_return_url` and `selfservice.allowed_return_urls`",
    ),
    legacy("secrets.session", "`secrets.cookie`"),
    LegacyKey {
        path: "security.session",
        replacement: "`session.cookie`",
        rejected: false,
        v26_only: false,
    },
    LegacyKey {
        path: "courier.sms",
        replacement: "`courier.channels` (an `id: sms` HTTP channel)",
        rejected: true,
        v26_only: true,
    },
];

/// KH143: keys from pre-v1 configs (and v1 keys removed in v26).
pub struct LegacyConfigKeys;

static LEGACY_CONFIG_KEYS: RuleMeta = RuleMeta {
    id: "KH143",
    name: "legacy-config-keys",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "The config uses keys that current Kratos no longer knows",
    rationale: "Keys such as `selfservice.whitelisted_return_urls` and \
        `identity.default_schema_url` were renamed before v1. The v1 schema forbids unknown keys \
        (`additionalProperties: false`), so Kratos refuses to start; the usual quick fix is \
        deleting them, which silently drops the return-URL allowlist or the identity schema they \
        carried. Where a section allows unknown keys the old setting is ignored instead, so the \
        protection it was meant to give is not in effect. Such configs also descend from v0.x \
        examples whose other values are development defaults. `courier.sms` is the same case for \
        v26, which replaced it with `courier.channels`.",
    breaks: "Nothing: a rejected key already stops Kratos from starting; moving the value keeps \
        its meaning.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "move each value to its v1 key (`selfservice.allowed_return_urls`, \
            `identity.schemas` + `identity.default_schema_id`, `selfservice.methods`, \
            `selfservice.flows.*`, `secrets.cookie`) and delete the legacy key",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1166-L1168",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L3102",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for LegacyConfigKeys {
    fn meta(&self) -> &'static RuleMeta {
        &LEGACY_CONFIG_KEYS
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for key in LEGACY_KEYS {
            if key.v26_only && cx.version != KratosVersion::V26 {
                continue;
            }
            if cx.get(key.path).is_none() {
                continue;
            }
            let effect = if key.rejected {
                "Kratos refuses to start with it"
            } else {
                "Kratos ignores it"
            };
            out.at(
                key.path,
                format!(
                    "`{}` is a legacy key ({effect}); its value belongs in {}",
                    key.path, key.replacement
                ),
            )
            .fix_summary(format!(
                "move the value of `{}` to {} and delete the legacy key",
                key.path, key.replacement
            ));
        }
    }
}
