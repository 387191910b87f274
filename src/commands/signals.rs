//! SIGINT, SIGTERM and SIGHUP: the run ends at once, as it would by default, but first removes
//! the files it was half-way through writing (temporary files, an unfinished backup) and gives
//! the terminal back (raw mode off, the wizard's screen cleared and left, so a revealed secret
//! does not stay visible). A rename in progress is finished first: the original is either
//! untouched or wholly replaced, never removed.
//!
//! A dedicated thread waits for the signals (`signal-hook`), so nothing runs inside a signal
//! handler. SIGKILL cannot be caught; the temporary files it leaves are recognisable by name
//! and removed by the next run in that folder (see `write`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Files being written: removed if a signal ends the run before they are finished.
static UNFINISHED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The full-screen wizard owns the terminal (alternate screen, raw mode).
static FULLSCREEN: AtomicBool = AtomicBool::new(false);

fn unfinished() -> MutexGuard<'static, Vec<PathBuf>> {
    UNFINISHED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts the thread that handles the signals. Called once, before any file is touched; if
/// the thread cannot be started the signals keep their default action (the run ends, and a
/// temporary file is left for the next run to remove).
pub fn install() {
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let _ = std::thread::Builder::new()
        .name("signals".to_owned())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                end(signal);
            }
        });
}

/// Removes what is unfinished, restores the terminal and exits with 128 + the signal.
fn end(signal: i32) {
    // Held until the exit: a write cannot finish (or start renaming) behind our back.
    let files = unfinished();
    let mut removed = Vec::new();
    for path in files.iter() {
        if std::fs::remove_file(path).is_ok() {
            removed.push(path.display().to_string());
        }
    }
    restore_terminal();
    let name = match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "SIGHUP",
    };
    let what = if removed.is_empty() {
        String::new()
    } else {
        format!(
            "; the unfinished write was dropped ({}), the file it was for is unchanged",
            removed.join(", ")
        )
    };
    eprintln!("kratos-harden: stopped by {name}{what}");
    std::process::exit(128 + signal);
}

fn restore_terminal() {
    use ratatui::crossterm::{cursor, execute, terminal};
    if FULLSCREEN.load(Ordering::SeqCst) {
        let _ = execute!(
            std::io::stdout(),
            terminal::Clear(terminal::ClearType::All),
            terminal::LeaveAlternateScreen,
            cursor::Show
        );
    }
    if terminal::is_raw_mode_enabled().unwrap_or(false) {
        let _ = terminal::disable_raw_mode();
        // The prompt line was left mid-way.
        eprintln!();
    }
}

/// Marks the full-screen wizard as owning the terminal (or not any more).
pub fn fullscreen(on: bool) {
    FULLSCREEN.store(on, Ordering::SeqCst);
}

/// A file being written: a signal before [`Unfinished::finish`] removes it.
#[must_use = "dropping it forgets the file at once"]
pub struct Unfinished {
    path: PathBuf,
}

impl Unfinished {
    /// Creates a file with `create` and registers it in one step: a signal arriving while
    /// it is created waits, then removes it (registered after creating, a signal in between
    /// left it behind). `create` returns what it made and the path it created.
    pub fn create<T, E>(create: impl FnOnce() -> Result<(T, PathBuf), E>) -> Result<(T, Self), E> {
        let mut files = unfinished();
        let (made, path) = create()?;
        files.push(path.clone());
        Ok((made, Self { path }))
    }

    /// Runs `last` (the rename, or nothing for a backup) where no signal can cut in, then
    /// forgets the file: it is complete, or has become the real file.
    pub fn finish<R>(self, last: impl FnOnce() -> R) -> R {
        let mut files = unfinished();
        let result = last();
        files.retain(|p| *p != self.path);
        result
    }
}

impl Drop for Unfinished {
    // Finished, or a write that failed: its owner removes the file (tempfile's drop).
    fn drop(&mut self) {
        unfinished().retain(|p| *p != self.path);
    }
}
