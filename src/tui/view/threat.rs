//! A threat's introduction: what the threat is, what an attacker gains, what the wizard checks
//! for it, and the honest limits of what a config change can do about it. The side panel shows
//! progress.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{View, progress, text};
use crate::rules::{Applicability, Threat};
use crate::tui::theme::THEME;

/// A threat's name for narrow places (`long` when there is room for the full words).
#[must_use]
pub fn short(threat: Threat, long: bool) -> &'static str {
    match (threat, long) {
        (Threat::FlowBypass, _) => "Flow bypass",
        (Threat::ServiceCompromise, true) => "Service compromise",
        (Threat::ServiceCompromise, false) => "Compromise",
        (Threat::Dos, true) => "Denial of service",
        (Threat::Dos, false) => "DoS",
        (Threat::WeakCredentials, true) => "Weak credentials",
        (Threat::WeakCredentials, false) => "Weak creds",
    }
}

/// What the threat is.
fn what(threat: Threat) -> &'static str {
    match threat {
        Threat::FlowBypass => {
            "Self-service flows (login, registration, recovery, settings, verification) set up so \
             a step Kratos should enforce can be skipped: open return URLs, sign-ins before the \
             address is verified, MFA that is never asked for, weak password rules."
        }
        Threat::ServiceCompromise => {
            "Kratos itself: placeholder or short secrets, stored tokens left unencrypted, dev \
             mode, an admin API reachable from outside, logs that record credentials, sessions \
             that live too long."
        }
        Threat::Dos => {
            "The public API under load: unlimited sign-in and registration attempts, each one \
             running an expensive password hash, and expired flows and sessions piling up in the \
             database."
        }
        Threat::WeakCredentials => {
            "The services Kratos talks to: the database, SMTP, web hooks and OIDC providers, \
             reached with default or short passwords, over plain-text transports, or with the \
             secrets written in the file."
        }
    }
}

/// What an attacker gains.
fn gains(threat: Threat) -> &'static str {
    match threat {
        Threat::FlowBypass => {
            "Accounts: phishing through a trusted return URL, takeover by recovery or settings \
             with a stale session, sign-ins with guessed or breached passwords, MFA bypassed."
        }
        Threat::ServiceCompromise => {
            "Every account at once: forged session and CSRF cookies, decrypted OIDC tokens, \
             identities created or changed through the admin API, passwords read from logs."
        }
        Threat::Dos => {
            "Sign-in stops for everyone while Kratos or its database is saturated; password \
             spraying at scale goes unnoticed."
        }
        Threat::WeakCredentials => {
            "The identity database (every identity and password hash), mail sent in your name \
             (recovery links), forged hook calls, the OIDC app itself."
        }
    }
}

/// What a config change cannot do, said plainly.
fn note(threat: Threat) -> &'static str {
    match threat {
        Threat::FlowBypass => {
            "Allow-lists and required MFA change what users see: those fixes are marked unsafe \
             and ask before they are applied."
        }
        Threat::ServiceCompromise => {
            "A new secret signs users out once; kratos-harden rotate keeps the old one for \
             verification while it phases out."
        }
        Threat::Dos => {
            "Open-source Kratos has no built-in rate limiting: the fix lives in the reverse proxy \
             in front of it (kratos-harden init generates nginx and Caddy snippets). Old flows \
             leave the database only when you schedule kratos cleanup sql."
        }
        Threat::WeakCredentials => {
            "The wizard cannot change a password on the database or mail server: those steps are \
             manual, and it says what to do."
        }
    }
}

/// The threat screen.
pub fn render(view: &View<'_>, threat: Threat, area: Rect, buf: &mut Buffer) {
    let session = view.session;
    let (main, side) = progress::split(area);
    progress::render(view, Some(threat), side, buf);
    let max = usize::from(main.width);
    let threats = session.threats();
    let position = threats
        .iter()
        .position(|t| *t == threat)
        .map_or(0, |p| p + 1);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(threat.title(), THEME.heading),
            Span::styled(
                format!("  threat {position} of {}", threats.len()),
                THEME.muted,
            ),
        ]),
        Line::default(),
    ];
    let section = |lines: &mut Vec<Line<'static>>, lead: &str, body: &str| {
        let joined = format!("{lead} {body}");
        for (n, part) in text::wrap(&joined, max).into_iter().enumerate() {
            if n == 0 {
                let rest = part.strip_prefix(lead).unwrap_or(&part).to_owned();
                lines.push(Line::from(vec![
                    Span::styled(lead.to_owned(), THEME.label),
                    Span::raw(rest),
                ]));
            } else {
                lines.push(Line::raw(part));
            }
        }
    };
    section(&mut lines, "What it is:", what(threat));
    section(&mut lines, "What an attacker gains:", gains(threat));
    lines.push(Line::default());

    let items = session.items_of(threat);
    let count = |a: Applicability| {
        items
            .iter()
            .filter(|i| session.items[**i].applicability == a)
            .count()
    };
    let kinds: Vec<String> = [
        (Applicability::Safe, "safe fix", "safe fixes"),
        (
            Applicability::Unsafe,
            "unsafe fix that asks first",
            "unsafe fixes that ask first",
        ),
        (Applicability::Manual, "manual step", "manual steps"),
    ]
    .into_iter()
    .filter(|(a, ..)| count(*a) > 0)
    .map(|(a, one, many)| text::plural(count(a), one, many))
    .collect();
    let summary = format!(
        "{}: {}.",
        text::plural(items.len(), "proposal", "proposals"),
        kinds.join(", ")
    );
    section(&mut lines, "The wizard checks:", &summary);

    let mut note_lines = Vec::new();
    note_lines.push(Line::default());
    section(&mut note_lines, "Note:", note(threat));

    // Rule titles fill the room the note leaves.
    let room = usize::from(main.height).saturating_sub(lines.len() + note_lines.len());
    let mut titles: Vec<(&str, String)> = items
        .iter()
        .map(|i| {
            let rule = session.finding(*i).rule;
            (rule.id, text::plain(rule.title))
        })
        .collect();
    titles.dedup();
    let shown = if titles.len() > room {
        room.saturating_sub(1)
    } else {
        titles.len()
    };
    for (id, title) in titles.iter().take(shown) {
        lines.push(Line::from(vec![
            Span::styled(format!("  • {id} "), THEME.muted),
            Span::raw(text::truncate(title, max.saturating_sub(10))),
        ]));
    }
    if titles.len() > shown && room > 0 {
        lines.push(Line::styled(
            format!("  … and {} more", titles.len() - shown),
            THEME.muted,
        ));
    }
    lines.extend(note_lines);
    Paragraph::new(lines).render(main, buf);
}
