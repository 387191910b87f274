//! STUB: the line-mode front-end of the review session (`wizard --plain`, inquire prompts).

use crate::review::Session;
use crate::tui::Writer;

/// Runs the same walk as the TUI as line prompts.
pub fn run(_session: &mut Session, _write: &mut Writer<'_>) -> anyhow::Result<()> {
    anyhow::bail!("the line-mode wizard is not built yet")
}
