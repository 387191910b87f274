//! The integration tests, one binary (as bottom and ripgrep do).

#![allow(clippy::panic, clippy::unwrap_used)] // test code: a failed assumption is a test failure

/// Recorded wizard decisions replayed by `apply --answers`.
mod answers;
/// `apply` and `undo` through the binary.
mod apply;
/// The real binary: exit codes, formats, colour, ignore file, bad input.
mod cli;
/// Shared helpers: locating `../shared`, running the real binary.
mod common;
mod compose;
/// The public corpus: snapshots and the settings SOURCES.md lists.
mod corpus;
/// SIGKILL during apply: old or new content, never partial; a backup with the new.
mod crash;
/// Env files: what the quoting writes reads back alike in python-dotenv, bash and compose's rules.
mod dotenv;
/// Fixes reach a fixpoint in one run (fixtures, demo, corpus); audit says what apply fixes.
mod fixes;
/// Golden files: `apply` output byte for byte.
mod golden;
/// `audit --helm-values`: chart values as a deployment.
mod helm;
/// Malformed and hostile inputs: one clear error, exit 2, no panic, file unchanged.
mod hostile;
/// Output about hostile input: no duplicate key's text, escaped file names, ignore-file messages.
mod hygiene;
/// `init` from flags and on a pty: clean audit, schema-valid result, refusals.
mod init;
mod kube;
/// `apply` on env files, Helm values and the process environment.
mod layered;
/// No secret in any output, file name or error; backups' modes.
mod leaks;
/// One writer per folder: a second run is refused naming the first one's PID.
mod lock;
/// The tool's own file safety: it writes only regular files it owns, never through planted
/// links, and never blocks on a FIFO.
mod owned;
/// Property test of the patch engine.
mod patch_props;
/// `wizard --plain` answered on a pseudo-terminal: decisions written, Ctrl-C writes nothing.
mod plain;
/// Writes planned whole: one refusal writes nothing, env file + secrets as one edit, half-way failures named.
mod plan;
/// The proof before writing: a decision whose result adds a finding is refused, naming it.
mod prove;
/// A pseudo-terminal around the real binary (vt100 screen, keys, deadlines) for wizard tests.
mod pty;
/// The README's rule table and set-up commands.
mod readme;
/// Every rule against its positive and negative fixtures in `tests/rules/<ID>.yml`.
mod rules;
/// The corpus stays valid against Kratos's config schema after apply.
mod schema;
/// FIFOs and endless devices wherever a file is read: named, never a hang.
mod special;
/// `audit DIR` streams: order, errors on stderr, a reader that goes away.
mod stream;
/// The full-screen wizard: every screen and popup snapshotted on a TestBackend, the key table, the binary on a pty.
mod tui;
/// `undo` walks the backup history: one step per call, modes, `--to`, `--list`, `--keep`.
mod undo;
