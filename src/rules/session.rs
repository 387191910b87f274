//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH260: session-lifespan-long.
pub struct SessionLifespanLong;

static SESSION_LIFESPAN_LONG: RuleMeta = RuleMeta {
    id: "KH260",
    name: "session-lifespan-long",
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

impl Rule for SessionLifespanLong {
    fn meta(&self) -> &'static RuleMeta {
        &SESSION_LIFESPAN_LONG
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH261: cookie-same-site-none.
pub struct CookieSameSiteNone;

static COOKIE_SAME_SITE_NONE: RuleMeta = RuleMeta {
    id: "KH261",
    name: "cookie-same-site-none",
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

impl Rule for CookieSameSiteNone {
    fn meta(&self) -> &'static RuleMeta {
        &COOKIE_SAME_SITE_NONE
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH262: persistent-cookie-long-lived.
pub struct PersistentCookieLong;

static PERSISTENT_COOKIE_LONG: RuleMeta = RuleMeta {
    id: "KH262",
    name: "persistent-cookie-long-lived",
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

impl Rule for PersistentCookieLong {
    fn meta(&self) -> &'static RuleMeta {
        &PERSISTENT_COOKIE_LONG
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH263: cookie-domain-too-broad.
pub struct CookieDomainBroad;

static COOKIE_DOMAIN_BROAD: RuleMeta = RuleMeta {
    id: "KH263",
    name: "cookie-domain-too-broad",
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

impl Rule for CookieDomainBroad {
    fn meta(&self) -> &'static RuleMeta {
        &COOKIE_DOMAIN_BROAD
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH264: session-extend-unbounded.
pub struct SessionExtendUnbounded;

static SESSION_EXTEND_UNBOUNDED: RuleMeta = RuleMeta {
    id: "KH264",
    name: "session-extend-unbounded",
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

impl Rule for SessionExtendUnbounded {
    fn meta(&self) -> &'static RuleMeta {
        &SESSION_EXTEND_UNBOUNDED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH265: cookie-secure-disabled.
pub struct CookieSecureDisabled;

static COOKIE_SECURE_DISABLED: RuleMeta = RuleMeta {
    id: "KH265",
    name: "cookie-secure-disabled",
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
    versions: Versions::V26Only,
    production_only: false,
};

impl Rule for CookieSecureDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &COOKIE_SECURE_DISABLED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
