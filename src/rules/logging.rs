//! Service compromise through Kratos's logs: sensitive values logged
//! unredacted, and trace/debug levels in production.

use serde_json::Value;

use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};

const CONFIG_DOC: &str = "https://www.ory.sh/docs/kratos/reference/configuration";
const PRODUCTION_DOC: &str = "https://www.ory.sh/docs/kratos/guides/production";

/// KH250: `log.leak_sensitive_values: true`.
pub struct LeakSensitiveValues;

static LEAK_SENSITIVE_VALUES: RuleMeta = RuleMeta {
    id: "KH250",
    name: "log-leaks-sensitive-values",
    threat: Threat::ServiceCompromise,
    severity: Severity::High,
    title: "`log.leak_sensitive_values` is true",
    rationale: "With it Kratos logs the `Cookie`, `Set-Cookie`, `Authorization` and \
        `X-Session-Token` headers, full query strings and every field marked sensitive \
        (identifiers, e-mail addresses, one-time codes) in clear. Anyone \
        with read access to the log pipeline, a log vendor or a leaked log archive replays live \
        session cookies and tokens and reads recovery codes. Most quickstarts ship it as true; \
        Ory's logging docs say it should always be false.",
    breaks: "Nothing functional; debugging sees redacted placeholders instead of header values.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `log.leak_sensitive_values: false`",
    },
    references: &[
        CONFIG_DOC,
        PRODUCTION_DOC,
        "https://github.com/ory/x/blob/v0.0.660/logrusx/helper.go#L57-L70",
        "https://github.com/ory/x/blob/v0.0.660/logrusx/helper.go#L72-L91",
        "https://github.com/ory/x/blob/v0.0.660/logrusx/helper.go#L193-L205",
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for LeakSensitiveValues {
    fn meta(&self) -> &'static RuleMeta {
        &LEAK_SENSITIVE_VALUES
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(&finding.path, Value::Bool(false))]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "log.leak_sensitive_values";
        if cx.bool(path) == Some(true) {
            out.at(
                path,
                format!("`{path}` is true: session cookies, tokens and codes are logged in clear"),
            );
        }
    }
}

/// KH251: trace or debug logging in production.
pub struct LogLevelVerbose;

static LOG_LEVEL_VERBOSE: RuleMeta = RuleMeta {
    id: "KH251",
    name: "log-level-verbose",
    threat: Threat::ServiceCompromise,
    severity: Severity::Low,
    title: "`log.level` is trace or debug",
    rationale: "Trace and debug levels add request details and stack traces to the logs, \
        multiplying the personal data and internals kept in log storage and making a log leak \
        more useful to an attacker. Kratos's default is `info`; CSRF failures are logged at \
        warning level with raw cookies even with redaction on, so logs stay sensitive either \
        way.",
    breaks: "Less detail in logs when debugging an incident; raise the level temporarily instead.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `log.level: info`",
    },
    references: &[
        CONFIG_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L2545-L2558",
        "https://github.com/ory/kratos/blob/v1.3.1/x/nosurf.go#L203-L222",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for LogLevelVerbose {
    fn meta(&self) -> &'static RuleMeta {
        &LOG_LEVEL_VERBOSE
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(&finding.path, Value::from("info"))]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "log.level";
        if let Some(level) = cx.str(path) {
            let level = level.trim();
            if level.eq_ignore_ascii_case("trace") || level.eq_ignore_ascii_case("debug") {
                out.at(
                    path,
                    format!("`{path}` is {level}, more detail than production logs should hold"),
                );
            }
        }
    }
}
