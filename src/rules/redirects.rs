//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH101: return-urls-missing.
pub struct ReturnUrlsMissing;

static RETURN_URLS_MISSING: RuleMeta = RuleMeta {
    id: "KH101",
    name: "return-urls-missing",
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

impl Rule for ReturnUrlsMissing {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URLS_MISSING
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH102: return-url-wildcard-host.
pub struct ReturnUrlWildcardHost;

static RETURN_URL_WILDCARD_HOST: RuleMeta = RuleMeta {
    id: "KH102",
    name: "return-url-wildcard-host",
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

impl Rule for ReturnUrlWildcardHost {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URL_WILDCARD_HOST
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH103: return-url-suffix-wildcard.
pub struct ReturnUrlSuffixWildcard;

static RETURN_URL_SUFFIX_WILDCARD: RuleMeta = RuleMeta {
    id: "KH103",
    name: "return-url-suffix-wildcard",
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

impl Rule for ReturnUrlSuffixWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URL_SUFFIX_WILDCARD
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH104: return-url-third-party.
pub struct ReturnUrlThirdParty;

static RETURN_URL_THIRD_PARTY: RuleMeta = RuleMeta {
    id: "KH104",
    name: "return-url-third-party",
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

impl Rule for ReturnUrlThirdParty {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URL_THIRD_PARTY
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH105: return-url-not-https.
pub struct ReturnUrlNotHttps;

static RETURN_URL_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH105",
    name: "return-url-not-https",
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
    production_only: true,
};

impl Rule for ReturnUrlNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URL_NOT_HTTPS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH106: return-url-path-prefix-open.
pub struct ReturnUrlPathPrefix;

static RETURN_URL_PATH_PREFIX: RuleMeta = RuleMeta {
    id: "KH106",
    name: "return-url-path-prefix-open",
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

impl Rule for ReturnUrlPathPrefix {
    fn meta(&self) -> &'static RuleMeta {
        &RETURN_URL_PATH_PREFIX
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
