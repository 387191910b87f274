//! The dialogs over a screen: the write, unsafe-fix and quit questions, the value editor, one
//! item's diff, and the key help (drawn from the key table).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Widget};

use super::{View, counts, diff, text};
use crate::mask::Masker;
use crate::patch::Op;
use crate::review::{Decision, EditKind, Popup, Preview, Session, edit_ops};
use crate::tui::keys::{self, Binding};
use crate::tui::theme::THEME;

/// Draws `popup` centred in `area` (the screen body).
pub fn render(view: &View<'_>, popup: &Popup, area: Rect, buf: &mut Buffer) {
    let session = view.session;
    let width = usize::from(area.width.saturating_sub(4).min(72));
    let room = width.saturating_sub(4);
    let (title, lines) = match popup {
        Popup::ConfirmWrite => (" Write the changes? ", confirm_write(view, room)),
        Popup::ConfirmUnsafe(item) => (" Apply an unsafe fix? ", confirm_unsafe(view, *item, room)),
        Popup::ConfirmQuit => (" Quit? ", confirm_quit(session, room)),
        Popup::Edit {
            item,
            buffer,
            error,
        } => (
            " Edit the proposed value ",
            edit(view, *item, buffer, error.as_deref(), room),
        ),
        Popup::ItemDiff(item) => return render_item_diff(view, *item, area, buf),
        Popup::Help => return render_help(area, buf),
    };
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let frame = centered(area, u16::try_from(width).unwrap_or(u16::MAX), height);
    let block = framed(title, &keys::bar(session));
    Clear.render(frame, buf);
    let inner = block.inner(frame);
    block.render(frame, buf);
    Paragraph::new(lines).render(inner, buf);
}

/// A popup frame with the keys it answers to in its bottom border.
fn framed<'a>(title: &'a str, bindings: &[&'static Binding]) -> Block<'a> {
    let mut hint = vec![Span::raw(" ")];
    for (n, binding) in bindings.iter().enumerate() {
        if n > 0 {
            hint.push(Span::styled(" · ", THEME.muted));
        }
        hint.push(Span::styled(binding.label, THEME.key));
        hint.push(Span::styled(
            format!(" {}", binding.action),
            THEME.key_action,
        ));
    }
    hint.push(Span::raw(" "));
    Block::bordered()
        .padding(Padding::horizontal(1))
        .border_style(THEME.popup)
        .title(Span::styled(title, THEME.heading))
        .title_bottom(Line::from(hint).right_aligned())
}

/// A `width`×`height` rectangle in the middle of `area` (clamped to it).
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [_, row, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height.min(area.height)),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, cell, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(width.min(area.width)),
        Constraint::Fill(1),
    ])
    .areas(row);
    cell
}

fn para(text: &str, style: ratatui::style::Style, max: usize) -> Vec<Line<'static>> {
    text::wrap(text, max)
        .into_iter()
        .map(|l| Line::styled(l, style))
        .collect()
}

fn confirm_write(view: &View<'_>, max: usize) -> Vec<Line<'static>> {
    let session = view.session;
    let empty = crate::review::Preview::default();
    let asked = session.write_question(view.preview.unwrap_or(&empty));
    let stats = view
        .preview
        .map(|p| format!(" ({} lines)", diff::stats(&p.lines)))
        .unwrap_or_default();
    let question = match asked.question.strip_suffix('?') {
        Some(head) => format!("{head}{stats}?"),
        None => asked.question.clone(),
    };
    let mut lines = para(&question, THEME.heading, max);
    for (index, detail) in asked.details.iter().enumerate() {
        // The last line, about undecided proposals, is a side note.
        let style = if index > 0 && detail.ends_with("not written.") {
            THEME.muted
        } else {
            THEME.text
        };
        lines.extend(para(detail, style, max));
    }
    lines
}

fn confirm_unsafe(view: &View<'_>, item: usize, max: usize) -> Vec<Line<'static>> {
    let session = view.session;
    let finding = session.finding(item);
    let rule = finding.rule;
    let mut lines = para(
        &format!("{} {}", rule.id, text::plain(rule.title)),
        THEME.heading,
        max,
    );
    for op in &session.items[item].ops {
        let change = match op {
            Op::Set { path, value } => {
                format!("Sets {path} to {}", text::shown(value, &view.masker))
            }
            Op::Prepend { path, value } => {
                format!("Adds {} first in {path}", text::shown(value, &view.masker))
            }
            Op::Remove { path } => format!("Removes {path}"),
        };
        lines.extend(para(&change, THEME.added, max));
    }
    lines.push(Line::default());
    lines.push(Line::styled("What may break", THEME.unsafe_fix));
    lines.extend(para(&text::plain(&session.breaks(item)), THEME.text, max));
    lines
}

fn confirm_quit(session: &Session, max: usize) -> Vec<Line<'static>> {
    let (accepted, ..) = counts(session);
    para(
        &format!(
            "Quit without writing? {} will be lost; the files stay as they are.",
            text::plural(accepted, "accepted fix", "accepted fixes")
        ),
        THEME.text,
        max,
    )
}

fn edit(
    view: &View<'_>,
    item: usize,
    buffer: &str,
    error: Option<&str>,
    max: usize,
) -> Vec<Line<'static>> {
    let session = view.session;
    let proposal = &session.items[item];
    let path = proposal.ops.first().map_or("", Op::path);
    let cipher = path == "secrets.cipher";
    let hint = match proposal.edit {
        Some(EditKind::Duration) => "A Go duration such as 15m, 1h or 24h.",
        Some(EditKind::Bool) => "true or false.",
        Some(EditKind::Integer) => "A whole number.",
        Some(EditKind::Url) => "An http(s) URL.",
        Some(EditKind::UrlList) => "http(s) URLs, separated by commas.",
        Some(EditKind::Secret(_)) if cipher => {
            "Exactly 32 random ASCII characters; hidden as you type (s on Review reveals secrets)."
        }
        Some(EditKind::Secret(_)) => {
            "At least 32 random characters; hidden as you type (s on Review reveals secrets)."
        }
        Some(EditKind::Text) | None => "Text, not empty.",
    };
    let mut lines = para(path, THEME.label, max);
    lines.extend(para(hint, THEME.muted, max));
    let shown = text::shown_input(buffer, proposal.edit, session.reveal);
    let room = max.saturating_sub(3);
    let visible = if text::width(&shown) > room {
        let tail: String = shown.chars().skip(text::width(&shown) + 1 - room).collect();
        format!("…{tail}")
    } else {
        shown
    };
    lines.push(Line::from(vec![
        Span::styled("› ", THEME.label),
        Span::styled(visible, THEME.value),
        Span::styled("█", THEME.label),
    ]));
    match error {
        Some(error) => lines.extend(para(&view.masker.apply(error), THEME.error, max)),
        None => lines.push(Line::default()),
    }
    lines
}

/// The diff of one item's change (edited value included), masked like everything else.
#[must_use]
pub fn item_preview(session: &Session, item: usize, masker: &Masker) -> Preview {
    let proposal = &session.items[item];
    let ops = match &session.decisions[item] {
        Decision::Edited(value) => edit_ops(&proposal.ops, value),
        _ => proposal.ops.clone(),
    };
    let file = session.finding(item).file;
    Preview::build(&session.deployment, &[(file, ops)], masker)
}

fn render_item_diff(view: &View<'_>, item: usize, area: Rect, buf: &mut Buffer) {
    let session = view.session;
    let frame = centered(area, area.width.saturating_sub(2), area.height);
    let rule = session.finding(item).rule;
    let title = format!(" Diff of {} ", rule.id);
    let mut block = framed(
        &title,
        &keys::viewer_close().into_iter().collect::<Vec<_>>(),
    );
    let preview = view.item_diff.as_ref();
    let lines = preview.map_or(&[][..], |p| p.lines.as_slice());
    let inner = block.inner(frame);
    if lines.len() > usize::from(inner.height) {
        block = block.title(
            Line::styled(
                format!(
                    " {} more lines on Review ",
                    lines.len() - usize::from(inner.height)
                ),
                THEME.muted,
            )
            .right_aligned(),
        );
    }
    Clear.render(frame, buf);
    block.render(frame, buf);
    let problem = preview.and_then(|p| p.error.clone().or_else(|| p.refused.first().cloned()));
    if lines.is_empty() {
        let message = problem.unwrap_or_else(|| {
            "This proposal changes nothing in the file: it is a manual step or another fix \
             already covers it."
                .to_owned()
        });
        Paragraph::new(para(
            &view.masker.apply(&message),
            THEME.muted,
            usize::from(inner.width),
        ))
        .render(inner, buf);
        return;
    }
    diff::render(lines, 0, &view.masker, inner, buf);
}

fn render_help(area: Rect, buf: &mut Buffer) {
    let sections = keys::help();
    let label_width = KEY_COLUMN;
    // Sections flow top to bottom into as few columns as the height allows.
    let inner_height = usize::from(area.height.saturating_sub(2));
    let mut columns: Vec<Vec<Line<'static>>> = vec![Vec::new()];
    for (title, rows) in sections {
        let needed = rows.len() + 1;
        let mut last = columns.len() - 1;
        if !columns[last].is_empty() && columns[last].len() + needed > inner_height {
            columns.push(Vec::new());
            last += 1;
        }
        let column = &mut columns[last];
        column.push(Line::styled(title, THEME.heading));
        for binding in rows {
            column.push(Line::from(vec![
                Span::styled(format!(" {:<label_width$}", binding.label), THEME.key),
                Span::styled(binding.action, THEME.key_action),
            ]));
        }
    }
    let count = u16::try_from(columns.len()).unwrap_or(1);
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(0);
    let width = (HELP_COLUMN * count + 4).min(area.width);
    let height = u16::try_from(tallest + 2).unwrap_or(u16::MAX);
    let frame = centered(area, width, height);
    let block = framed(
        " Keys ",
        &keys::viewer_close().into_iter().collect::<Vec<_>>(),
    );
    let inner = block.inner(frame);
    Clear.render(frame, buf);
    block.render(frame, buf);
    let column_width = inner.width / count;
    for (n, lines) in columns.into_iter().enumerate() {
        let x = inner.x + column_width * u16::try_from(n).unwrap_or(0);
        let rect = Rect {
            x,
            width: column_width,
            ..inner
        };
        Paragraph::new(lines).render(rect, buf);
    }
}

/// Width of one column of the help.
const HELP_COLUMN: u16 = 38;

/// Width of the key column in the help.
const KEY_COLUMN: usize = 12;
