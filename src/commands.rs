//! The command layer: the only place that reads arguments, touches files, writes to the
//! terminal and picks the exit code (0 clean, 1 findings at or above `--fail-on`, 2 error).

mod apply;
mod audit;
mod history;
mod init;
mod lock;
mod plan;
mod rotate;
mod rules;
mod signals;
mod undo;
mod wizard;
mod write;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// Exit code for errors (bad input, bad usage).
pub const EXIT_ERROR: u8 = 2;

/// Parses the command line, runs the command and returns the process exit code.
#[must_use]
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { EXIT_ERROR } else { 0 });
        }
    };
    signals::install();
    let result = match &cli.command {
        // No command: the wizard on a terminal, the help otherwise.
        None => wizard::run_default(),
        Some(Command::Wizard(args)) => wizard::run(args),
        Some(Command::Audit(args)) => audit::run(args),
        Some(Command::Apply(args)) => apply::run(args),
        Some(Command::Init(args)) => init::run(args),
        Some(Command::Undo(args)) => undo::run(args),
        Some(Command::Rotate(args)) => rotate::run(args),
        Some(Command::Rules(args)) => rules::list(args),
        Some(Command::Explain(args)) => rules::explain(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // A file name in the message is untrusted text: no escape sequence reaches the
            // terminal through it.
            let message = crate::shown::message(&format!("{err:#}"));
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

pub(crate) use crate::terminal::{print, use_color};
