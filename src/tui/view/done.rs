//! The Done screen: what was written (with its backup), what was decided, and the steps only
//! the operator can take now.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{View, counts, text};
use crate::tui::theme::THEME;

/// The Done screen.
pub fn render(view: &View<'_>, area: Rect, buf: &mut Buffer) {
    let session = view.session;
    let max = usize::from(area.width);
    let mut lines = vec![Line::styled("Written", THEME.heading)];
    if session.report.is_empty() {
        lines.push(Line::styled("  nothing was written", THEME.muted));
    }
    for written in &session.report {
        for (n, part) in text::wrap(&view.masker.apply(written), max.saturating_sub(4))
            .into_iter()
            .enumerate()
        {
            let sign = if n == 0 { "  ✓ " } else { "    " };
            lines.push(Line::from(vec![
                Span::styled(sign, THEME.done),
                Span::styled(part, THEME.value),
            ]));
        }
    }
    let (accepted, skipped, pending, manual) = counts(session);
    let refused = match session.tally().refused {
        0 => String::new(),
        n => format!(", {n} refused by the proof (not written)"),
    };
    let tally = format!(
        "{accepted} accepted{refused}, {skipped} skipped, {pending} left undecided (not written), {}.",
        text::plural(manual, "manual step", "manual steps")
    );
    lines.extend(
        text::wrap(&tally, max)
            .into_iter()
            .map(|l| Line::styled(l, THEME.muted)),
    );
    let files: Vec<&str> = view.preview.map_or_else(Vec::new, |p| {
        p.changes
            .iter()
            .map(|c| session.deployment.source(c.file).display.as_str())
            .collect()
    });
    if let Some(file) = files.first().filter(|_| !session.report.is_empty()) {
        lines.extend(
            text::wrap(
                &format!(
                    "The previous content is in the backup named above: kratos-harden undo \
                     {file} restores it."
                ),
                max,
            )
            .into_iter()
            .map(|l| Line::styled(l, THEME.muted)),
        );
    }
    lines.push(Line::default());
    lines.push(Line::styled("Next steps", THEME.heading));
    let steps = session.next_steps();
    for (n, step) in steps.iter().enumerate() {
        for (k, part) in text::wrap(step, max.saturating_sub(5))
            .into_iter()
            .enumerate()
        {
            let head = if k == 0 {
                format!("  {}. ", n + 1)
            } else {
                "     ".to_owned()
            };
            lines.push(Line::from(vec![
                Span::styled(head, THEME.label),
                Span::styled(part, THEME.text),
            ]));
        }
    }
    Paragraph::new(lines).render(area, buf);
}
