//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH301: rate-limiting-not-built-in.
pub struct NoRateLimiting;

static NO_RATE_LIMITING: RuleMeta = RuleMeta {
    id: "KH301",
    name: "rate-limiting-not-built-in",
    threat: Threat::Dos,
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

impl Rule for NoRateLimiting {
    fn meta(&self) -> &'static RuleMeta {
        &NO_RATE_LIMITING
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH302: flow-lifespan-long.
pub struct FlowLifespanLong;

static FLOW_LIFESPAN_LONG: RuleMeta = RuleMeta {
    id: "KH302",
    name: "flow-lifespan-long",
    threat: Threat::Dos,
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

impl Rule for FlowLifespanLong {
    fn meta(&self) -> &'static RuleMeta {
        &FLOW_LIFESPAN_LONG
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH303: database-cleanup-unscheduled.
pub struct CleanupUnscheduled;

static CLEANUP_UNSCHEDULED: RuleMeta = RuleMeta {
    id: "KH303",
    name: "database-cleanup-unscheduled",
    threat: Threat::Dos,
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

impl Rule for CleanupUnscheduled {
    fn meta(&self) -> &'static RuleMeta {
        &CLEANUP_UNSCHEDULED
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH304: notify-unknown-recipients.
pub struct NotifyUnknownRecipients;

static NOTIFY_UNKNOWN_RECIPIENTS: RuleMeta = RuleMeta {
    id: "KH304",
    name: "notify-unknown-recipients",
    threat: Threat::Dos,
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

impl Rule for NotifyUnknownRecipients {
    fn meta(&self) -> &'static RuleMeta {
        &NOTIFY_UNKNOWN_RECIPIENTS
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH305: code-max-submissions-high.
pub struct CodeMaxSubmissionsHigh;

static CODE_MAX_SUBMISSIONS_HIGH: RuleMeta = RuleMeta {
    id: "KH305",
    name: "code-max-submissions-high",
    threat: Threat::Dos,
    severity: Severity::Low,
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

impl Rule for CodeMaxSubmissionsHigh {
    fn meta(&self) -> &'static RuleMeta {
        &CODE_MAX_SUBMISSIONS_HIGH
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
