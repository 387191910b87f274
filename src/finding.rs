//! A finding: one rule matched at one config path. Findings are data, never errors.

use serde::Serialize;

use crate::config::node::{FileId, Pos};
use crate::rules::{Applicability, RuleMeta, Severity};

/// What fixing a finding would do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// `safe`, `unsafe` or `manual`.
    pub applicability: Applicability,
    /// What the fix sets, in one line (no secret values). Usually the rule's own text.
    pub summary: std::borrow::Cow<'static, str>,
    /// What applying it may break in this deployment, when the rule's general `breaks` text
    /// does not fit (a fix that is unsafe here and safe elsewhere names why).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breaks: Option<std::borrow::Cow<'static, str>>,
}

/// One rule matched at one place.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule.
    pub rule: &'static RuleMeta,
    /// Severity (the rule's, or a band of it chosen by the rule).
    pub severity: Severity,
    /// The config path, dotted, array indices as numbers. For a missing key, the key that
    /// should exist. For identity-schema findings, the path inside the schema.
    pub path: String,
    /// The file holding the value (or, for a missing key, the file it belongs in).
    pub file: FileId,
    /// Line and column; `None` when the key is missing.
    pub pos: Option<Pos>,
    /// What is wrong, without secret values.
    pub message: String,
    /// What the fix would do; `None` when there is nothing to change in the config.
    pub fix: Option<Fix>,
    /// Why it is suppressed, when an ignore entry matched.
    pub suppressed: Option<String>,
}

impl Finding {
    /// `(line, column)` for display, if present.
    #[must_use]
    pub fn line_column(&self) -> Option<(u32, u32)> {
        self.pos.map(|p| (p.line, p.column))
    }

    /// What fixing this finding may break: its own text, else the rule's.
    #[must_use]
    pub fn breaks(&self) -> &str {
        self.fix
            .as_ref()
            .and_then(|f| f.breaks.as_deref())
            .unwrap_or(self.rule.breaks)
    }

    /// True when this finding counts for `--fail-on`.
    #[must_use]
    pub fn counts(&self, fail_on: Option<Severity>) -> bool {
        self.suppressed.is_none() && fail_on.is_some_and(|min| self.severity >= min)
    }
}
