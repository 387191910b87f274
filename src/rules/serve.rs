//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH230: dev-mode-enabled.
pub struct DevModeEnabled;

static DEV_MODE_ENABLED: RuleMeta = RuleMeta {
    id: "KH230",
    name: "dev-mode-enabled",
    threat: Threat::ServiceCompromise,
    severity: Severity::Critical,
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

impl Rule for DevModeEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &DEV_MODE_ENABLED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH231: admin-api-exposed.
pub struct AdminApiExposed;

static ADMIN_API_EXPOSED: RuleMeta = RuleMeta {
    id: "KH231",
    name: "admin-api-exposed",
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

impl Rule for AdminApiExposed {
    fn meta(&self) -> &'static RuleMeta {
        &ADMIN_API_EXPOSED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH232: public-base-url-missing.
pub struct PublicBaseUrlMissing;

static PUBLIC_BASE_URL_MISSING: RuleMeta = RuleMeta {
    id: "KH232",
    name: "public-base-url-missing",
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

impl Rule for PublicBaseUrlMissing {
    fn meta(&self) -> &'static RuleMeta {
        &PUBLIC_BASE_URL_MISSING
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH233: public-base-url-not-https.
pub struct PublicBaseUrlNotHttps;

static PUBLIC_BASE_URL_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH233",
    name: "public-base-url-not-https",
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
    production_only: true,
};

impl Rule for PublicBaseUrlNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &PUBLIC_BASE_URL_NOT_HTTPS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH234: ui-url-not-https.
pub struct UiUrlNotHttps;

static UI_URL_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH234",
    name: "ui-url-not-https",
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

impl Rule for UiUrlNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &UI_URL_NOT_HTTPS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH235: tls-not-configured.
pub struct TlsNotConfigured;

static TLS_NOT_CONFIGURED: RuleMeta = RuleMeta {
    id: "KH235",
    name: "tls-not-configured",
    threat: Threat::ServiceCompromise,
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
    production_only: true,
};

impl Rule for TlsNotConfigured {
    fn meta(&self) -> &'static RuleMeta {
        &TLS_NOT_CONFIGURED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
