//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH130: breached-password-check-disabled.
pub struct HibpDisabled;

static HIBP_DISABLED: RuleMeta = RuleMeta {
    id: "KH130",
    name: "breached-password-check-disabled",
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

impl Rule for HibpDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &HIBP_DISABLED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH131: min-password-length-low.
pub struct MinPasswordLengthLow;

static MIN_PASSWORD_LENGTH_LOW: RuleMeta = RuleMeta {
    id: "KH131",
    name: "min-password-length-low",
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

impl Rule for MinPasswordLengthLow {
    fn meta(&self) -> &'static RuleMeta {
        &MIN_PASSWORD_LENGTH_LOW
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH132: identifier-similarity-check-disabled.
pub struct IdentifierSimilarityDisabled;

static IDENTIFIER_SIMILARITY_DISABLED: RuleMeta = RuleMeta {
    id: "KH132",
    name: "identifier-similarity-check-disabled",
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

impl Rule for IdentifierSimilarityDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &IDENTIFIER_SIMILARITY_DISABLED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH133: breached-passwords-allowed.
pub struct MaxBreachesAllowed;

static MAX_BREACHES_ALLOWED: RuleMeta = RuleMeta {
    id: "KH133",
    name: "breached-passwords-allowed",
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

impl Rule for MaxBreachesAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &MAX_BREACHES_ALLOWED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH134: breach-check-fails-open.
pub struct HibpFailOpen;

static HIBP_FAIL_OPEN: RuleMeta = RuleMeta {
    id: "KH134",
    name: "breach-check-fails-open",
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

impl Rule for HibpFailOpen {
    fn meta(&self) -> &'static RuleMeta {
        &HIBP_FAIL_OPEN
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
