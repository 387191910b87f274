//! The side panel of the threat and proposal screens: each threat with its progress
//! (decided/fixable), then the current threat's proposals with their decision marks.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding, Paragraph, Widget};

use super::{View, mark, text, threat};
use crate::review::Decision;
use crate::rules::Threat;
use crate::tui::theme::THEME;

/// Splits a screen into the main column and the side panel (wider on wide terminals).
#[must_use]
pub fn split(area: Rect) -> (Rect, Rect) {
    let side = if area.width >= 110 { 34 } else { 21 };
    let [main, _, side] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(side),
    ])
    .areas(area);
    (main, side)
}

/// The panel: threats with progress, then the items of `current`.
pub fn render(view: &View<'_>, current: Option<Threat>, area: Rect, buf: &mut Buffer) {
    let session = view.session;
    let block = Block::new()
        .borders(Borders::LEFT)
        .border_style(THEME.muted)
        .padding(Padding::left(1));
    let inner = block.inner(area);
    block.render(area, buf);
    let wide = inner.width >= 30;
    let max = usize::from(inner.width);
    let mut lines = vec![Line::styled("Progress", THEME.heading)];
    for threat in session.threats() {
        let items = session.items_of(threat);
        let fixable: Vec<usize> = items
            .iter()
            .copied()
            .filter(|i| !session.items[*i].ops.is_empty())
            .collect();
        let decided = fixable
            .iter()
            .filter(|i| session.decisions[**i] != Decision::Pending)
            .count();
        let tally = if fixable.is_empty() {
            "manual".to_owned()
        } else {
            format!("{decided}/{}", fixable.len())
        };
        let is_current = current == Some(threat);
        let name = threat::short(threat, wide);
        let pad = max.saturating_sub(2 + text::width(name) + text::width(&tally));
        let style = if is_current {
            THEME.current
        } else if !fixable.is_empty() && decided == fixable.len() {
            THEME.done
        } else {
            THEME.text
        };
        lines.push(Line::from(vec![
            Span::styled(if is_current { "▸ " } else { "  " }, THEME.current),
            Span::styled(format!("{name}{}{tally}", " ".repeat(pad)), style),
        ]));
    }
    if let Some(threat) = current {
        lines.push(Line::default());
        lines.push(Line::styled(threat::short(threat, wide), THEME.heading));
        let here = match session.screen {
            crate::review::Screen::Item(i) => Some(i),
            _ => None,
        };
        let items = session.items_of(threat);
        let room = usize::from(inner.height).saturating_sub(lines.len());
        // Keep the current item in sight when the list is longer than the panel.
        let at = here
            .and_then(|h| items.iter().position(|i| *i == h))
            .unwrap_or(0);
        let start = if items.len() > room {
            at.saturating_sub(room / 2).min(items.len() - room)
        } else {
            0
        };
        for &i in items.iter().skip(start).take(room) {
            let (sign, sign_style) = mark(session, i);
            let rule = session.finding(i).rule;
            let pointer = if here == Some(i) { "▸" } else { " " };
            let style = if here == Some(i) {
                THEME.current
            } else {
                THEME.muted
            };
            // Wide: the rule's title; narrow: its severity (a cut title says little).
            let (detail, detail_style) = if wide {
                let title = text::plain(rule.title);
                (text::truncate(&title, max.saturating_sub(9)), style)
            } else {
                let severity = session.finding(i).severity;
                (severity.as_str().to_owned(), THEME.severity(severity))
            };
            lines.push(Line::from(vec![
                Span::styled(pointer, THEME.current),
                Span::styled(sign, sign_style),
                Span::styled(format!(" {} ", rule.id), style),
                Span::styled(detail, detail_style),
            ]));
        }
    }
    Paragraph::new(lines).render(inner, buf);
}
