//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH240: cors-origins-default-wildcard.
pub struct CorsDefaultWildcard;

static CORS_DEFAULT_WILDCARD: RuleMeta = RuleMeta {
    id: "KH240",
    name: "cors-origins-default-wildcard",
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

impl Rule for CorsDefaultWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_DEFAULT_WILDCARD
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH241: cors-wildcard-origin.
pub struct CorsWildcardOrigin;

static CORS_WILDCARD_ORIGIN: RuleMeta = RuleMeta {
    id: "KH241",
    name: "cors-wildcard-origin",
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

impl Rule for CorsWildcardOrigin {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_WILDCARD_ORIGIN
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH242: cors-wildcard-subdomain-with-credentials.
pub struct CorsWildcardSubdomain;

static CORS_WILDCARD_SUBDOMAIN: RuleMeta = RuleMeta {
    id: "KH242",
    name: "cors-wildcard-subdomain-with-credentials",
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

impl Rule for CorsWildcardSubdomain {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_WILDCARD_SUBDOMAIN
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH243: cors-http-origin.
pub struct CorsHttpOrigin;

static CORS_HTTP_ORIGIN: RuleMeta = RuleMeta {
    id: "KH243",
    name: "cors-http-origin",
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
    production_only: true,
};

impl Rule for CorsHttpOrigin {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_HTTP_ORIGIN
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH244: cors-debug-enabled.
pub struct CorsDebugEnabled;

static CORS_DEBUG_ENABLED: RuleMeta = RuleMeta {
    id: "KH244",
    name: "cors-debug-enabled",
    threat: Threat::ServiceCompromise,
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

impl Rule for CorsDebugEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &CORS_DEBUG_ENABLED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
