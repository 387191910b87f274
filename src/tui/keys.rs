//! The one key table: which key sends which [`Message`] in which mode. Dispatch
//! ([`message_for`]), the key bar ([`bar`]) and the `?` help ([`help`]) all read [`KEYS`], so
//! what the bar shows is what the keys do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::review::{Message, Popup, Screen, Session};
use crate::rules::Applicability;

/// Lines moved by PgUp/PgDn on Review (a page at 80×24).
pub const PAGE: i32 = 10;

/// Where the keyboard is: a screen, or the popup over it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The welcome screen.
    Welcome,
    /// A threat's introduction.
    Threat,
    /// One proposal.
    Item,
    /// Every decision and the diff.
    Review,
    /// Written.
    Done,
    /// A yes/no question (unsafe fix, write, quit).
    Dialog,
    /// Typing a value.
    Edit,
    /// A popup that only shows something (item diff, help).
    Viewer,
}

impl Mode {
    /// The mode of a session: its popup's, else its screen's.
    #[must_use]
    pub fn of(session: &Session) -> Self {
        match (&session.popup, &session.screen) {
            (Some(Popup::Edit { .. }), _) => Mode::Edit,
            (Some(Popup::ConfirmUnsafe(_) | Popup::ConfirmWrite | Popup::ConfirmQuit), _) => {
                Mode::Dialog
            }
            (Some(Popup::ItemDiff(_) | Popup::Help), _) => Mode::Viewer,
            (None, Screen::Welcome) => Mode::Welcome,
            (None, Screen::Threat(_)) => Mode::Threat,
            (None, Screen::Item(_)) => Mode::Item,
            (None, Screen::Review) => Mode::Review,
            (None, Screen::Done) => Mode::Done,
        }
    }
}

/// A key as the table names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// A character key without Ctrl or Alt.
    Char(char),
    /// A character with Ctrl.
    Ctrl(char),
    /// Any printable character (typing).
    Printable,
    /// Enter.
    Enter,
    /// Esc.
    Esc,
    /// Backspace.
    Backspace,
    /// Tab.
    Tab,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// Home.
    Home,
    /// End.
    End,
}

impl Key {
    /// True when `event` is this key.
    #[must_use]
    pub fn matches(self, event: &KeyEvent) -> bool {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let alt = event.modifiers.contains(KeyModifiers::ALT);
        match (self, event.code) {
            (Key::Char(want), KeyCode::Char(c)) => !ctrl && !alt && c == want,
            (Key::Ctrl(want), KeyCode::Char(c)) => ctrl && c.eq_ignore_ascii_case(&want),
            (Key::Printable, KeyCode::Char(c)) => !ctrl && !alt && !c.is_control(),
            (Key::Enter, KeyCode::Enter)
            | (Key::Esc, KeyCode::Esc)
            | (Key::Backspace, KeyCode::Backspace)
            | (Key::Tab, KeyCode::Tab)
            | (Key::Up, KeyCode::Up)
            | (Key::Down, KeyCode::Down)
            | (Key::PageUp, KeyCode::PageUp)
            | (Key::PageDown, KeyCode::PageDown)
            | (Key::Home, KeyCode::Home)
            | (Key::End, KeyCode::End) => true,
            _ => false,
        }
    }
}

/// What a binding sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Does {
    /// This message.
    Send(Message),
    /// The typed character as [`Message::Input`].
    Type,
    /// [`Message::Scroll`] by an amount that depends on the key (line, page, ends).
    Scroll,
}

/// When a binding is worth showing in the key bar (it is dispatched regardless).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// Always.
    Always,
    /// Only in the `?` help, not in the bar.
    HelpOnly,
    /// On a proposal that can be accepted (not a manual one).
    Fixable,
    /// On a manual proposal (nothing to accept).
    Manual,
    /// On a proposal whose value can be typed.
    Editable,
    /// On a proposal with a generated secret.
    Secret,
}

/// One row of the key table.
#[derive(Clone, Debug)]
pub struct Binding {
    /// The keys, any of which triggers it.
    pub keys: &'static [Key],
    /// How the keys are written in the bar and help.
    pub label: &'static str,
    /// What it does, in a word or two.
    pub action: &'static str,
    /// The modes it works in.
    pub modes: &'static [Mode],
    /// What it sends.
    pub does: Does,
    /// When the bar shows it.
    pub shown: Shown,
}

const fn bind(
    keys: &'static [Key],
    label: &'static str,
    action: &'static str,
    modes: &'static [Mode],
    does: Does,
    shown: Shown,
) -> Binding {
    Binding {
        keys,
        label,
        action,
        modes,
        does,
        shown,
    }
}

use Does::Send;
use Mode::{Dialog, Done, Edit, Item, Review, Threat, Viewer, Welcome};

const ANY: &[Mode] = &[Welcome, Threat, Item, Review, Done, Dialog, Edit, Viewer];
const WALK: &[Mode] = &[Welcome, Threat, Item, Review];

#[rustfmt::skip]
/// The key table, first match wins; within a mode, rows are in key-bar priority order.
pub static KEYS: &[Binding] = &[
    bind(&[Key::Ctrl('c')], "Ctrl-C", "quit now, write nothing", ANY, Send(Message::ForceQuit), Shown::HelpOnly),
    // Typing a value.
    bind(&[Key::Enter], "Enter", "use this value", &[Edit], Send(Message::Accept), Shown::Always),
    bind(&[Key::Esc], "Esc", "cancel", &[Edit], Send(Message::No), Shown::Always),
    bind(&[Key::Backspace], "Backspace", "delete", &[Edit], Send(Message::DeleteChar), Shown::Always),
    bind(&[Key::Printable], "text", "type", &[Edit], Does::Type, Shown::HelpOnly),
    // Questions and viewers.
    bind(&[Key::Char('y'), Key::Enter], "y/Enter", "yes", &[Dialog], Send(Message::Yes), Shown::Always),
    bind(&[Key::Char('n'), Key::Esc], "n/Esc", "no", &[Dialog], Send(Message::No), Shown::Always),
    bind(&[Key::Esc, Key::Enter, Key::Char('q'), Key::Char('d'), Key::Char('?')], "Esc/Enter", "close", &[Viewer], Send(Message::No), Shown::Always),
    // The walk.
    bind(&[Key::Enter], "Enter", "continue", &[Welcome, Threat], Send(Message::Accept), Shown::Always),
    bind(&[Key::Enter, Key::Char('y')], "Enter/y", "accept", &[Item], Send(Message::Accept), Shown::Fixable),
    bind(&[Key::Enter, Key::Char('y')], "Enter", "next", &[Item], Send(Message::Accept), Shown::Manual),
    bind(&[Key::Char('n')], "n", "skip", &[Item], Send(Message::Skip), Shown::Fixable),
    bind(&[Key::Char('e')], "e", "edit", &[Item], Send(Message::StartEdit), Shown::Editable),
    bind(&[Key::Char('r')], "r", "new secret", &[Item], Send(Message::Regenerate), Shown::Secret),
    bind(&[Key::Char('d')], "d", "diff", &[Item], Send(Message::ShowDiff), Shown::Fixable),
    bind(&[Key::Char('w'), Key::Enter], "w", "write", &[Review], Send(Message::Write), Shown::Always),
    bind(&[Key::Char('s')], "s", "reveal/mask secrets", &[Review], Send(Message::ToggleReveal), Shown::Always),
    bind(&[Key::Up, Key::Down, Key::PageUp, Key::PageDown, Key::Home, Key::End], "↑↓ PgUp/Dn", "scroll", &[Review], Does::Scroll, Shown::Always),
    bind(&[Key::Char('b'), Key::Backspace], "b/Bksp", "back", &[Threat, Item, Review], Send(Message::Back), Shown::Always),
    bind(&[Key::Tab], "Tab", "next threat", &[Threat, Item], Send(Message::NextThreat), Shown::Always),
    bind(&[Key::Char('a')], "a", "accept all safe", &[Welcome, Threat, Item, Review], Send(Message::AcceptAllSafe), Shown::Always),
    bind(&[Key::Enter, Key::Char('q'), Key::Esc], "Enter/q", "exit", &[Done], Send(Message::Accept), Shown::Always),
    bind(&[Key::Char('q'), Key::Esc], "q/Esc", "quit", WALK, Send(Message::Quit), Shown::Always),
    bind(&[Key::Char('?')], "?", "help", WALK, Send(Message::Help), Shown::Always),
];

/// The message for a key press in the session's current mode (`None`: the key does nothing
/// here, or it is a release/repeat event).
#[must_use]
pub fn message_for(key: KeyEvent, session: &Session) -> Option<Message> {
    if key.kind != KeyEventKind::Press {
        return None;
    }
    let mode = Mode::of(session);
    let binding = KEYS
        .iter()
        .filter(|b| b.modes.contains(&mode))
        .find(|b| b.keys.iter().any(|k| k.matches(&key)))?;
    Some(match &binding.does {
        Send(message) => message.clone(),
        Does::Type => match key.code {
            KeyCode::Char(c) => Message::Input(c),
            _ => return None,
        },
        Does::Scroll => Message::Scroll(match key.code {
            KeyCode::Up => -1,
            KeyCode::Down => 1,
            KeyCode::PageUp => -PAGE,
            KeyCode::PageDown => PAGE,
            KeyCode::Home => i32::MIN,
            KeyCode::End => i32::MAX,
            _ => return None,
        }),
    })
}

/// The bindings the key bar offers now, in priority order.
#[must_use]
pub fn bar(session: &Session) -> Vec<&'static Binding> {
    let mode = Mode::of(session);
    let item = match session.screen {
        Screen::Item(i) => session.items.get(i),
        _ => None,
    };
    let manual = item.is_some_and(|i| i.ops.is_empty() || i.applicability == Applicability::Manual);
    KEYS.iter()
        .filter(|b| b.modes.contains(&mode))
        .filter(|b| match b.shown {
            Shown::Always => true,
            Shown::HelpOnly => false,
            Shown::Fixable => !manual,
            Shown::Manual => manual,
            Shown::Editable => item.is_some_and(|i| i.edit.is_some()),
            Shown::Secret => match session.screen {
                Screen::Item(i) => has_generated_secret(session, i),
                _ => false,
            },
        })
        .collect()
}

/// The `?` help: the key table in sections (a key of every walking screen is listed once,
/// under "Everywhere").
#[must_use]
pub fn help() -> Vec<(&'static str, Vec<&'static Binding>)> {
    const SECTIONS: [(&str, &[Mode]); 6] = [
        ("Welcome, threats, proposals", &[Welcome, Threat, Item]),
        ("Everywhere", &[]),
        ("Done", &[Done]),
        ("Review", &[Review]),
        ("Yes/no questions", &[Dialog]),
        ("Editing a value", &[Edit]),
    ];
    let everywhere = |b: &Binding| WALK.iter().all(|m| b.modes.contains(m));
    SECTIONS
        .iter()
        .map(|(title, modes)| {
            let mut rows: Vec<&'static Binding> = Vec::new();
            for binding in KEYS {
                let wanted = if modes.is_empty() {
                    everywhere(binding)
                } else {
                    !everywhere(binding) && binding.modes.iter().any(|m| modes.contains(m))
                };
                let seen = rows
                    .iter()
                    .any(|r| r.label == binding.label && r.action == binding.action);
                if wanted && !seen {
                    rows.push(binding);
                }
            }
            (*title, rows)
        })
        .collect()
}

/// The keys that close a viewer popup, as the table writes them.
#[must_use]
pub fn viewer_close() -> Option<&'static Binding> {
    KEYS.iter().find(|b| b.modes == [Viewer])
}

/// Whether proposal `item` writes a secret generated in this session (the session decides).
#[must_use]
pub fn has_generated_secret(session: &Session, item: usize) -> bool {
    session.writes_generated_secret(item)
}
