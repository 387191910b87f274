//! SIGINT, SIGTERM and SIGHUP: the run ends at once, as it would by default, but first removes
//! the files it was half-way through writing (temporary files, an unfinished backup), gives
//! the terminal back (raw mode off, the wizard's screen cleared and left, so a revealed secret
//! does not stay visible) and says what the stop left: which files of the run's write set were
//! already replaced (with their backups, for `undo`), which write was dropped, which files were
//! not written. A rename in progress is finished first: the original is either untouched or
//! wholly replaced, never removed.
//!
//! A dedicated thread waits for the signals (`signal-hook`), so nothing runs inside a signal
//! handler. SIGKILL cannot be caught; the temporary files it leaves are recognisable by name
//! and removed by the next run in that folder (see `write`).

mod state;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use state::State;

/// Everything the handler reads, under one lock: a write takes it to create a file and again
/// to rename one, so the handler sees each file wholly before or wholly after either step.
static STATE: Mutex<State> = Mutex::new(State::new());

/// The full-screen wizard owns the terminal (alternate screen, raw mode).
static FULLSCREEN: AtomicBool = AtomicBool::new(false);

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(PoisonError::into_inner)
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

/// Removes what is unfinished, restores the terminal, says what was and was not written and
/// exits with 128 + the signal.
fn end(signal: i32) {
    // Held until the exit: a write cannot finish (or start renaming) behind our back, so the
    // message describes what is on disk.
    let state = state();
    let removed: Vec<(PathBuf, Option<usize>)> = state
        .unfinished
        .iter()
        .filter(|(path, _)| std::fs::remove_file(path).is_ok())
        .cloned()
        .collect();
    restore_terminal();
    let name = match signal {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "SIGHUP",
    };
    eprintln!(
        "kratos-harden: stopped by {name}{}",
        state.outcome(&removed)
    );
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

/// The files one run writes, known to the handler while they are written, so a signal can say
/// which were written, which was dropped and which were not. Forgotten when dropped.
#[must_use = "dropping it forgets the write set at once"]
pub struct WriteSet(());

impl WriteSet {
    /// The planned files in write order: each shown name, and whether it exists (is replaced)
    /// or is created.
    pub fn begin(files: impl IntoIterator<Item = (String, bool)>) -> Self {
        state().begin(files);
        Self(())
    }

    /// The `index`-th file (from 0) is written next: the temporary file and backup created
    /// from now on are its own, and its rename marks it written.
    #[allow(clippy::unused_self)] // one set at a time: the guard only proves one is begun
    pub fn start(&self, index: usize) {
        state().start(index);
    }
}

impl Drop for WriteSet {
    fn drop(&mut self) {
        state().end_set();
    }
}

/// A file being written: a signal before [`Unfinished::finish`] or [`Unfinished::rename`]
/// removes it.
#[must_use = "dropping it forgets the file at once"]
pub struct Unfinished {
    path: PathBuf,
    /// The step of the write set it belongs to.
    step: Option<usize>,
}

impl Unfinished {
    /// Creates a file with `create` and registers it in one step: a signal arriving while
    /// it is created waits, then removes it (registered after creating, a signal in between
    /// left it behind). `create` returns what it made and the path it created.
    pub fn create<T, E>(create: impl FnOnce() -> Result<(T, PathBuf), E>) -> Result<(T, Self), E> {
        let mut state = state();
        let (made, path) = create()?;
        let step = state.current();
        state.unfinished.push((path.clone(), step));
        Ok((made, Self { path, step }))
    }

    /// Debug builds only: with `KRATOS_HARDEN_TEST_PAUSE_WRITE=N`, the temporary file of the
    /// N-th planned file (from 1), complete, waits before its rename and says so on stderr,
    /// so the signal tests can land a signal at exactly that point; for
    /// `KRATOS_HARDEN_TEST_PAUSE_SECS` seconds, 5 unless set (the lock tests wait for the run
    /// to end; the signal tests ask for minutes, so a loaded machine cannot make them miss
    /// the pause). A release build has no such hook.
    pub fn pause_for_tests(&self) {
        static PAUSED: AtomicBool = AtomicBool::new(false);
        if !cfg!(debug_assertions) {
            return;
        }
        let number = |name| std::env::var(name).ok()?.parse::<usize>().ok();
        let wanted = number("KRATOS_HARDEN_TEST_PAUSE_WRITE").and_then(|n| n.checked_sub(1));
        // Once per run, and only a planned file's own write (not the backup history).
        if self.step.is_some() && self.step == wanted && !PAUSED.swap(true, Ordering::Relaxed) {
            eprintln!("kratos-harden: test pause before the rename");
            let secs = number("KRATOS_HARDEN_TEST_PAUSE_SECS").unwrap_or(5);
            std::thread::sleep(std::time::Duration::from_secs(secs as u64));
        }
    }

    /// Runs `last` (nothing, for a backup now complete) where no signal can cut in, then
    /// forgets the file.
    pub fn finish<R>(self, last: impl FnOnce() -> R) -> R {
        let mut state = state();
        let result = last();
        state.unfinished.retain(|(p, _)| *p != self.path);
        result
    }

    /// Runs `rename` (the temporary file over its destination) where no signal can cut in,
    /// and when it succeeds records the destination written, with `backup`, under the same
    /// lock: a signal right after it reports the file written, never unchanged.
    pub fn rename<T, E>(
        self,
        backup: Option<&Path>,
        rename: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let mut state = state();
        let result = rename();
        state.unfinished.retain(|(p, _)| *p != self.path);
        if result.is_ok() {
            state.renamed(self.step, backup);
        }
        result
    }
}

impl Drop for Unfinished {
    // Finished, or a write that failed: its owner removes the file (tempfile's drop).
    fn drop(&mut self) {
        state().unfinished.retain(|(p, _)| *p != self.path);
    }
}
