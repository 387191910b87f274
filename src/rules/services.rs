//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH401: dsn-in-memory-or-sqlite.
pub struct DsnInMemory;

static DSN_IN_MEMORY: RuleMeta = RuleMeta {
    id: "KH401",
    name: "dsn-in-memory-or-sqlite",
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

impl Rule for DsnInMemory {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_IN_MEMORY
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH402: dsn-password-weak.
pub struct DsnWeakPassword;

static DSN_WEAK_PASSWORD: RuleMeta = RuleMeta {
    id: "KH402",
    name: "dsn-password-weak",
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

impl Rule for DsnWeakPassword {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_WEAK_PASSWORD
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH403: dsn-superuser.
pub struct DsnSuperuser;

static DSN_SUPERUSER: RuleMeta = RuleMeta {
    id: "KH403",
    name: "dsn-superuser",
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

impl Rule for DsnSuperuser {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_SUPERUSER
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH404: dsn-tls-unverified.
pub struct DsnTlsUnverified;

static DSN_TLS_UNVERIFIED: RuleMeta = RuleMeta {
    id: "KH404",
    name: "dsn-tls-unverified",
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

impl Rule for DsnTlsUnverified {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_TLS_UNVERIFIED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH405: dsn-credentials-inline.
pub struct DsnInlineCredentials;

static DSN_INLINE_CREDENTIALS: RuleMeta = RuleMeta {
    id: "KH405",
    name: "dsn-credentials-inline",
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

impl Rule for DsnInlineCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &DSN_INLINE_CREDENTIALS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH410: smtp-starttls-disabled.
pub struct SmtpStarttlsDisabled;

static SMTP_STARTTLS_DISABLED: RuleMeta = RuleMeta {
    id: "KH410",
    name: "smtp-starttls-disabled",
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

impl Rule for SmtpStarttlsDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &SMTP_STARTTLS_DISABLED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH411: smtp-certificate-unverified.
pub struct SmtpSkipSslVerify;

static SMTP_SKIP_SSL_VERIFY: RuleMeta = RuleMeta {
    id: "KH411",
    name: "smtp-certificate-unverified",
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

impl Rule for SmtpSkipSslVerify {
    fn meta(&self) -> &'static RuleMeta {
        &SMTP_SKIP_SSL_VERIFY
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH412: smtp-credentials-weak.
pub struct SmtpWeakCredentials;

static SMTP_WEAK_CREDENTIALS: RuleMeta = RuleMeta {
    id: "KH412",
    name: "smtp-credentials-weak",
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

impl Rule for SmtpWeakCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &SMTP_WEAK_CREDENTIALS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH413: smtp-credentials-inline.
pub struct SmtpInlineCredentials;

static SMTP_INLINE_CREDENTIALS: RuleMeta = RuleMeta {
    id: "KH413",
    name: "smtp-credentials-inline",
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

impl Rule for SmtpInlineCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &SMTP_INLINE_CREDENTIALS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH414: courier-http-not-https.
pub struct CourierHttpInsecure;

static COURIER_HTTP_INSECURE: RuleMeta = RuleMeta {
    id: "KH414",
    name: "courier-http-not-https",
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

impl Rule for CourierHttpInsecure {
    fn meta(&self) -> &'static RuleMeta {
        &COURIER_HTTP_INSECURE
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH415: courier-http-without-auth.
pub struct CourierHttpNoAuth;

static COURIER_HTTP_NO_AUTH: RuleMeta = RuleMeta {
    id: "KH415",
    name: "courier-http-without-auth",
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

impl Rule for CourierHttpNoAuth {
    fn meta(&self) -> &'static RuleMeta {
        &COURIER_HTTP_NO_AUTH
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
