//! The wizard's colours and text styles, in one constant (as ratatui's demo2 `THEME`). Views
//! never build a colour themselves; they pick a field here. Meaning never rests on colour
//! alone: every coloured word is also written out (`critical`, `unsafe`, `+`/`-`).

use ratatui::style::{Color, Modifier, Style};

use crate::rules::{Applicability, Severity};

/// Every style the views use.
pub struct Theme {
    /// The top bar.
    pub title: Style,
    /// Where the operator is, on the right of the top bar.
    pub breadcrumb: Style,
    /// Headings inside a screen.
    pub heading: Style,
    /// Labels in front of values (`Now`, `Why`).
    pub label: Style,
    /// Body text.
    pub text: Style,
    /// Secondary text.
    pub muted: Style,
    /// Config values (current and proposed).
    pub value: Style,
    /// A key in the key bar or help.
    pub key: Style,
    /// What a key does.
    pub key_action: Style,
    /// The key bar's background.
    pub key_bar: Style,
    /// The one-line notice.
    pub notice: Style,
    /// Errors (write failed, invalid edit).
    pub error: Style,
    /// Popup frames.
    pub popup: Style,
    /// The current threat or item in the side panel.
    pub current: Style,
    /// Decided items.
    pub done: Style,
    /// Diff: file and hunk headers.
    pub diff_header: Style,
    /// Diff: removed line.
    pub removed: Style,
    /// Diff: added line.
    pub added: Style,
    /// Diff: the changed words of a removed line.
    pub removed_word: Style,
    /// Diff: the changed words of an added line.
    pub added_word: Style,
    /// Severity colours, worst first.
    pub critical: Style,
    /// High severity.
    pub high: Style,
    /// Medium severity.
    pub medium: Style,
    /// Low severity.
    pub low: Style,
    /// Info severity.
    pub info: Style,
    /// Fix safety: safe.
    pub safe: Style,
    /// Fix safety: unsafe (asks first).
    pub unsafe_fix: Style,
    /// Fix safety: manual (guidance only).
    pub manual: Style,
}

/// The wizard's theme (16 ANSI colours, so it follows the terminal's palette).
pub const THEME: Theme = Theme {
    title: Style::new()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD),
    breadcrumb: Style::new().fg(Color::Black).bg(Color::Cyan),
    heading: Style::new().add_modifier(Modifier::BOLD),
    label: Style::new().fg(Color::Cyan),
    text: Style::new(),
    muted: Style::new().fg(Color::DarkGray),
    value: Style::new().fg(Color::White).add_modifier(Modifier::BOLD),
    key: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    key_action: Style::new().fg(Color::Gray),
    key_bar: Style::new(),
    notice: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    error: Style::new()
        .fg(Color::LightRed)
        .add_modifier(Modifier::BOLD),
    popup: Style::new().fg(Color::Cyan),
    current: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
    done: Style::new().fg(Color::Green),
    diff_header: Style::new().fg(Color::Cyan),
    removed: Style::new().fg(Color::Red),
    added: Style::new().fg(Color::Green),
    removed_word: Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD),
    added_word: Style::new()
        .fg(Color::Black)
        .bg(Color::Green)
        .add_modifier(Modifier::BOLD),
    critical: Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
    high: Style::new()
        .fg(Color::LightRed)
        .add_modifier(Modifier::BOLD),
    medium: Style::new().fg(Color::Yellow),
    low: Style::new().fg(Color::Blue),
    info: Style::new().fg(Color::Gray),
    safe: Style::new().fg(Color::Green),
    unsafe_fix: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    manual: Style::new().fg(Color::Cyan),
};

impl Theme {
    /// The colour of a severity.
    #[must_use]
    pub const fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    /// The colour of a fix safety.
    #[must_use]
    pub const fn applicability(&self, applicability: Applicability) -> Style {
        match applicability {
            Applicability::Safe => self.safe,
            Applicability::Unsafe => self.unsafe_fix,
            Applicability::Manual => self.manual,
        }
    }
}
