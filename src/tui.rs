//! STUB: the full-screen front-end of the review session (ratatui + crossterm).

use crate::review::Session;

/// Writes the accepted changes and returns one line per file written (the command layer's job).
pub type Writer<'a> = dyn FnMut(&Session) -> anyhow::Result<Vec<String>> + 'a;

/// Runs the wizard on the terminal until the operator quits or has written.
pub fn run(_session: &mut Session, _write: &mut Writer<'_>) -> anyhow::Result<()> {
    anyhow::bail!("the full-screen wizard is not built yet")
}
