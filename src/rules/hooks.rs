//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH110: session-hook-before-verification.
pub struct SessionBeforeVerification;

static SESSION_BEFORE_VERIFICATION: RuleMeta = RuleMeta {
    id: "KH110",
    name: "session-hook-before-verification",
    threat: Threat::FlowBypass,
    severity: Severity::High,
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

impl Rule for SessionBeforeVerification {
    fn meta(&self) -> &'static RuleMeta {
        &SESSION_BEFORE_VERIFICATION
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH111: verified-address-hook-ignored.
pub struct VerifiedAddressHookIgnored;

static VERIFIED_ADDRESS_HOOK_IGNORED: RuleMeta = RuleMeta {
    id: "KH111",
    name: "verified-address-hook-ignored",
    threat: Threat::FlowBypass,
    severity: Severity::High,
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

impl Rule for VerifiedAddressHookIgnored {
    fn meta(&self) -> &'static RuleMeta {
        &VERIFIED_ADDRESS_HOOK_IGNORED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH112: security-hook-response-ignored.
pub struct HookResponseIgnored;

static HOOK_RESPONSE_IGNORED: RuleMeta = RuleMeta {
    id: "KH112",
    name: "security-hook-response-ignored",
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

impl Rule for HookResponseIgnored {
    fn meta(&self) -> &'static RuleMeta {
        &HOOK_RESPONSE_IGNORED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH113: web-hook-can-interrupt-legacy.
pub struct HookCanInterruptLegacy;

static HOOK_CAN_INTERRUPT_LEGACY: RuleMeta = RuleMeta {
    id: "KH113",
    name: "web-hook-can-interrupt-legacy",
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

impl Rule for HookCanInterruptLegacy {
    fn meta(&self) -> &'static RuleMeta {
        &HOOK_CAN_INTERRUPT_LEGACY
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
