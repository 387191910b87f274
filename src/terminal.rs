//! Writing to the user's terminal: stdout that tolerates a closed pipe, and whether to colour.

use std::io::{IsTerminal as _, Write as _};

/// Writes to stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Whether to colour output: `--color`, then `NO_COLOR` (no-color.org) which wins over
/// `CLICOLOR_FORCE` (colours pipes, for CI logs that render ANSI), then "is stdout a terminal".
#[must_use]
pub fn use_color(choice: crate::cli::Color) -> bool {
    match choice {
        crate::cli::Color::Always => true,
        crate::cli::Color::Never => false,
        crate::cli::Color::Auto => {
            let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
            !set("NO_COLOR") && (set("CLICOLOR_FORCE") || std::io::stdout().is_terminal())
        }
    }
}
