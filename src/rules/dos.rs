//! Denial of service on the public API: what
//! open-source Kratos does not defend itself against (rate limiting, database growth) and the
//! flow settings that widen the window for abuse (long flow lifespans, mail to unknown
//! recipients, many code submissions).

use std::time::Duration;

use serde_json::Value;

use super::support::method_enabled;
use super::{Applicability, Context, FixMeta, Rule, RuleMeta, Severity, Sink, Threat, Versions};
use crate::config::node::Node;
use crate::finding::Finding;
use crate::fix::{FixEnv, FixPlan, FixResult, set};
use crate::kratos::duration;

const SECURITY_DOC: &str = "https://www.ory.sh/docs/kratos/concepts/security";

/// The longest flow, code or link lifespan that is not reported.
const MAX_LIFESPAN: Duration = Duration::from_secs(3600);

/// KH301: open-source Kratos has no rate limiting.
pub struct NoRateLimiting;

static NO_RATE_LIMITING: RuleMeta = RuleMeta {
    id: "KH301",
    name: "rate-limiting-not-built-in",
    threat: Threat::Dos,
    severity: Severity::Info,
    title: "Kratos has no rate limiting: the reverse proxy must provide it",
    rationale: "Self-hosted Kratos has no per-IP or per-account rate limiting, no lockout and no bot \
        defence; Ory's security page makes this the operator's job (Ory Network puts its own WAF \
        in front). Every `GET /self-service/{login,registration}/browser` writes a flow row, every \
        password submission costs a full bcrypt/Argon2 hash, and every `/sessions/whoami` reads the \
        database. Without limits in front of Kratos an attacker guesses passwords and codes at \
        line rate, floods the database with flows and exhausts CPU and memory with hash work.",
    breaks: "Limits that are too tight lock out users behind a shared NAT or corporate proxy.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "add per-IP limits in the reverse proxy for /self-service/*/browser, \
            /self-service/*/api, form POSTs and /sessions/whoami (`kratos-harden init` writes \
            nginx and Caddy snippets)",
    },
    references: &[
        SECURITY_DOC,
        "https://github.com/ory/kratos/blob/v1.3.1/cmd/daemon/serve.go#L76-L120",
    ],
    versions: Versions::All,
    production_only: true,
};

impl Rule for NoRateLimiting {
    fn meta(&self) -> &'static RuleMeta {
        &NO_RATE_LIMITING
    }
    fn check(&self, _cx: &Context<'_>, out: &mut Sink<'_>) {
        out.at(
            "serve.public",
            "`serve.public` has no rate limiting, lockout or bot defence in open-source Kratos: put \
             per-IP limits on /self-service/*/browser, /self-service/*/api, form submissions and \
             /sessions/whoami in the reverse proxy",
        );
    }
}

/// KH302: a flow, code or link lifespan above one hour.
pub struct FlowLifespanLong;

static FLOW_LIFESPAN_LONG: RuleMeta = RuleMeta {
    id: "KH302",
    name: "flow-lifespan-long",
    threat: Threat::Dos,
    severity: Severity::Low,
    title: "A self-service flow, code or link lives longer than one hour",
    rationale: "Every flow Kratos starts is a database row that stays valid for its lifespan \
        (default 1h); one-time codes and links have their own lifespans (default 1h). Longer \
        lifespans let an attacker accumulate more live flows per request budget, keep more \
        one-time codes valid at once for guessing, and give a leaked recovery or verification link \
        (mail forwarding, shared inbox, proxy logs) a longer window of use.",
    breaks: "Forms left open, and recovery or verification mails read, later than the new \
        lifespan stop working: users must start the flow again.",
    fix: FixMeta {
        applicability: Applicability::Unsafe,
        summary: "set the lifespan to 1h (the Kratos default; 10–15m suits login, registration \
            and settings)",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/reference/configuration",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1301-L1306",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1269-L1274",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1207-L1212",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1344-L1351",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1392-L1399",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1578-L1584",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1510-L1516",
    ],
    versions: Versions::All,
    production_only: false,
};

/// The lifespan keys that are in effect: `(path, what it is)`.
fn lifespan_paths(cx: &Context<'_>) -> Vec<(String, &'static str)> {
    let mut paths = Vec::new();
    // Disabled flows count too: their lifespan takes effect the day the flow is enabled
    // (the verification fix does exactly that), so one run must leave none too long.
    let flows = [
        ("login", "login flows"),
        ("registration", "registration flows"),
        ("settings", "settings flows"),
        ("verification", "verification flows"),
        ("recovery", "recovery flows"),
    ];
    for (flow, what) in flows {
        paths.push((format!("selfservice.flows.{flow}.lifespan"), what));
    }
    if method_enabled(cx, "code") {
        paths.push((
            "selfservice.methods.code.config.lifespan".to_owned(),
            "one-time codes",
        ));
    }
    if method_enabled(cx, "link") {
        paths.push((
            "selfservice.methods.link.config.lifespan".to_owned(),
            "recovery and verification links",
        ));
    }
    paths
}

impl Rule for FlowLifespanLong {
    fn meta(&self) -> &'static RuleMeta {
        &FLOW_LIFESPAN_LONG
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(
            &finding.path,
            Value::from(duration::human(MAX_LIFESPAN)),
        )]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (path, what) in lifespan_paths(cx) {
            let Some(text) = cx.str(&path) else {
                continue;
            };
            // Values Go cannot parse are refused by Kratos's schema, not judged here.
            let Some(lifespan) = duration::parse(text) else {
                continue;
            };
            if lifespan > MAX_LIFESPAN {
                out.at(
                    &path,
                    format!(
                        "`{path}` keeps {what} valid for {}, longer than 1h",
                        duration::human(lifespan)
                    ),
                );
            }
        }
    }
}

/// KH303: nothing purges expired flows and sessions.
pub struct CleanupUnscheduled;

static CLEANUP_UNSCHEDULED: RuleMeta = RuleMeta {
    id: "KH303",
    name: "database-cleanup-unscheduled",
    threat: Threat::Dos,
    severity: Severity::Info,
    title: "Expired flows and sessions are only purged by a scheduled `kratos cleanup sql`",
    rationale: "Kratos never deletes expired sessions, continuity containers or login, \
        registration, settings, recovery and verification flows on its own; only \
        `kratos cleanup sql` does, and the Helm \
        chart's cleanup CronJob is disabled by default. Since every anonymous request to a flow \
        endpoint writes a row, an attacker can grow the database without bound, slowing every \
        query and eventually filling the disk. The `database.cleanup.*` keys only tune the \
        command; they schedule nothing.",
    breaks: "Nothing for users: only rows older than `--keep-last` and already expired are removed.",
    fix: FixMeta {
        applicability: Applicability::Manual,
        summary: "schedule `kratos cleanup sql -e --keep-last 6h` hourly (Helm: \
            `cleanup.enabled: true`)",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/cli/kratos-cleanup-sql",
        "https://github.com/ory/kratos/issues/952",
        "https://github.com/ory/kratos/blob/v1.3.1/persistence/sql/persister.go#L189-L244",
        "https://github.com/ory/kratos/blob/v1.3.1/cmd/cleanup/sql.go#L44-L48",
    ],
    versions: Versions::All,
    production_only: false,
};

/// True for the DSNs that keep the database in process memory or a local `sqlite://` file.
fn dsn_is_embedded(dsn: &str) -> bool {
    let lower = dsn.trim().to_ascii_lowercase();
    lower == "memory" || lower.starts_with("sqlite://") || lower.starts_with("sqlite3://")
}

impl Rule for CleanupUnscheduled {
    fn meta(&self) -> &'static RuleMeta {
        &CLEANUP_UNSCHEDULED
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        // No `dsn` in the file usually means it comes from the DSN environment variable, which
        // is a real database in every deployment that does this.
        if cx.str("dsn").is_some_and(dsn_is_embedded) || cx.deployment.chart.cleanup_scheduled {
            return;
        }
        out.at(
            "database.cleanup",
            "`database.cleanup` only tunes `kratos cleanup sql`: unless that command is scheduled \
             (for example hourly with `--keep-last 6h`), expired flows and sessions are never \
             deleted",
        );
    }
}

/// KH304: verification or recovery mails to unknown addresses.
pub struct NotifyUnknownRecipients;

static NOTIFY_UNKNOWN_RECIPIENTS: RuleMeta = RuleMeta {
    id: "KH304",
    name: "notify-unknown-recipients",
    threat: Threat::Dos,
    severity: Severity::Low,
    title: "Verification or recovery mails go to addresses without an account",
    rationale: "With `notify_unknown_recipients: true` Kratos sends a mail to any address entered \
        in the verification or recovery form, even when no identity has it. Anyone can then make \
        your mail sender spam arbitrary third parties through an unauthenticated form, which costs \
        money per message and ruins the sender domain's reputation until real recovery and \
        verification mail lands in spam folders.",
    breaks: "People who enter an address without an account no longer get a mail saying so; the \
        form still answers the same way, so enumeration protection is unchanged.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `notify_unknown_recipients: false` (the default)",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/reference/configuration",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1362-L1367",
        "https://github.com/ory/kratos/blob/v1.3.1/embedx/config.schema.json#L1410-L1415",
        concat!(
            "https://github.com/ory/kratos/blob/v1.3.1/",
            "selfservice/strategy/code/code_sender.go#L190-L213"
        ),
    ],
    versions: Versions::All,
    production_only: false,
};

impl Rule for NotifyUnknownRecipients {
    fn meta(&self) -> &'static RuleMeta {
        &NOTIFY_UNKNOWN_RECIPIENTS
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(&finding.path, Value::Bool(false))]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        // Disabled flows count too: the setting takes effect the day the flow is enabled (the
        // verification fix does exactly that), so one run must leave none behind.
        for flow in ["verification", "recovery"] {
            let path = format!("selfservice.flows.{flow}.notify_unknown_recipients");
            if cx.bool(&path) == Some(true) {
                out.at(
                    &path,
                    format!(
                        "`{path}` is true: anyone can make Kratos mail any address through the \
                         {flow} form"
                    ),
                );
            }
        }
    }
}

/// Kratos's default (and v1's hard-coded) number of code submissions per flow.
const DEFAULT_MAX_SUBMISSIONS: i64 = 5;

/// KH305: code submissions above the default of five (v26).
pub struct CodeMaxSubmissionsHigh;

static CODE_MAX_SUBMISSIONS_HIGH: RuleMeta = RuleMeta {
    id: "KH305",
    name: "code-max-submissions-high",
    threat: Threat::Dos,
    severity: Severity::Low,
    title: "One-time codes may be submitted more than five times per flow (v26)",
    rationale: "Kratos invalidates a code flow after `selfservice.methods.code.config.max_submissions` \
        wrong attempts (default 5, hard-coded in v1.x). Each extra attempt is another guess at a \
        six-digit login, recovery or verification code per flow, and since flows are free to \
        create and Kratos has no rate limiting, a higher limit multiplies what an attacker gets \
        from every flow and every mail Kratos sends.",
    breaks: "Users who mistype a code more than five times must request a new one.",
    fix: FixMeta {
        applicability: Applicability::Safe,
        summary: "set `selfservice.methods.code.config.max_submissions: 5` (the default)",
    },
    references: &[
        "https://www.ory.sh/docs/kratos/reference/configuration",
        "https://github.com/ory/kratos/blob/v26.2.0/embedx/config.schema.json#L1610-L1616",
        "https://github.com/ory/kratos/blob/v26.2.0/driver/config/config.go#L1328-L1330",
        "https://github.com/ory/kratos/blob/v26.2.0/persistence/sql/persister_code.go#L46-L67",
        "https://github.com/ory/kratos/blob/v1.3.1/persistence/sql/persister_code.go#L72-L78",
    ],
    versions: Versions::V26Only,
    production_only: false,
};

impl Rule for CodeMaxSubmissionsHigh {
    fn meta(&self) -> &'static RuleMeta {
        &CODE_MAX_SUBMISSIONS_HIGH
    }
    fn fix(&self, _cx: &Context<'_>, finding: &Finding, _env: &mut FixEnv<'_>) -> FixResult {
        Ok(FixPlan::Ops(vec![set(
            &finding.path,
            Value::from(DEFAULT_MAX_SUBMISSIONS),
        )]))
    }
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let path = "selfservice.methods.code.config.max_submissions";
        let Some(max) = cx.get(path).and_then(Node::as_i64) else {
            return;
        };
        if max > DEFAULT_MAX_SUBMISSIONS && method_enabled(cx, "code") {
            out.at(
                path,
                format!("`{path}` allows {max} guesses per code flow instead of 5"),
            );
        }
    }
}
