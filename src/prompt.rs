//! The line-mode front-end of the review session (`wizard --plain`): the same walk as the
//! full-screen TUI, as printed text and inquire prompts.
//!
//! It drives the very same [`Session`] with the same [`Message`]s, so decisions, the unsafe-fix
//! consent and the write confirmation behave exactly as on the full screen. Ctrl-C at any
//! prompt quits without writing; Esc quits from the proposal menu and the final question, and
//! steps back out of the nested ones (editing a value, confirming an unsafe fix or a quit). What
//! is printed comes from the `text` module, which has no terminal and is unit-tested. The command layer
//! prints what was written ("Wrote …") or "Nothing was written." once [`run`] returns.

pub(crate) mod text;

use std::io::IsTerminal as _;

use crate::terminal::print as out;

use inquire::validator::Validation;
use inquire::{Confirm, InquireError, Password, PasswordDisplayMode, Select, Text};

use crate::review::{EditKind, Effect, Message, Popup, Preview, Screen, Session, validate};
use crate::tui::Writer;

/// What the operator can do on a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    Accept,
    Skip,
    Edit,
    Regenerate,
    Diff,
    AcceptAllSafe,
    Continue,
    Quit,
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Choice::Accept => "Accept the fix",
            Choice::Skip => "Skip it (leave the config as it is)",
            Choice::Edit => "Edit the value",
            Choice::Regenerate => "Regenerate the secret",
            Choice::Diff => "Show the diff",
            Choice::AcceptAllSafe => "Accept all remaining safe fixes and review",
            Choice::Continue => "Continue",
            Choice::Quit => "Quit (nothing is written)",
        })
    }
}

/// How a prompt ended.
enum Answer<T> {
    /// Answered.
    Given(T),
    /// Esc.
    Cancelled,
    /// Ctrl-C.
    Interrupted,
}

/// How output is laid out.
#[derive(Clone, Copy)]
struct Ui {
    /// Columns to wrap text at.
    width: usize,
    /// Colour the diffs.
    color: bool,
}

/// Whether the walk goes on.
enum Flow {
    /// Ask the next question.
    Next,
    /// Return to the command layer: written, quit, or nothing to do.
    Stop,
}

/// Runs the same walk as the TUI as line prompts.
pub fn run(session: &mut Session, write: &mut Writer<'_>) -> anyhow::Result<()> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(not_a_terminal());
    }
    let ui = Ui {
        width: ratatui::crossterm::terminal::size()
            .map_or(80, |(w, _)| usize::from(w).clamp(40, 100)),
        color: std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let mut described = None;
    loop {
        let flow = if let Some(popup) = session.popup.clone() {
            popup_step(session, popup, write, ui)?
        } else {
            match session.screen.clone() {
                Screen::Welcome => {
                    out(&text::welcome(session))?;
                    send(session, Message::Accept, write)?
                }
                Screen::Threat(threat) => {
                    out(&text::threat_intro(threat, session.items_of(threat).len()))?;
                    send(session, Message::Accept, write)?
                }
                Screen::Item(item) => {
                    if described != Some(item) {
                        out(&text::describe(session, item, ui.width))?;
                        described = Some(item);
                    }
                    item_step(session, item, write)?
                }
                Screen::Review => review_step(session, write, ui)?,
                Screen::Done => Flow::Stop,
            }
        };
        match flow {
            Flow::Next => {}
            // The command layer says "Nothing was written." when the report is empty.
            Flow::Stop => return Ok(()),
        }
    }
}

/// The choices on one proposal.
fn item_step(session: &mut Session, item: usize, write: &mut Writer<'_>) -> anyhow::Result<Flow> {
    let choices = choices(session, item);
    let question = text::item_question(session, item);
    let choice = match ask(Select::new(&question, choices).prompt())? {
        Answer::Given(choice) => choice,
        Answer::Cancelled | Answer::Interrupted => return send(session, Message::ForceQuit, write),
    };
    let message = match choice {
        Choice::Accept | Choice::Continue => Message::Accept,
        Choice::Skip => Message::Skip,
        Choice::Edit => Message::StartEdit,
        Choice::Diff => Message::ShowDiff,
        Choice::AcceptAllSafe => Message::AcceptAllSafe,
        Choice::Quit => Message::Quit,
        Choice::Regenerate => {
            let flow = send(session, Message::Regenerate, write)?;
            if let Some(notice) = session.notice.take() {
                out(&format!("{notice}\n"))?;
            }
            out(&text::changes(session, item))?;
            return Ok(flow);
        }
    };
    send(session, message, write)
}

/// The choices valid for a proposal, in menu order.
fn choices(session: &Session, item: usize) -> Vec<Choice> {
    let it = &session.items[item];
    if it.ops.is_empty() {
        return vec![Choice::Continue, Choice::AcceptAllSafe, Choice::Quit];
    }
    let mut list = vec![Choice::Accept, Choice::Skip];
    if it.edit.is_some() {
        list.push(Choice::Edit);
    }
    if text::has_generated_secret(it, &session.generated) {
        list.push(Choice::Regenerate);
    }
    list.extend([Choice::Diff, Choice::AcceptAllSafe, Choice::Quit]);
    list
}

/// A dialog the session opened: answered with a prompt, then closed with a message.
fn popup_step(
    session: &mut Session,
    popup: Popup,
    write: &mut Writer<'_>,
    ui: Ui,
) -> anyhow::Result<Flow> {
    let reply = match popup {
        Popup::ConfirmUnsafe(item) => {
            let finding = session.finding(item);
            let rule = finding.rule;
            out("\nThis fix is unsafe. What may break:\n")?;
            out(&text::wrap(&session.breaks(item), ui.width, "  "))?;
            let question = format!("Apply {} anyway?", rule.id);
            yes_no(Confirm::new(&question).with_default(false).prompt())?
        }
        Popup::ConfirmQuit => {
            let question = "Quit without writing? The decisions taken are lost.";
            yes_no(Confirm::new(question).with_default(false).prompt())?
        }
        Popup::ConfirmWrite => {
            let preview = session.preview().clone();
            let asked = session.write_question(&preview);
            for detail in &asked.details {
                println!("{detail}");
            }
            match ask(Confirm::new(&asked.question).with_default(false).prompt())? {
                Answer::Given(true) => Message::Yes,
                Answer::Given(false) | Answer::Cancelled => return Ok(Flow::Stop),
                Answer::Interrupted => Message::ForceQuit,
            }
        }
        Popup::Edit {
            item,
            buffer,
            error,
        } => {
            if let Some(error) = error {
                out(&format!("{error}\n"))?;
            }
            return edit_step(session, item, &buffer, write);
        }
        Popup::ItemDiff(item) => {
            let finding = session.finding(item).file;
            let ops = session.items[item].ops.clone();
            let masker = session.masker();
            let preview = Preview::build(&session.deployment, &[(finding, ops)], &masker);
            show_preview(&preview, ui.color, &masker)?;
            Message::No
        }
        Popup::Help => Message::No,
    };
    send(session, reply, write)
}

/// Asks for a new value, re-asking while it does not validate, and types it into the session.
fn edit_step(
    session: &mut Session,
    item: usize,
    buffer: &str,
    write: &mut Writer<'_>,
) -> anyhow::Result<Flow> {
    let Some(kind) = session.items[item].edit else {
        return send(session, Message::No, write);
    };
    let check = move |s: &str| {
        Ok(match validate(kind, s) {
            Ok(_) => Validation::Valid,
            Err(why) => Validation::Invalid(why.into()),
        })
    };
    let answer = if let EditKind::Secret(_) = kind {
        Password::new("New secret:")
            .with_display_mode(PasswordDisplayMode::Masked)
            .with_display_toggle_enabled()
            .with_custom_confirmation_message("The same secret again:")
            .with_help_message("Ctrl-R shows what you type; Esc goes back")
            .with_validator(check)
            .prompt()
    } else {
        Text::new("New value:")
            .with_initial_value(buffer)
            .with_help_message("Enter to use it; Esc goes back")
            .with_validator(check)
            .prompt()
    };
    let typed = match ask(answer)? {
        Answer::Given(typed) => typed,
        Answer::Cancelled => return send(session, Message::No, write),
        Answer::Interrupted => return send(session, Message::ForceQuit, write),
    };
    for _ in buffer.chars() {
        session.update(Message::DeleteChar);
    }
    for c in typed.chars() {
        session.update(Message::Input(c));
    }
    send(session, Message::Accept, write)
}

/// The whole diff and the decisions, then the write question (or the end, with nothing to do).
fn review_step(session: &mut Session, write: &mut Writer<'_>, ui: Ui) -> anyhow::Result<Flow> {
    out("\n== Review ==\n")?;
    let preview = session.preview().clone();
    show_preview(&preview, ui.color, &session.masker())?;
    out("\n")?;
    out(&text::summary(session))?;
    if let Some(error) = &preview.error {
        anyhow::bail!("the accepted changes cannot be applied: {error}");
    }
    if !session.has_changes() {
        out("No fix was accepted.\n")?;
        return Ok(Flow::Stop);
    }
    send(session, Message::Write, write)
}

/// Prints a preview's diff and what it could not apply.
fn show_preview(
    preview: &Preview,
    color: bool,
    masker: &crate::mask::Masker,
) -> anyhow::Result<()> {
    if preview.lines.is_empty() {
        out("(no change to the files)\n")?;
    } else {
        out(&crate::diff::unified(&preview.lines, color))?;
    }
    for refused in &preview.refused {
        out(&format!(
            "not applied, do it by hand: {}\n",
            masker.apply(refused)
        ))?;
    }
    if let Some(error) = &preview.error {
        out(&format!("cannot apply: {}\n", masker.apply(error)))?;
    }
    Ok(())
}

/// Sends a message and carries out the effect it asks for.
fn send(session: &mut Session, message: Message, write: &mut Writer<'_>) -> anyhow::Result<Flow> {
    match session.update(message) {
        None => Ok(Flow::Next),
        Some(Effect::Exit) => Ok(Flow::Stop),
        // The command layer prints the report ("Wrote …") and any error after we return.
        Some(Effect::Write) => {
            let report = write(session)?;
            session.written(report);
            session.update(Message::Accept);
            Ok(Flow::Stop)
        }
    }
}

/// A yes/no dialog's answer as the message the session expects.
fn yes_no(result: inquire::error::InquireResult<bool>) -> anyhow::Result<Message> {
    Ok(match ask(result)? {
        Answer::Given(true) => Message::Yes,
        Answer::Given(false) | Answer::Cancelled => Message::No,
        Answer::Interrupted => Message::ForceQuit,
    })
}

/// Sorts a prompt's result into answered, Esc, Ctrl-C, or a real error.
fn ask<T>(result: inquire::error::InquireResult<T>) -> anyhow::Result<Answer<T>> {
    match result {
        Ok(value) => Ok(Answer::Given(value)),
        Err(InquireError::OperationCanceled) => Ok(Answer::Cancelled),
        Err(InquireError::OperationInterrupted) => Ok(Answer::Interrupted),
        Err(InquireError::NotTTY) => Err(not_a_terminal()),
        Err(other) => Err(anyhow::Error::new(other).context("the prompt failed")),
    }
}

fn not_a_terminal() -> anyhow::Error {
    anyhow::anyhow!(
        "the wizard needs a terminal to ask its questions; in scripts and CI use \
         `kratos-harden apply` instead (`--dry-run` shows the diff first)"
    )
}

#[cfg(test)]
mod tests;
