//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH150: identity-schema-remote.
pub struct IdentitySchemaRemote;

static IDENTITY_SCHEMA_REMOTE: RuleMeta = RuleMeta {
    id: "KH150",
    name: "identity-schema-remote",
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

impl Rule for IdentitySchemaRemote {
    fn meta(&self) -> &'static RuleMeta {
        &IDENTITY_SCHEMA_REMOTE
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH151: identity-schema-unreadable.
pub struct IdentitySchemaUnreadable;

static IDENTITY_SCHEMA_UNREADABLE: RuleMeta = RuleMeta {
    id: "KH151",
    name: "identity-schema-unreadable",
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

impl Rule for IdentitySchemaUnreadable {
    fn meta(&self) -> &'static RuleMeta {
        &IDENTITY_SCHEMA_UNREADABLE
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH152: authorization-data-in-traits.
pub struct AuthorizationInTraits;

static AUTHORIZATION_IN_TRAITS: RuleMeta = RuleMeta {
    id: "KH152",
    name: "authorization-data-in-traits",
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

impl Rule for AuthorizationInTraits {
    fn meta(&self) -> &'static RuleMeta {
        &AUTHORIZATION_IN_TRAITS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH153: traits-allow-additional-properties.
pub struct TraitsAllowAdditional;

static TRAITS_ALLOW_ADDITIONAL: RuleMeta = RuleMeta {
    id: "KH153",
    name: "traits-allow-additional-properties",
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

impl Rule for TraitsAllowAdditional {
    fn meta(&self) -> &'static RuleMeta {
        &TRAITS_ALLOW_ADDITIONAL
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH154: trait-without-max-length.
pub struct TraitWithoutMaxLength;

static TRAIT_WITHOUT_MAX_LENGTH: RuleMeta = RuleMeta {
    id: "KH154",
    name: "trait-without-max-length",
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

impl Rule for TraitWithoutMaxLength {
    fn meta(&self) -> &'static RuleMeta {
        &TRAIT_WITHOUT_MAX_LENGTH
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH155: identifier-without-format.
pub struct IdentifierWithoutFormat;

static IDENTIFIER_WITHOUT_FORMAT: RuleMeta = RuleMeta {
    id: "KH155",
    name: "identifier-without-format",
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

impl Rule for IdentifierWithoutFormat {
    fn meta(&self) -> &'static RuleMeta {
        &IDENTIFIER_WITHOUT_FORMAT
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH156: no-verifiable-address.
pub struct NoVerifiableAddress;

static NO_VERIFIABLE_ADDRESS: RuleMeta = RuleMeta {
    id: "KH156",
    name: "no-verifiable-address",
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

impl Rule for NoVerifiableAddress {
    fn meta(&self) -> &'static RuleMeta {
        &NO_VERIFIABLE_ADDRESS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
