//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH420: web-hook-not-https.
pub struct WebhookNotHttps;

static WEBHOOK_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH420",
    name: "web-hook-not-https",
    threat: Threat::WeakCredentials,
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

impl Rule for WebhookNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &WEBHOOK_NOT_HTTPS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH421: web-hook-without-auth.
pub struct WebhookWithoutAuth;

static WEBHOOK_WITHOUT_AUTH: RuleMeta = RuleMeta {
    id: "KH421",
    name: "web-hook-without-auth",
    threat: Threat::WeakCredentials,
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

impl Rule for WebhookWithoutAuth {
    fn meta(&self) -> &'static RuleMeta {
        &WEBHOOK_WITHOUT_AUTH
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH422: web-hook-auth-weak.
pub struct WebhookWeakAuth;

static WEBHOOK_WEAK_AUTH: RuleMeta = RuleMeta {
    id: "KH422",
    name: "web-hook-auth-weak",
    threat: Threat::WeakCredentials,
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

impl Rule for WebhookWeakAuth {
    fn meta(&self) -> &'static RuleMeta {
        &WEBHOOK_WEAK_AUTH
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH430: oidc-client-secret-inline.
pub struct OidcClientSecretInline;

static OIDC_CLIENT_SECRET_INLINE: RuleMeta = RuleMeta {
    id: "KH430",
    name: "oidc-client-secret-inline",
    threat: Threat::WeakCredentials,
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

impl Rule for OidcClientSecretInline {
    fn meta(&self) -> &'static RuleMeta {
        &OIDC_CLIENT_SECRET_INLINE
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH431: oidc-client-secret-weak.
pub struct OidcClientSecretWeak;

static OIDC_CLIENT_SECRET_WEAK: RuleMeta = RuleMeta {
    id: "KH431",
    name: "oidc-client-secret-weak",
    threat: Threat::WeakCredentials,
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

impl Rule for OidcClientSecretWeak {
    fn meta(&self) -> &'static RuleMeta {
        &OIDC_CLIENT_SECRET_WEAK
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH432: oidc-endpoint-not-https.
pub struct OidcEndpointNotHttps;

static OIDC_ENDPOINT_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH432",
    name: "oidc-endpoint-not-https",
    threat: Threat::WeakCredentials,
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

impl Rule for OidcEndpointNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &OIDC_ENDPOINT_NOT_HTTPS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH433: oidc-pkce-disabled.
pub struct OidcPkceDisabled;

static OIDC_PKCE_DISABLED: RuleMeta = RuleMeta {
    id: "KH433",
    name: "oidc-pkce-disabled",
    threat: Threat::WeakCredentials,
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

impl Rule for OidcPkceDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &OIDC_PKCE_DISABLED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH434: private-ip-ranges-allowed.
pub struct PrivateIpRangesAllowed;

static PRIVATE_IP_RANGES_ALLOWED: RuleMeta = RuleMeta {
    id: "KH434",
    name: "private-ip-ranges-allowed",
    threat: Threat::WeakCredentials,
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

impl Rule for PrivateIpRangesAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &PRIVATE_IP_RANGES_ALLOWED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH435: hydra-admin-not-https.
pub struct HydraAdminNotHttps;

static HYDRA_ADMIN_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH435",
    name: "hydra-admin-not-https",
    threat: Threat::WeakCredentials,
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

impl Rule for HydraAdminNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &HYDRA_ADMIN_NOT_HTTPS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
