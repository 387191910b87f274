//! The review session behind the wizard: the proposed fixes in wizard order (threat by threat,
//! worst first), a cursor, a decision per fix, and `update(message)`. It knows nothing about
//! terminals: the full-screen TUI and the line-mode prompts are two front-ends of this model,
//! and tests drive it with messages.

mod done;
mod edit;
mod preview;
mod view;
mod write;

use serde_json::Value;

use crate::config::Deployment;
use crate::finding::Finding;
use crate::harden::{self, Outcome};
use crate::mask::Masker;
use crate::patch::Op;
use crate::rules::{Applicability, Threat};
use crate::secret::{self, Secret};

pub use done::Tally;
pub use edit::{EditKind, Proof, judge, kind_of, validate, validate_value, with_value as edit_ops};
pub use preview::Preview;
pub use write::WriteQuestion;

/// What the operator decided for one proposal.
#[derive(Clone, Debug, PartialEq)]
pub enum Decision {
    /// Not decided yet (not applied when writing).
    Pending,
    /// Apply the proposal.
    Accept,
    /// Leave the config as it is.
    Skip,
    /// Apply it with this value instead of the proposed one.
    Edited(Value),
}

/// One proposed fix.
#[derive(Clone, Debug)]
pub struct Item {
    /// Index of the finding in [`Session::findings`].
    pub finding: usize,
    /// The operations that fix it (empty for a manual one).
    pub ops: Vec<Op>,
    /// `Safe`, `Unsafe` or `Manual`.
    pub applicability: Applicability,
    /// For manual items: what the operator has to do.
    pub guidance: Option<String>,
    /// How the value may be edited, if it may.
    pub edit: Option<EditKind>,
    /// Other findings whose fixes write a key these operations write (one secret list fixing
    /// KH205 and KH206, a cipher algorithm and its secret): one decision for all, each named
    /// on the proposal with its breakage, the operations their union.
    pub also: Vec<usize>,
}

/// Where the wizard is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    /// Files, version, profile and the findings chart.
    Welcome,
    /// What a threat is and what the wizard checks for it.
    Threat(Threat),
    /// One proposal (index into [`Session::items`]).
    Item(usize),
    /// Every decision and the whole diff.
    Review,
    /// Written: what, where, next steps.
    Done,
}

/// A dialog over the current screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Popup {
    /// Accepting an unsafe fix: confirm what may break.
    ConfirmUnsafe(usize),
    /// Write the changes?
    ConfirmWrite,
    /// Quit with decisions taken?
    ConfirmQuit,
    /// Editing an item's value: the text typed so far and the last validation error.
    Edit {
        /// The item.
        item: usize,
        /// The text.
        buffer: String,
        /// Why the last submission was refused.
        error: Option<String>,
    },
    /// The diff of one item's change.
    ItemDiff(usize),
    /// The key table.
    Help,
}

/// Everything the front-ends send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Enter / `y`: go on, or accept the proposal on an item.
    Accept,
    /// `n`: skip the proposal.
    Skip,
    /// `e`: edit the proposed value.
    StartEdit,
    /// A typed character while editing.
    Input(char),
    /// Backspace while editing.
    DeleteChar,
    /// `r`: a new random value for a generated secret.
    Regenerate,
    /// `d`: this item's diff.
    ShowDiff,
    /// `b` / Backspace: one step back.
    Back,
    /// Tab: the next threat.
    NextThreat,
    /// `a`: accept every remaining safe fix and go to Review.
    AcceptAllSafe,
    /// `w` on Review: ask to write.
    Write,
    /// `y` in a dialog.
    Yes,
    /// `n` / Esc in a dialog.
    No,
    /// `s` on Review: show or mask secrets.
    ToggleReveal,
    /// `q` / Esc: quit (asks when decisions would be lost).
    Quit,
    /// Ctrl-C: quit at once, nothing written.
    ForceQuit,
    /// `?`: the key table.
    Help,
    /// Scroll the Review diff.
    Scroll(i32),
}

/// What the front-end must do after an update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Write the accepted changes (the caller then calls [`Session::written`]).
    Write,
    /// Leave without writing.
    Exit,
}

/// A review session.
pub struct Session {
    /// The deployment under review.
    pub deployment: Deployment,
    /// The audit's findings (items point into it).
    pub findings: Vec<Finding>,
    /// Proposals in wizard order.
    pub items: Vec<Item>,
    /// One decision per item.
    pub decisions: Vec<Decision>,
    /// The current screen.
    pub screen: Screen,
    /// The dialog shown, if any.
    pub popup: Option<Popup>,
    /// Show secrets on Review.
    pub reveal: bool,
    /// First diff line shown on Review.
    pub scroll: usize,
    /// Generated secrets (for masking and regeneration).
    pub generated: Vec<(String, Secret)>,
    /// What was written, once written.
    pub report: Vec<String>,
    /// A one-line notice for the status bar (e.g. "nothing to write").
    pub notice: Option<String>,
    /// The profile the audit judged against.
    pub profile: crate::rules::Profile,
    /// The Kratos version given on the command line, if any (edits are judged with it).
    pub version: Option<crate::config::KratosVersion>,
    /// Where secrets go when written.
    pub secrets_to: crate::fix::SecretsTo,
    /// Whether writing keeps a backup.
    pub backup: bool,
    source: Box<dyn secret::Source>,
    preview: Option<Preview>,
    /// The deployment's own secrets, found once: the screens ask for a masker every frame.
    masked: std::cell::OnceCell<Masker>,
}

impl Session {
    /// A session over the outcome of a planning run made with unsafe fixes enabled.
    #[must_use]
    pub fn new(deployment: Deployment, outcome: Outcome, source: Box<dyn secret::Source>) -> Self {
        let applicability = |i: usize| {
            outcome.findings[i]
                .fix
                .as_ref()
                .map_or(Applicability::Manual, |f| f.applicability)
        };
        let mut items: Vec<Item> = outcome
            .plan
            .groups()
            .into_iter()
            .map(|(members, ops)| {
                let edit = edit::kind_of(&ops, &outcome.generated);
                // One decision for every finding of the group: it asks first when any of
                // them is unsafe.
                let applicability = if members
                    .iter()
                    .any(|m| applicability(*m) == Applicability::Unsafe)
                {
                    Applicability::Unsafe
                } else {
                    applicability(members[0])
                };
                Item {
                    finding: members[0],
                    ops,
                    applicability,
                    guidance: None,
                    edit,
                    also: members[1..].to_vec(),
                }
            })
            .collect();
        items.extend(outcome.plan.manual.iter().map(|(i, why)| Item {
            finding: *i,
            ops: Vec::new(),
            applicability: Applicability::Manual,
            guidance: Some(why.clone()),
            edit: None,
            also: Vec::new(),
        }));
        let order = |item: &Item| {
            let f = &outcome.findings[item.finding];
            (
                f.rule.threat,
                std::cmp::Reverse(f.severity),
                f.rule.id,
                item.finding,
            )
        };
        items.sort_by_key(order);
        let decisions = items
            .iter()
            .map(|i| {
                if i.ops.is_empty() {
                    Decision::Skip
                } else {
                    Decision::Pending
                }
            })
            .collect();
        Self {
            deployment,
            findings: outcome.findings,
            items,
            decisions,
            screen: Screen::Welcome,
            popup: None,
            reveal: false,
            scroll: 0,
            generated: outcome.generated,
            report: Vec::new(),
            notice: None,
            profile: crate::rules::Profile::Production,
            version: None,
            secrets_to: crate::fix::SecretsTo::Inline,
            backup: true,
            source,
            preview: None,
            masked: std::cell::OnceCell::new(),
        }
    }

    /// The finding an item is about.
    #[must_use]
    pub fn finding(&self, item: usize) -> &Finding {
        &self.findings[self.items[item].finding]
    }

    /// The findings proposal `item` resolves besides its own (the same change fixes them).
    #[must_use]
    pub fn also_resolves(&self, item: usize) -> Vec<&Finding> {
        self.items[item]
            .also
            .iter()
            .map(|i| &self.findings[*i])
            .collect()
    }

    /// What may break with proposal `item`: its finding's breakage, then each other finding's
    /// it resolves, each said once.
    #[must_use]
    pub fn breaks(&self, item: usize) -> String {
        let mut said: Vec<&str> = vec![self.finding(item).breaks()];
        for f in self.also_resolves(item) {
            let breaks = f.breaks();
            if !breaks.is_empty() && !said.contains(&breaks) {
                said.push(breaks);
            }
        }
        said.retain(|b| !b.is_empty());
        said.join(" ")
    }

    /// Threats that have at least one item, in wizard order.
    #[must_use]
    pub fn threats(&self) -> Vec<Threat> {
        Threat::ALL
            .into_iter()
            .filter(|t| {
                self.items
                    .iter()
                    .any(|i| self.findings[i.finding].rule.threat == *t)
            })
            .collect()
    }

    /// Items of one threat.
    #[must_use]
    pub fn items_of(&self, threat: Threat) -> Vec<usize> {
        (0..self.items.len())
            .filter(|i| self.finding(*i).rule.threat == threat)
            .collect()
    }

    /// True when some fix would be written.
    #[must_use]
    pub fn has_changes(&self) -> bool {
        self.decisions
            .iter()
            .any(|d| matches!(d, Decision::Accept | Decision::Edited(_)))
    }

    /// The masker for what is shown (nothing masked once secrets are revealed). Secrets the
    /// operator typed in an edit are masked like generated ones.
    #[must_use]
    pub fn masker(&self) -> Masker {
        if self.reveal {
            return Masker::default();
        }
        let mut masker = self
            .masked
            .get_or_init(|| Masker::for_deployment(&self.deployment, &[]))
            .clone();
        masker.add_generated(&self.generated);
        for (item, decision) in self.items.iter().zip(&self.decisions) {
            if let (Some(EditKind::Secret(_)), Decision::Edited(Value::String(typed))) =
                (item.edit, decision)
            {
                masker.add_value(typed, &format!("<typed: {} chars>", typed.chars().count()));
            }
        }
        masker
    }

    /// The operations of accepted items (edited values substituted), per file.
    #[must_use]
    pub fn accepted_ops(&self) -> Vec<(crate::config::node::FileId, Vec<Op>)> {
        self.decided_plan().by_file
    }

    /// The accepted and edited decisions as a plan: each finding's operations, in wizard order.
    #[must_use]
    pub fn decided_plan(&self) -> crate::fix::Plan {
        let mut plan = crate::fix::Plan::default();
        for (item, decision) in self.items.iter().zip(&self.decisions) {
            let ops = match decision {
                Decision::Accept => item.ops.clone(),
                Decision::Edited(value) => edit::with_value(&item.ops, value),
                Decision::Pending | Decision::Skip => continue,
            };
            for finding in std::iter::once(item.finding).chain(item.also.iter().copied()) {
                plan.applied.push((finding, ops.clone()));
            }
        }
        plan.rebuild_files(&self.findings);
        plan
    }

    /// What the decisions would write, proved (cached until a decision changes): the files'
    /// patched texts and diff, with every decision the proof refused left out.
    pub fn preview(&mut self) -> &Preview {
        if self.preview.is_none() {
            self.preview = Some(self.proved_preview());
        }
        self.preview.get_or_insert_with(Preview::default)
    }

    /// The proof of the decisions: realized like `apply` (secrets moved where `--secrets-to`
    /// says), audited again, and each decision whose result would add a finding refused.
    #[must_use]
    pub fn proved_preview(&self) -> Preview {
        let options = crate::harden::Options {
            profile: self.profile,
            version: self.version,
            ..crate::harden::Options::default()
        };
        let cx = crate::rules::Context::new(&self.deployment, self.profile, self.version);
        let decided = self.decided_plan();
        let proved = crate::harden::realize(
            &self.deployment,
            &cx,
            &self.findings,
            decided.clone(),
            &self.secrets_to,
            crate::patch::Check::Verify,
        )
        .map(|first| {
            crate::harden::prove_plan(
                &self.deployment,
                &options,
                &self.findings,
                &decided,
                &self.secrets_to,
                first,
            )
        });
        match proved {
            Ok(proved) => Preview::proved(&self.deployment, &self.findings, proved, &self.masker()),
            Err(error) => Preview {
                error: Some(error.to_string()),
                ..Preview::default()
            },
        }
    }

    /// Records what the caller wrote and shows the Done screen.
    pub fn written(&mut self, report: Vec<String>) {
        self.report = report;
        self.popup = None;
        self.screen = Screen::Done;
    }

    /// Applies a message; returns what the front-end must do, if anything.
    pub fn update(&mut self, message: Message) -> Option<Effect> {
        self.notice = None;
        if message == Message::ForceQuit {
            return Some(Effect::Exit);
        }
        if let Some(popup) = self.popup.clone() {
            return self.update_popup(popup, message);
        }
        match message {
            Message::Help => self.popup = Some(Popup::Help),
            Message::Quit => {
                if self.has_changes() && self.screen != Screen::Done {
                    self.popup = Some(Popup::ConfirmQuit);
                } else {
                    return Some(Effect::Exit);
                }
            }
            _ => return self.update_screen(message),
        }
        None
    }

    fn update_popup(&mut self, popup: Popup, message: Message) -> Option<Effect> {
        match (popup, message) {
            (
                Popup::Edit {
                    item, mut buffer, ..
                },
                message,
            ) => match message {
                Message::Input(c) => {
                    buffer.push(c);
                    self.popup = Some(Popup::Edit {
                        item,
                        buffer,
                        error: None,
                    });
                }
                Message::DeleteChar => {
                    buffer.pop();
                    self.popup = Some(Popup::Edit {
                        item,
                        buffer,
                        error: None,
                    });
                }
                Message::Accept | Message::Yes => {
                    match self.items[item]
                        .edit
                        .map(|k| self.checked(item, k, &buffer))
                    {
                        Some(Ok(value)) => {
                            self.set_decision(item, Decision::Edited(value));
                            self.popup = None;
                            self.advance();
                        }
                        Some(Err(error)) => {
                            self.popup = Some(Popup::Edit {
                                item,
                                buffer,
                                error: Some(error),
                            });
                        }
                        None => self.popup = None,
                    }
                }
                Message::No | Message::Quit | Message::Back => self.popup = None,
                _ => {
                    self.popup = Some(Popup::Edit {
                        item,
                        buffer,
                        error: None,
                    });
                }
            },
            (Popup::ConfirmUnsafe(item), Message::Yes | Message::Accept) => {
                self.popup = None;
                self.set_decision(item, Decision::Accept);
                self.advance();
            }
            (Popup::ConfirmWrite, Message::Yes | Message::Accept) => return Some(Effect::Write),
            (Popup::ConfirmQuit, Message::Yes | Message::Accept) => return Some(Effect::Exit),
            (Popup::ItemDiff(_) | Popup::Help, _)
            | (_, Message::No | Message::Quit | Message::Back | Message::Skip) => self.popup = None,
            _ => {}
        }
        None
    }

    fn update_screen(&mut self, message: Message) -> Option<Effect> {
        match (self.screen.clone(), message) {
            (Screen::Welcome, Message::Accept) => self.screen = self.first_screen(),
            (Screen::Threat(t), Message::Accept) => {
                self.screen = self
                    .items_of(t)
                    .first()
                    .map_or(Screen::Review, |i| Screen::Item(*i));
            }
            (Screen::Item(i), Message::Accept) => {
                if self.items[i].ops.is_empty() {
                    self.advance();
                } else if self.items[i].applicability == Applicability::Unsafe {
                    self.popup = Some(Popup::ConfirmUnsafe(i));
                } else {
                    self.set_decision(i, Decision::Accept);
                    self.advance();
                }
            }
            (Screen::Item(i), Message::Skip) => {
                if !self.items[i].ops.is_empty() {
                    self.set_decision(i, Decision::Skip);
                }
                self.advance();
            }
            (Screen::Item(i), Message::StartEdit) => match self.items[i].edit {
                Some(kind) => {
                    let buffer =
                        edit::initial_text(kind, &self.items[i].ops, self.reveal_secrets_in_edit());
                    self.popup = Some(Popup::Edit {
                        item: i,
                        buffer,
                        error: None,
                    });
                }
                None => self.notice = Some("this proposal cannot be edited".to_owned()),
            },
            (Screen::Item(i), Message::Regenerate) => self.regenerate(i),
            (Screen::Item(i), Message::ShowDiff) => self.popup = Some(Popup::ItemDiff(i)),
            (Screen::Review, Message::ToggleReveal) => {
                self.reveal = !self.reveal;
                self.preview = None;
            }
            (Screen::Review, Message::Scroll(delta)) => {
                let lines = self.preview().lines.len();
                let next = i64::try_from(self.scroll).unwrap_or(0) + i64::from(delta);
                self.scroll = usize::try_from(next.max(0))
                    .unwrap_or(0)
                    .min(lines.saturating_sub(1));
            }
            (Screen::Review, Message::Write | Message::Accept) => {
                if self.has_changes() {
                    self.popup = Some(Popup::ConfirmWrite);
                } else {
                    self.notice = Some("nothing to write: no fix was accepted".to_owned());
                }
            }
            (Screen::Done, Message::Accept) => return Some(Effect::Exit),
            (_, Message::Back) => self.back(),
            (_, Message::NextThreat) => self.next_threat(),
            (Screen::Done, _) => {}
            (_, Message::AcceptAllSafe) => {
                for i in 0..self.items.len() {
                    let safe = self.items[i].applicability == Applicability::Safe
                        && !self.items[i].ops.is_empty();
                    if safe && self.decisions[i] == Decision::Pending {
                        self.set_decision(i, Decision::Accept);
                    }
                }
                self.screen = Screen::Review;
            }
            _ => {}
        }
        None
    }

    /// Typed text checked by kind, then against Kratos's bounds and the item's rule (the
    /// replay of an answers file runs the same checks).
    fn checked(&self, item: usize, kind: EditKind, text: &str) -> Result<Value, String> {
        let value = validate(kind, text)?;
        let cx = crate::rules::Context::new(&self.deployment, self.profile, self.version);
        // Every finding the proposal fixes must be fixed by the typed value too: the answers
        // file records the decision for each of them, and its replay judges each.
        let item_ref = &self.items[item];
        for finding in std::iter::once(item_ref.finding).chain(item_ref.also.iter().copied()) {
            judge(
                &cx,
                &self.findings[finding],
                &item_ref.ops,
                kind,
                &value,
                edit::Proof::Now,
            )?;
        }
        Ok(value)
    }

    /// Secrets are typed in clear when editing only if the operator revealed them.
    fn reveal_secrets_in_edit(&self) -> bool {
        self.reveal
    }

    fn set_decision(&mut self, item: usize, decision: Decision) {
        self.decisions[item] = decision;
        self.preview = None;
    }

    fn first_screen(&self) -> Screen {
        self.threats()
            .first()
            .map_or(Screen::Review, |t| Screen::Threat(*t))
    }

    /// The screen after the current one.
    fn advance(&mut self) {
        self.screen = match self.screen {
            Screen::Item(i) => {
                let threat = self.finding(i).rule.threat;
                let same = self.items_of(threat);
                match same
                    .iter()
                    .position(|x| *x == i)
                    .and_then(|p| same.get(p + 1))
                {
                    Some(next) => Screen::Item(*next),
                    None => self.threat_after(threat),
                }
            }
            ref other => other.clone(),
        };
    }

    fn threat_after(&self, threat: Threat) -> Screen {
        let threats = self.threats();
        threats
            .iter()
            .position(|t| *t == threat)
            .and_then(|p| threats.get(p + 1))
            .map_or(Screen::Review, |t| Screen::Threat(*t))
    }

    fn next_threat(&mut self) {
        self.screen = match self.screen {
            Screen::Welcome => self.first_screen(),
            Screen::Threat(t) => self.threat_after(t),
            Screen::Item(i) => self.threat_after(self.finding(i).rule.threat),
            ref other => other.clone(),
        };
    }

    fn back(&mut self) {
        self.screen = match self.screen {
            Screen::Welcome | Screen::Done => self.screen.clone(),
            Screen::Threat(t) => {
                let threats = self.threats();
                match threats.iter().position(|x| *x == t).filter(|p| *p > 0) {
                    Some(p) => self
                        .items_of(threats[p - 1])
                        .last()
                        .map_or(Screen::Welcome, |i| Screen::Item(*i)),
                    None => Screen::Welcome,
                }
            }
            Screen::Item(i) => {
                let threat = self.finding(i).rule.threat;
                let same = self.items_of(threat);
                match same.iter().position(|x| *x == i).filter(|p| *p > 0) {
                    Some(p) => Screen::Item(same[p - 1]),
                    None => Screen::Threat(threat),
                }
            }
            Screen::Review => self
                .threats()
                .last()
                .and_then(|t| self.items_of(*t).last().copied())
                .map_or(Screen::Welcome, Screen::Item),
        };
    }

    fn regenerate(&mut self, item: usize) {
        let generated: Vec<String> = self
            .generated
            .iter()
            .map(|(_, s)| s.expose().to_owned())
            .collect();
        match edit::regenerate(&self.items[item].ops, &generated, self.source.as_mut()) {
            Ok(Some((ops, old, new))) => {
                // Every item sharing that operation (one list fixed for several findings) follows.
                let before = self.items[item].ops.clone();
                for other in &mut self.items {
                    if other.ops == before {
                        other.ops.clone_from(&ops);
                    }
                }
                self.generated.retain(|(_, s)| s.expose() != old);
                self.generated.push(new);
                self.preview = None;
                self.notice = Some("a new secret was generated".to_owned());
            }
            Ok(None) => self.notice = Some("this proposal has no generated secret".to_owned()),
            Err(e) => self.notice = Some(e.to_string()),
        }
    }
}

/// Plans every fix (unsafe ones included, each needing consent) for a wizard session.
pub fn start(
    deployment: Deployment,
    options: &harden::Options,
    secrets_to: crate::fix::SecretsTo,
    mut source: Box<dyn secret::Source>,
) -> Result<Session, harden::HardenError> {
    let secrets_to_for_session = secrets_to.clone();
    let mut options = options.clone();
    options.selection.unsafe_fixes = true;
    let outcome = {
        let mut env = crate::fix::FixEnv::new(source.as_mut(), secrets_to);
        harden::run(&deployment, &options, &mut env)?
    };
    let mut session = Session::new(deployment, outcome, source);
    session.profile = options.profile;
    session.version = options.version;
    session.secrets_to = secrets_to_for_session;
    Ok(session)
}

#[cfg(test)]
pub(crate) mod tests;
