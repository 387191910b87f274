//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH220: cipher-algorithm-noop.
pub struct CipherNoop;

static CIPHER_NOOP: RuleMeta = RuleMeta {
    id: "KH220",
    name: "cipher-algorithm-noop",
    threat: Threat::ServiceCompromise,
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

impl Rule for CipherNoop {
    fn meta(&self) -> &'static RuleMeta {
        &CIPHER_NOOP
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH221: argon2-settings-ignored.
pub struct Argon2ParamsIgnored;

static ARGON2_PARAMS_IGNORED: RuleMeta = RuleMeta {
    id: "KH221",
    name: "argon2-settings-ignored",
    threat: Threat::ServiceCompromise,
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

impl Rule for Argon2ParamsIgnored {
    fn meta(&self) -> &'static RuleMeta {
        &ARGON2_PARAMS_IGNORED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH222: bcrypt-cost-low.
pub struct BcryptCostLow;

static BCRYPT_COST_LOW: RuleMeta = RuleMeta {
    id: "KH222",
    name: "bcrypt-cost-low",
    threat: Threat::ServiceCompromise,
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

impl Rule for BcryptCostLow {
    fn meta(&self) -> &'static RuleMeta {
        &BCRYPT_COST_LOW
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH223: argon2-parameters-weak.
pub struct Argon2Weak;

static ARGON2_WEAK: RuleMeta = RuleMeta {
    id: "KH223",
    name: "argon2-parameters-weak",
    threat: Threat::ServiceCompromise,
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

impl Rule for Argon2Weak {
    fn meta(&self) -> &'static RuleMeta {
        &ARGON2_WEAK
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
