//! The full-screen front-end of the review session (ratatui over crossterm).
//!
//! It owns the terminal and nothing else: the [`Session`] decides, this module draws it and
//! turns keys into [`Message`]s (ratatui's Elm-style `simple` template: draw, read one event,
//! update, repeat, all on one thread). [`keys`] holds the one key table, [`theme`] the styles,
//! and `view` one file per screen. [`draw`] and [`message_for`] are public so tests drive
//! the real views with messages on a `TestBackend`.
//!
//! The terminal is restored on every exit path: normal return, error (restored before the
//! error propagates), panic (ratatui's init installs the hook) and Ctrl-C, which raw mode
//! delivers as a key rather than a signal.

pub mod keys;
pub mod theme;
mod view;

use std::io;

use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event};
use ratatui::{Frame, Terminal};

use crate::review::{Effect, Message, Session};

pub use keys::message_for;

/// Writes the accepted changes and returns one line per file written (the command layer's job).
pub type Writer<'a> = dyn FnMut(&Session) -> anyhow::Result<Vec<String>> + 'a;

/// Runs the wizard on the terminal until the operator quits or has written.
pub fn run(session: &mut Session, write: &mut Writer<'_>) -> anyhow::Result<()> {
    let mut terminal = match ratatui::try_init() {
        Ok(terminal) => terminal,
        Err(e) => {
            ratatui::restore();
            return Err(anyhow::Error::new(e).context("cannot start the full-screen wizard"));
        }
    };
    let result = drive(&mut terminal, session, write, &mut event::read);
    ratatui::restore();
    result
}

/// The loop on any backend: draw, wait for an event, update; returns when the session asks
/// to exit. `next_event` is `crossterm::event::read` on a real terminal, a script in tests.
pub fn drive<B>(
    terminal: &mut Terminal<B>,
    session: &mut Session,
    write: &mut Writer<'_>,
    next_event: &mut dyn FnMut() -> io::Result<Event>,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    loop {
        terminal.draw(|frame| draw(frame, session))?;
        // A resize (or any non-key event) just redraws at the new size.
        let Event::Key(key) = next_event()? else {
            continue;
        };
        let Some(message) = message_for(key, session) else {
            continue;
        };
        match session.update(message) {
            Some(Effect::Exit) => return Ok(()),
            Some(Effect::Write) => match write(session) {
                Ok(report) => session.written(report),
                Err(e) => {
                    // Close the question and stay on Review with the reason.
                    session.update(Message::No);
                    let reason = session.masker().apply(&format!("{e:#}"));
                    session.notice = Some(format!("Nothing was written: {reason}"));
                }
            },
            None => {}
        }
    }
}

/// Draws one frame of `session` (it fills the session's preview cache when the screen shows
/// the diff, and keeps the Review scroll offset within what fits on screen).
pub fn draw(frame: &mut Frame, session: &mut Session) {
    if view::needs_preview(session) {
        session.preview();
    }
    let shown_top = {
        let view = view::View::new(session);
        frame.render_widget(&view, frame.area());
        view.shown_top.get()
    };
    if let Some(top) = shown_top {
        session.scroll = top;
    }
}
