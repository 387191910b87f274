//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH120: whoami-aal-allows-single-factor.
pub struct WhoamiAalNotHighest;

static WHOAMI_AAL_NOT_HIGHEST: RuleMeta = RuleMeta {
    id: "KH120",
    name: "whoami-aal-allows-single-factor",
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

impl Rule for WhoamiAalNotHighest {
    fn meta(&self) -> &'static RuleMeta {
        &WHOAMI_AAL_NOT_HIGHEST
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH121: settings-aal-allows-single-factor.
pub struct SettingsAalNotHighest;

static SETTINGS_AAL_NOT_HIGHEST: RuleMeta = RuleMeta {
    id: "KH121",
    name: "settings-aal-allows-single-factor",
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

impl Rule for SettingsAalNotHighest {
    fn meta(&self) -> &'static RuleMeta {
        &SETTINGS_AAL_NOT_HIGHEST
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH122: privileged-session-too-long.
pub struct PrivilegedSessionLong;

static PRIVILEGED_SESSION_LONG: RuleMeta = RuleMeta {
    id: "KH122",
    name: "privileged-session-too-long",
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

impl Rule for PrivilegedSessionLong {
    fn meta(&self) -> &'static RuleMeta {
        &PRIVILEGED_SESSION_LONG
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH123: webauthn-origin-not-https.
pub struct WebauthnOriginNotHttps;

static WEBAUTHN_ORIGIN_NOT_HTTPS: RuleMeta = RuleMeta {
    id: "KH123",
    name: "webauthn-origin-not-https",
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

impl Rule for WebauthnOriginNotHttps {
    fn meta(&self) -> &'static RuleMeta {
        &WEBAUTHN_ORIGIN_NOT_HTTPS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
