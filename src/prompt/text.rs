//! What the line-mode wizard prints, as plain functions of the session: the welcome summary, a
//! threat's intro, one proposal's description, the prompt titles and the closing summary. No
//! terminal here, so all of it is unit-tested.

use std::fmt::Write as _;

use serde_json::Value;

use crate::mask::Masker;
use crate::patch::Op;
use crate::review::{Item, Session, Tally};
use crate::rules::{Applicability, Severity, Threat};
use crate::secret::Secret;

/// Longest value shown in a description; `Show the diff` has the rest.
const MAX_VALUE_CHARS: usize = 240;

/// The summary shown first: files, then the proposals per threat and severity.
#[must_use]
pub fn welcome(session: &Session) -> String {
    let mut out = String::from("kratos-harden wizard\n\n");
    let files: Vec<&str> = session
        .deployment
        .sources
        .iter()
        .map(|s| s.display.as_str())
        .collect();
    let _ = writeln!(out, "Files: {}", files.join(", "));
    let total = session.items.len();
    if total == 0 {
        out.push_str("\nNothing to propose: no rule found a problem this wizard can help with.\n");
        return out;
    }
    let count = |a: Applicability| {
        session
            .items
            .iter()
            .filter(|i| i.applicability == a)
            .count()
    };
    let _ = writeln!(
        out,
        "{} ({} safe, {} unsafe, {} manual):\n",
        plural(total, "proposal", "proposals"),
        count(Applicability::Safe),
        count(Applicability::Unsafe),
        count(Applicability::Manual),
    );
    for threat in session.threats() {
        let items = session.items_of(threat);
        let bands: Vec<String> = [
            Severity::Critical,
            Severity::High,
            Severity::Medium,
            Severity::Low,
            Severity::Info,
        ]
        .into_iter()
        .filter_map(|band| {
            let n = items
                .iter()
                .filter(|i| session.finding(**i).severity == band)
                .count();
            (n > 0).then(|| format!("{n} {}", band.as_str()))
        })
        .collect();
        let _ = writeln!(
            out,
            "  {:<40} {:>3}  ({})",
            threat.title(),
            items.len(),
            bands.join(", ")
        );
    }
    out.push_str(
        "\nEach fix comes with why it matters and what may break. Nothing is written until you \
         confirm at the end; Ctrl-C quits at any prompt without writing.\n",
    );
    out
}

/// The line introducing a threat before its proposals.
#[must_use]
pub fn threat_intro(threat: Threat, count: usize) -> String {
    let what = match threat {
        Threat::FlowBypass => {
            "open redirects, unverified sign-ins and MFA that is not enforced let an attacker \
             walk around the self-service flows."
        }
        Threat::ServiceCompromise => {
            "weak secrets and crypto, dev mode, leaky logs and an exposed admin API hand Kratos \
             itself to an attacker."
        }
        Threat::Dos => "missing limits let anyone exhaust the public API.",
        Threat::WeakCredentials => {
            "weak or plain-text credentials for the database, SMTP, web hooks and OIDC \
             providers."
        }
    };
    format!(
        "\n== {} ({}) ==\n{}\n",
        threat.title(),
        plural(count, "proposal", "proposals"),
        capitalize(what)
    )
}

/// One proposal: header, location, current → proposed values (masked), why it matters and
/// what may break (or, for a manual one, what to do).
#[must_use]
pub fn describe(session: &Session, item: usize, width: usize) -> String {
    let finding = session.finding(item);
    let rule = finding.rule;
    let it = &session.items[item];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{} · {} · {}  ({})",
        rule.id,
        finding.severity.as_str(),
        rule.title,
        kind_label(it.applicability)
    );
    let file = &session.deployment.source(finding.file).display;
    let place = finding
        .line_column()
        .map_or_else(|| file.clone(), |(l, c)| format!("{file}:{l}:{c}"));
    let _ = writeln!(out, "  {} ({place})", finding.path);
    out.push_str(&wrap(&finding.message, width, "  "));
    if it.ops.is_empty() {
        out.push_str("\nWhat to do\n");
        let guidance = it.guidance.as_deref().unwrap_or(rule.fix.summary);
        out.push_str(&wrap(guidance, width, "  "));
    } else {
        out.push('\n');
        out.push_str(&changes(session, item));
        let also = session.also_resolves(item);
        if !also.is_empty() {
            let masker = session.masker();
            out.push_str("The same change also fixes\n");
            for f in also {
                let line = format!("{} `{}`: {}", f.rule.id, f.path, masker.apply(&f.message));
                out.push_str(&wrap(&line, width, "  "));
            }
        }
    }
    out.push_str("\nWhy it matters\n");
    out.push_str(&wrap(rule.rationale, width, "  "));
    if !it.ops.is_empty() {
        out.push_str("What may break\n");
        out.push_str(&wrap(&session.breaks(item), width, "  "));
    }
    out
}

/// Each operation of a proposal as `path`, `now:` and `proposed:` lines, values masked.
#[must_use]
pub fn changes(session: &Session, item: usize) -> String {
    let masker = session.masker();
    let mut out = String::new();
    for op in &session.items[item].ops {
        let path = op.path();
        let now = session
            .deployment
            .root
            .get(path)
            .map_or_else(|| "(not set)".to_owned(), |n| shown(&n.to_json(), &masker));
        let proposed = match op {
            Op::Set { value, .. } => shown(value, &masker),
            Op::Prepend { value, .. } => {
                format!("{} added first to the list", shown(value, &masker))
            }
            Op::Remove { .. } => "(removed)".to_owned(),
        };
        let _ = writeln!(
            out,
            "  {path}\n    now:      {now}\n    proposed: {proposed}"
        );
    }
    out
}

/// The question asked for a proposal: `[3/9] KH250 (safe fix): what now?`.
#[must_use]
pub fn item_question(session: &Session, item: usize) -> String {
    let id = session.finding(item).rule.id;
    let n = session.items.len();
    let k = item + 1;
    match session.items[item].applicability {
        Applicability::Manual => format!("[{k}/{n}] {id} (manual step):"),
        a => format!("[{k}/{n}] {id} ({a} fix): what now?", a = a.as_str()),
    }
}

/// The decisions counted: accepted (edited), skipped, undecided, and manual steps left.
#[must_use]
pub fn summary(session: &Session) -> String {
    let Tally {
        accepted,
        edited,
        skipped,
        pending: undecided,
        ..
    } = session.tally();
    let manual: Vec<&Item> = session.items.iter().filter(|i| i.ops.is_empty()).collect();
    let mut out = format!("{accepted} accepted");
    if edited > 0 {
        let _ = write!(out, " ({edited} edited)");
    }
    let _ = write!(out, ", {skipped} skipped");
    if undecided > 0 {
        let _ = write!(out, ", {undecided} undecided (not applied)");
    }
    out.push('\n');
    if !manual.is_empty() {
        let _ = writeln!(
            out,
            "{} left to you:",
            plural(manual.len(), "manual step", "manual steps")
        );
        for item in manual {
            let f = &session.findings[item.finding];
            let _ = writeln!(out, "  {} {} ({})", f.rule.id, f.rule.title, f.path);
        }
    }
    out
}

/// True when a proposal's operations carry a secret generated in this session.
#[must_use]
pub fn has_generated_secret(item: &Item, generated: &[(String, Secret)]) -> bool {
    fn holds(value: &Value, generated: &[(String, Secret)]) -> bool {
        match value {
            Value::String(s) => generated.iter().any(|(_, g)| g.expose() == s),
            Value::Array(items) => items.iter().any(|v| holds(v, generated)),
            Value::Object(map) => map.values().any(|v| holds(v, generated)),
            _ => false,
        }
    }
    item.ops.iter().any(|op| match op {
        Op::Set { value, .. } | Op::Prepend { value, .. } => holds(value, generated),
        Op::Remove { .. } => false,
    })
}

/// `text` word-wrapped to `width` columns, every line starting with `indent`.
#[must_use]
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let room = width.saturating_sub(indent.chars().count()).max(20);
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > room {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
    out
}

/// A value as JSON, secrets masked, cut at [`MAX_VALUE_CHARS`].
fn shown(value: &Value, masker: &Masker) -> String {
    let text = masker.apply(&value.to_string());
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
    format!("{cut}… (see the diff)")
}

fn kind_label(a: Applicability) -> &'static str {
    match a {
        Applicability::Safe => "safe fix",
        Applicability::Unsafe => "unsafe fix: asks before applying",
        Applicability::Manual => "manual: only you can do this",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}
