//! The real binary in a pseudo-terminal, for end-to-end tests of the wizard (line prompts and
//! full screen alike).
//!
//! A reader thread feeds everything the program writes to a `vt100` screen model (and a raw
//! transcript). Tests send keys as bytes and poll the screen; every wait has a deadline, so a
//! test that does not see what it expects fails with the screen in its message instead of
//! hanging. Dropping a [`Pty`] kills a program that is still running.
//!
//! ```ignore
//! let mut pty = pty::spawn(&["wizard", "--plain", "-c", "kratos.yml"], dir.path());
//! pty.wait_for("what now?", pty::TIMEOUT)?;
//! pty.send("\r");              // Enter; "\x1b[B" is Down, "\x03" Ctrl-C, "\x1b" Esc
//! assert_eq!(pty.wait_exit(), Some(0));
//! ```

use std::io::{Read as _, Write as _};
use std::num::NonZeroU16;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// How long a wait lasts before it fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Default terminal size: rows, columns.
pub const SIZE: (u16, u16) = (40, 120);

/// Lines of scrollback kept (what scrolled off the top stays readable in [`Pty::history`]).
const SCROLLBACK: usize = 10_000;

/// A running program on a pseudo-terminal.
pub struct Pty {
    screen: Arc<Mutex<vt100::Parser>>,
    transcript: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn std::io::Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    /// Kept so the terminal stays open (and could be resized) while the program runs.
    _master: Box<dyn MasterPty + Send>,
}

/// Runs the kratos-harden binary with `args` in `cwd` on a [`SIZE`] terminal.
pub fn spawn(args: &[&str], cwd: &Path) -> Pty {
    spawn_sized(args, cwd, SIZE)
}

/// Runs the kratos-harden binary with `args` in `cwd` on a terminal of `(rows, cols)`.
pub fn spawn_sized(args: &[&str], cwd: &Path, (rows, cols): (u16, u16)) -> Pty {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pseudo-terminal");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kratos-harden"));
    cmd.args(args);
    cmd.cwd(cwd);
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    cmd.env_remove("CLICOLOR_FORCE");
    let child = pair.slave.spawn_command(cmd).expect("spawn the binary");
    // Only the child holds the slave side now, so the reader sees EOF when it exits.
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let writer = pair.master.take_writer().expect("pty writer");
    let size = |n: u16| NonZeroU16::new(n).expect("a non-zero terminal size");
    let screen = Arc::new(Mutex::new(vt100::Parser::new(
        size(rows),
        size(cols),
        SCROLLBACK,
    )));
    let transcript = Arc::new(Mutex::new(Vec::new()));
    let (to_screen, to_transcript) = (Arc::clone(&screen), Arc::clone(&transcript));
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            lock(&to_screen).process(&buf[..n]);
            lock(&to_transcript).extend_from_slice(&buf[..n]);
        }
    });
    Pty {
        screen,
        transcript,
        writer,
        child,
        _master: pair.master,
    }
}

impl Pty {
    /// Types `keys` (text, `"\r"` for Enter, escape sequences for other keys).
    pub fn send(&mut self, keys: impl AsRef<[u8]>) {
        self.writer
            .write_all(keys.as_ref())
            .and_then(|()| self.writer.flush())
            .expect("write to the pty");
    }

    /// The visible screen as text (rows joined by newlines, trailing blanks trimmed).
    pub fn screen(&self) -> String {
        lock(&self.screen).screen().contents()
    }

    /// Every line printed so far: the scrollback followed by the visible screen.
    pub fn history(&self) -> Vec<String> {
        let mut parser = lock(&self.screen);
        let screen = parser.screen_mut();
        let (rows, cols) = screen.size();
        let rows = usize::from(rows.get());
        screen.set_scrollback(usize::MAX);
        let scrolled = screen.scrollback();
        let mut lines = Vec::new();
        let mut start = 0;
        // With the view `offset` rows up, visible row `r` is history line `scrolled - offset + r`.
        while start < scrolled {
            screen.set_scrollback(scrolled - start);
            let take = rows.min(scrolled - start);
            lines.extend(screen.rows(0, cols.get()).take(take));
            start += take;
        }
        screen.set_scrollback(0);
        lines.extend(screen.rows(0, cols.get()));
        while lines.last().is_some_and(|l| l.trim().is_empty()) {
            lines.pop();
        }
        for line in &mut lines {
            line.truncate(line.trim_end().len());
        }
        lines
    }

    /// Everything the program wrote, escape sequences included (lossy UTF-8).
    pub fn transcript(&self) -> String {
        String::from_utf8_lossy(&lock(&self.transcript)).into_owned()
    }

    /// Waits until the visible screen contains `text`.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> Result<(), String> {
        self.wait_until(timeout, |pty| pty.screen().contains(text))
            .map_err(|screen| format!("`{text}` did not appear within {timeout:?}:\n{screen}"))
    }

    /// Polls `ready` until it holds; on timeout, the screen at that moment as the error.
    pub fn wait_until(
        &self,
        timeout: Duration,
        mut ready: impl FnMut(&Self) -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if ready(self) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.history().join("\n"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits up to [`TIMEOUT`] for the program to end: its exit code, or `None` when it was
    /// killed by a signal or did not end in time (it is then killed).
    pub fn wait_exit(&mut self) -> Option<i32> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) if status.signal().is_none() => {
                    return i32::try_from(status.exit_code()).ok();
                }
                Ok(Some(_)) | Err(_) => return None,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = self.child.kill();
                    return None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The data behind a mutex, even if the reader thread panicked while holding it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
