//! The Review screen: every decision, then the whole session's diff (scrollable, secrets
//! masked unless revealed), and anything the patch engine refused or failed on.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Widget};

use super::{View, counts, diff, mark, text};
use crate::tui::theme::THEME;

/// The Review screen.
pub fn render(view: &View<'_>, area: Rect, buf: &mut Buffer) {
    let mut problems: Vec<Line<'static>> = Vec::new();
    if let Some(preview) = view.preview {
        let max = usize::from(area.width);
        if let Some(error) = &preview.error {
            let error = format!("Cannot build the patch, nothing would be written: {error}");
            problems.extend(
                text::wrap(&view.masker.apply(&error), max)
                    .into_iter()
                    .map(|l| Line::styled(l, THEME.error)),
            );
        }
        for refused in &preview.refused {
            let refused = format!("Left for you (the patch engine refused it): {refused}");
            problems.extend(
                text::wrap(&view.masker.apply(&refused), max)
                    .into_iter()
                    .map(|l| Line::styled(l, THEME.notice)),
            );
        }
        problems.truncate(4);
    }
    let wide = area.width >= 110 && area.height >= 30;
    let (decisions_area, rest) = if wide {
        let [list, _, rest] = Layout::horizontal([
            Constraint::Length(44),
            Constraint::Length(1),
            Constraint::Fill(1),
        ])
        .areas(area);
        (list, rest)
    } else {
        let flow = flow(view, usize::from(area.width));
        let height = flow.len().min(usize::from(area.height / 4).max(2));
        let height = u16::try_from(height).unwrap_or(2);
        let [top, rest] =
            Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
        Paragraph::new(cut(flow, usize::from(height))).render(top, buf);
        (Rect::default(), rest)
    };
    if wide {
        render_list(view, decisions_area, buf);
    }
    let problems_height = u16::try_from(problems.len()).unwrap_or(0);
    let [problems_area, diff_area] =
        Layout::vertical([Constraint::Length(problems_height), Constraint::Fill(1)]).areas(rest);
    Paragraph::new(problems).render(problems_area, buf);
    render_diff(view, diff_area, buf);
}

/// The decisions as a flow of marked ids, after a one-line tally.
fn flow(view: &View<'_>, max: usize) -> Vec<Line<'static>> {
    let session = view.session;
    let (accepted, skipped, pending, manual) = counts(session);
    let mut lines = vec![Line::from(vec![
        Span::styled("Decisions ", THEME.heading),
        Span::styled(
            format!(
                "✓ {accepted} accepted · ✗ {skipped} skipped · ? {pending} to decide · ! {manual} manual"
            ),
            THEME.muted,
        ),
    ])];
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for item in 0..session.items.len() {
        let (sign, style) = mark(session, item);
        let id = session.finding(item).rule.id;
        let cost = text::width(id) + 2;
        if used + cost > max && !line.is_empty() {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        line.push(Span::styled(sign, style));
        line.push(Span::styled(format!("{id} "), style));
        used += cost;
    }
    if !line.is_empty() {
        lines.push(Line::from(line));
    }
    lines
}

/// At most `height` lines; the last says how many were left out.
fn cut(mut lines: Vec<Line<'static>>, height: usize) -> Vec<Line<'static>> {
    if lines.len() > height && height > 0 {
        let left = lines.len() - height + 1;
        lines.truncate(height - 1);
        lines.push(Line::styled(
            format!(
                "… {} more (b goes back to them)",
                text::plural(left, "line", "lines")
            ),
            THEME.muted,
        ));
    }
    lines
}

/// On a wide terminal: one decision per line with its rule title.
fn render_list(view: &View<'_>, area: Rect, buf: &mut Buffer) {
    let session = view.session;
    let block = Block::bordered()
        .border_style(THEME.muted)
        .title(Span::styled(" Decisions ", THEME.heading));
    let inner = block.inner(area);
    block.render(area, buf);
    let (accepted, skipped, pending, manual) = counts(session);
    let max = usize::from(inner.width);
    let mut lines = vec![
        Line::styled(
            format!("✓ {accepted} accepted  ✗ {skipped} skipped  ? {pending} to decide"),
            THEME.muted,
        ),
        Line::styled(
            format!("! {manual} manual steps (listed, not written)"),
            THEME.muted,
        ),
    ];
    for item in 0..session.items.len() {
        let (sign, style) = mark(session, item);
        let finding = session.finding(item);
        let title = text::truncate(&text::plain(finding.rule.title), max.saturating_sub(9));
        lines.push(Line::from(vec![
            Span::styled(sign, style),
            Span::styled(format!(" {} ", finding.rule.id), THEME.heading),
            Span::styled(title, style),
        ]));
    }
    Paragraph::new(cut(lines, usize::from(inner.height))).render(inner, buf);
}

/// The whole diff, from the session's scroll offset (kept within the lines on screen).
fn render_diff(view: &View<'_>, area: Rect, buf: &mut Buffer) {
    let session = view.session;
    let lines = view.preview.map_or(&[][..], |p| p.lines.as_slice());
    let secrets = if session.reveal {
        Span::styled(" SECRETS SHOWN · s masks ", THEME.error)
    } else {
        Span::styled(" secrets masked · s reveals ", THEME.muted)
    };
    let files: Vec<&str> = view.preview.map_or_else(Vec::new, |p| {
        p.changes
            .iter()
            .map(|c| session.deployment.source(c.file).display.as_str())
            .collect()
    });
    let title = if files.is_empty() {
        " Diff ".to_owned()
    } else {
        format!(" Diff · {} · {} ", files.join(", "), diff::stats(lines))
    };
    let mut block = Block::bordered()
        .padding(Padding::left(1))
        .border_style(THEME.muted)
        .title(Span::styled(title, THEME.heading))
        .title(Line::from(secrets).right_aligned());
    let inner = block.inner(area);
    let height = usize::from(inner.height);
    let top = session.scroll.min(lines.len().saturating_sub(height));
    view.shown_top.set(Some(top));
    if lines.len() > height {
        block = block.title_bottom(
            Line::styled(
                format!(
                    " {} · ↑↓ PgUp/PgDn Home/End ",
                    diff::position(top, height, lines.len())
                ),
                THEME.muted,
            )
            .right_aligned(),
        );
    }
    block.render(area, buf);
    if lines.is_empty() {
        let message = if session.has_changes() {
            "The accepted fixes change nothing in the files."
        } else {
            "Nothing accepted yet, so nothing would be written. b goes back to the proposals; \
             a accepts every safe fix."
        };
        let wrapped = text::wrap(message, usize::from(inner.width));
        Paragraph::new(wrapped.into_iter().map(Line::raw).collect::<Vec<_>>())
            .style(THEME.muted)
            .render(inner, buf);
        return;
    }
    diff::render(lines, top, &view.masker, inner, buf);
}
