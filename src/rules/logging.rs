//! STUB: rules of this area are being written; each check is empty until then.
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};

/// KH250: log-leaks-sensitive-values.
pub struct LeakSensitiveValues;

static LEAK_SENSITIVE_VALUES: RuleMeta = RuleMeta {
    id: "KH250",
    name: "log-leaks-sensitive-values",
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

impl Rule for LeakSensitiveValues {
    fn meta(&self) -> &'static RuleMeta {
        &LEAK_SENSITIVE_VALUES
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}

/// KH251: log-level-verbose.
pub struct LogLevelVerbose;

static LOG_LEVEL_VERBOSE: RuleMeta = RuleMeta {
    id: "KH251",
    name: "log-level-verbose",
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
    production_only: true,
};

impl Rule for LogLevelVerbose {
    fn meta(&self) -> &'static RuleMeta {
        &LOG_LEVEL_VERBOSE
    }
    fn check(&self, _cx: &Context<'_>, _out: &mut Sink<'_>) {}
}
