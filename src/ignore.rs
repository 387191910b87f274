//! The ignore file: accepted risks, each with a reason and an optional expiry date.
//!
//! ```yaml
//! ignore:
//!   - rule: KH210            # id or name
//!     path: secrets.cookie   # optional: exact config path, or a prefix ending in `*`
//!     reason: secrets are rendered by our deploy job
//!     expires: 2027-03-31    # optional; after this date the entry stops suppressing
//! ```
//! A suppressed finding stays in the report, marked, and does not count for `--fail-on`. An
//! expired entry suppresses nothing and produces a warning; so does an entry that matched
//! nothing (a stale suppression hides the next regression).

use std::path::Path;

use crate::config::node::Node;
use crate::config::{ConfigError, load};
use crate::finding::Finding;
use crate::rules;

/// One accepted risk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The rule id (normalised from an id or a name).
    pub rule: &'static str,
    /// Exact path, or prefix when it ends in `*`; `None` = every path.
    pub path: Option<String>,
    /// Why the risk is accepted.
    pub reason: String,
    /// Last day the entry applies, as `(year, month, day)`.
    pub expires: Option<(i32, u32, u32)>,
    /// Where the entry is written (`file:line`), for warnings.
    pub origin: String,
}

impl Entry {
    fn matches(&self, finding: &Finding) -> bool {
        finding.rule.id == self.rule
            && match &self.path {
                None => true,
                Some(p) => match p.strip_suffix('*') {
                    Some(prefix) => finding.path.starts_with(prefix),
                    None => finding.path == *p,
                },
            }
    }
}

/// Reads and validates an ignore file.
pub fn load_file(path: &Path) -> Result<Vec<Entry>, ConfigError> {
    let display = crate::shown::path(path);
    let unusable = |message: String| ConfigError::Unusable {
        file: display.clone(),
        message,
    };
    // The generic messages speak of configs; this file lists accepted findings.
    let text = load::read_text(path, &display).map_err(|e| match e {
        ConfigError::IsDirectory { .. } => unusable(
            "is a folder; --ignore-file takes the YAML file that lists the accepted findings \
             (e.g. .kratos-harden-ignore.yml)"
                .to_owned(),
        ),
        ConfigError::TooLarge { .. } => unusable(
            "is larger than 10 MB; an ignore file lists a few accepted findings and is \
             refused over 10 MB. Is this the right file?"
                .to_owned(),
        ),
        other => other,
    })?;
    parse(&text, &display).map_err(|e| match e {
        ConfigError::Syntax {
            message,
            line,
            column,
            file,
        } if message.contains("far more values") => ConfigError::Syntax {
            file,
            line,
            column,
            message: "the ignore file is too large or complex (an ignore file lists a few \
                          accepted findings); is this the right file?"
                .to_owned(),
        },
        other => other,
    })
}

/// Parses ignore-file text.
pub fn parse(text: &str, display: &str) -> Result<Vec<Entry>, ConfigError> {
    let root = load::parse(text, display)?;
    let list = root.get("ignore").ok_or_else(|| ConfigError::Syntax {
        file: display.to_owned(),
        line: 1,
        column: 1,
        message: "an ignore file needs a top-level `ignore:` list".to_owned(),
    })?;
    list.items()
        .iter()
        .map(|item| entry(item, display))
        .collect()
}

fn entry(item: &Node, display: &str) -> Result<Entry, ConfigError> {
    let error = |node: &Node, message: String| ConfigError::Syntax {
        file: display.to_owned(),
        line: u64::from(node.pos.line),
        column: u64::from(node.pos.column),
        message,
    };
    let rule_node = item.get("rule").ok_or_else(|| {
        error(
            item,
            "each ignore entry needs `rule: <ID or name>`".to_owned(),
        )
    })?;
    let rule_text = rule_node.as_str().unwrap_or_default();
    let rule = rules::find(rule_text).ok_or_else(|| {
        error(
            rule_node,
            format!("unknown rule '{rule_text}'; `kratos-harden rules` lists the ids"),
        )
    })?;
    let reason = item
        .get("reason")
        .and_then(Node::as_str)
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| {
            error(
                item,
                "each ignore entry needs a non-empty `reason:`".to_owned(),
            )
        })?;
    let expires = match item.get("expires") {
        None => None,
        Some(node) => Some(node.as_str().and_then(parse_date).ok_or_else(|| {
            error(
                node,
                "`expires` must be a date written YYYY-MM-DD".to_owned(),
            )
        })?),
    };
    Ok(Entry {
        rule: rule.id,
        path: item.get("path").and_then(Node::as_str).map(str::to_owned),
        reason: reason.to_owned(),
        expires,
        origin: format!("{display}:{}", item.pos.line),
    })
}

fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts
        .next()?
        .parse()
        .ok()
        .filter(|m| (1..=12).contains(m))?;
    let day = parts
        .next()?
        .parse()
        .ok()
        .filter(|d| (1..=31).contains(d))?;
    Some((year, month, day))
}

/// A UTC timestamp for file names: `YYYYMMDDTHHMMSS`.
#[must_use]
pub fn timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    let rest = secs % 86_400;
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Today's date (UTC) as `(year, month, day)`.
#[must_use]
pub fn today() -> (i32, u32, u32) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        i32::try_from(year).unwrap_or(i32::MAX),
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// Marks matching findings as suppressed and the entries that matched as `used` (one flag per
/// entry), so deployments audited apart can share one set of warnings.
pub fn suppress<'a>(
    entries: &[Entry],
    findings: impl Iterator<Item = &'a mut Finding>,
    today: (i32, u32, u32),
    used: &mut [bool],
) {
    for finding in findings {
        for (i, entry) in entries.iter().enumerate() {
            if !entry.matches(finding) {
                continue;
            }
            if let Some(flag) = used.get_mut(i) {
                *flag = true;
            }
            if entry.expires.is_none_or(|e| e >= today) {
                finding.suppressed = Some(entry.reason.clone());
                break;
            }
        }
    }
}

/// Warnings for entries that expired or matched nothing (`used` from [`suppress`]).
#[must_use]
pub fn warnings(entries: &[Entry], used: &[bool], today: (i32, u32, u32)) -> Vec<String> {
    let mut warnings = Vec::new();
    for (entry, &used) in entries.iter().zip(used) {
        let target = format!(
            "{}{}",
            entry.rule,
            entry
                .path
                .as_deref()
                .map(|p| format!(" at {p}"))
                .unwrap_or_default()
        );
        if let Some((y, m, d)) = entry.expires.filter(|e| *e < today) {
            warnings.push(format!(
                "{}: the ignore entry for {target} expired on {y:04}-{m:02}-{d:02} and no longer suppresses anything",
                entry.origin
            ));
        } else if !used {
            warnings.push(format!(
                "{}: the ignore entry for {target} matched no finding; remove it",
                entry.origin
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_784), (2026, 11, 27));
        assert_eq!(parse_date("2027-03-31"), Some((2027, 3, 31)));
        assert_eq!(parse_date("2027-13-01"), None);
    }

    #[test]
    fn unknown_rules_and_missing_reasons_are_errors() {
        let err = parse("ignore:\n  - rule: KH999\n    reason: x\n", "i.yml").expect_err("unknown");
        assert!(
            err.to_string()
                .starts_with("i.yml:2:5: unknown rule 'KH999'"),
            "{err}"
        );
        assert!(parse("ignore:\n  - rule: KH210\n", "i.yml").is_err());
        let ok = parse(
            "ignore:\n  - rule: secret-inline\n    reason: r\n    path: secrets.*\n",
            "i.yml",
        )
        .expect("valid");
        assert_eq!(ok[0].rule, "KH210");
    }
}
