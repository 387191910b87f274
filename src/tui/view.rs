//! Drawing a session: the frame every screen shares (title bar, status line, key bar) and the
//! dispatch to one file per screen in `view/`, with popups drawn last over the screen.
//!
//! [`View`] is a read-only snapshot of what one frame needs (the session, the masker, the
//! diff of an item shown in a popup); it renders through `impl Widget for &View` so nothing
//! is cloned per frame. The only thing it hands back is the Review scroll offset it could
//! actually show (as ratatui's `ListState` does), through [`View::shown_top`].

mod diff;
mod done;
mod item;
mod popup;
mod progress;
mod review;
mod text;
mod threat;
mod welcome;

use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::keys;
use super::theme::THEME;
use crate::mask::Masker;
use crate::review::{Decision, Popup, Preview, Screen, Session};

/// What one frame shows.
pub struct View<'a> {
    /// The session drawn.
    pub session: &'a Session,
    /// The masker for values and diffs (the session's, plus typed secrets).
    pub masker: Masker,
    /// The accepted changes' preview, when the screen needs it (Review, Done, write question).
    pub preview: Option<&'a Preview>,
    /// The diff of one item, when the item-diff popup is open.
    pub item_diff: Option<Preview>,
    /// The first Review diff line actually shown (set while rendering).
    pub shown_top: Cell<Option<usize>>,
}

impl<'a> View<'a> {
    /// A view of `session` (call [`Session::preview`] first when the screen needs it).
    #[must_use]
    pub fn new(session: &'a Session) -> Self {
        let masker = text::masker(session);
        let item_diff = match session.popup {
            Some(Popup::ItemDiff(item)) => Some(popup::item_preview(session, item, &masker)),
            _ => None,
        };
        Self {
            session,
            masker,
            preview: session.cached_preview(),
            item_diff,
            shown_top: Cell::new(None),
        }
    }
}

/// True when the current screen or popup shows the accepted changes' preview.
#[must_use]
pub fn needs_preview(session: &Session) -> bool {
    matches!(session.screen, Screen::Review | Screen::Done)
        || session.popup == Some(Popup::ConfirmWrite)
}

impl Widget for &View<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let [title, body, status, keys] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        render_title_bar(self.session, title, buf);
        let inner = Rect {
            x: body.x + 1,
            width: body.width.saturating_sub(2),
            ..body
        };
        match self.session.screen {
            Screen::Welcome => welcome::render(self, inner, buf),
            Screen::Threat(threat) => threat::render(self, threat, inner, buf),
            Screen::Item(item) => item::render(self, item, inner, buf),
            Screen::Review => review::render(self, inner, buf),
            Screen::Done => done::render(self, inner, buf),
        }
        render_status(self.session, status, buf);
        render_key_bar(self.session, keys, buf);
        if let Some(popup) = &self.session.popup {
            popup::render(self, popup, body, buf);
        }
    }
}

/// The top bar: the tool on the left, where the operator is on the right.
fn render_title_bar(session: &Session, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, THEME.title);
    let threats = session.threats();
    let place = match &session.screen {
        Screen::Welcome => "welcome".to_owned(),
        Screen::Threat(t) => format!(
            "threat {} of {}: {}",
            threats.iter().position(|x| x == t).map_or(0, |p| p + 1),
            threats.len(),
            threat::short(*t, true)
        ),
        Screen::Item(i) => {
            let threat = session.finding(*i).rule.threat;
            let same = session.items_of(threat);
            format!(
                "{} · proposal {} of {}",
                threat::short(threat, true),
                same.iter().position(|x| x == i).map_or(0, |p| p + 1),
                same.len()
            )
        }
        Screen::Review => "review and write".to_owned(),
        Screen::Done => "done".to_owned(),
    };
    let right = format!("{place} ");
    let right_width = u16::try_from(text::width(&right)).unwrap_or(u16::MAX);
    Line::from(Span::styled(" kratos-harden wizard", THEME.title)).render(area, buf);
    if right_width + 24 <= area.width {
        let x = area.x + area.width - right_width;
        buf.set_string(x, area.y, right, THEME.breadcrumb);
    }
}

/// The status line: the notice if there is one, else how far the walk is.
fn render_status(session: &Session, area: Rect, buf: &mut Buffer) {
    let line = if let Some(notice) = &session.notice {
        Line::from(Span::styled(format!(" {notice}"), THEME.notice))
    } else {
        let (accepted, skipped, pending, _) = counts(session);
        let tally = format!(" {accepted} accepted · {skipped} skipped · {pending} to decide");
        let text = match session.screen {
            Screen::Done => String::new(),
            Screen::Review => format!("{tally} · only accepted fixes are written"),
            _ => format!("{tally} · nothing is written until Review"),
        };
        Line::from(Span::styled(
            text::truncate(&text, usize::from(area.width)),
            THEME.muted,
        ))
    };
    Paragraph::new(line).render(area, buf);
}

/// The key bar, built from the key table: what fits in table order, with quit and help
/// always kept (last).
fn render_key_bar(session: &Session, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, THEME.key_bar);
    let bindings = keys::bar(session);
    let cost = |b: &keys::Binding| text::width(b.label) + text::width(b.action) + 4;
    let pinned = |b: &keys::Binding| {
        matches!(
            b.does,
            keys::Does::Send(crate::review::Message::Quit | crate::review::Message::Help)
        )
    };
    let mut room = usize::from(area.width).saturating_sub(
        1 + bindings
            .iter()
            .filter(|b| pinned(b))
            .map(|b| cost(b))
            .sum::<usize>(),
    );
    let mut chosen = Vec::new();
    for binding in bindings.iter().filter(|b| !pinned(b)) {
        if cost(binding) <= room {
            room -= cost(binding);
            chosen.push(*binding);
        }
    }
    chosen.extend(bindings.iter().filter(|b| pinned(b)));
    let mut spans = vec![Span::raw(" ")];
    for (n, binding) in chosen.iter().enumerate() {
        if n > 0 {
            spans.push(Span::styled(" · ", THEME.muted));
        }
        spans.push(Span::styled(binding.label, THEME.key));
        spans.push(Span::styled(
            format!(" {}", binding.action),
            THEME.key_action,
        ));
    }
    Line::from(spans).render(area, buf);
}

/// Accepted (edited included), skipped, pending and manual proposals.
#[must_use]
pub fn counts(session: &Session) -> (usize, usize, usize, usize) {
    let t = session.tally();
    (t.accepted, t.skipped, t.pending, t.manual)
}

/// A one-character mark for a decision (`!` for a manual step).
#[must_use]
pub fn mark(session: &Session, item: usize) -> (&'static str, ratatui::style::Style) {
    if session.items[item].ops.is_empty() {
        return ("!", THEME.manual);
    }
    match session.decisions[item] {
        Decision::Accept => ("✓", THEME.done),
        Decision::Edited(_) => ("✎", THEME.done),
        Decision::Skip => ("✗", THEME.muted),
        Decision::Pending => ("?", THEME.heading),
    }
}
