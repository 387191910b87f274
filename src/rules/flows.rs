//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH140: verification-disabled.
pub struct VerificationDisabled;

static VERIFICATION_DISABLED: RuleMeta = RuleMeta {
    id: "KH140",
    name: "verification-disabled",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "",
    rationale: "",
    breaks: "",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "",
    },
    references: &[],
    versions: Versions::All,
    production_only: false,
};

impl Rule for VerificationDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &VERIFICATION_DISABLED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH141: link-method-legacy.
pub struct LinkMethodLegacy;

static LINK_METHOD_LEGACY: RuleMeta = RuleMeta {
    id: "KH141",
    name: "link-method-legacy",
    threat: Threat::FlowBypass,
    severity: Severity::Low,
    title: "",
    rationale: "",
    breaks: "",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "",
    },
    references: &[],
    versions: Versions::All,
    production_only: false,
};

impl Rule for LinkMethodLegacy {
    fn meta(&self) -> &'static RuleMeta {
        &LINK_METHOD_LEGACY
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH142: legacy-one-step-registration.
pub struct LegacyOneStepRegistration;

static LEGACY_ONE_STEP_REGISTRATION: RuleMeta = RuleMeta {
    id: "KH142",
    name: "legacy-one-step-registration",
    threat: Threat::FlowBypass,
    severity: Severity::Info,
    title: "",
    rationale: "",
    breaks: "",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "",
    },
    references: &[],
    versions: Versions::All,
    production_only: false,
};

impl Rule for LegacyOneStepRegistration {
    fn meta(&self) -> &'static RuleMeta {
        &LEGACY_ONE_STEP_REGISTRATION
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH143: legacy-config-keys.
pub struct LegacyConfigKeys;

static LEGACY_CONFIG_KEYS: RuleMeta = RuleMeta {
    id: "KH143",
    name: "legacy-config-keys",
    threat: Threat::FlowBypass,
    severity: Severity::Medium,
    title: "",
    rationale: "",
    breaks: "",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "",
    },
    references: &[],
    versions: Versions::All,
    production_only: false,
};

impl Rule for LegacyConfigKeys {
    fn meta(&self) -> &'static RuleMeta {
        &LEGACY_CONFIG_KEYS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
