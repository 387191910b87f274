//! What the session says once decisions are taken, for both front-ends: the tally of the
//! decisions and the steps only the operator can take after the write. The TUI's Done screen
//! and the `--plain` walk render these; neither counts or words them itself.

use super::{Decision, Session};

/// The decisions counted: what the Review and Done screens and the line mode's summary show.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Accepted proposals, edited ones included.
    pub accepted: usize,
    /// Of those, the ones with an edited value.
    pub edited: usize,
    /// Skipped proposals.
    pub skipped: usize,
    /// Proposals not decided (not written).
    pub pending: usize,
    /// Manual steps (nothing to write).
    pub manual: usize,
    /// Accepted proposals the write's proof refused (not written; not counted as accepted).
    pub refused: usize,
}

impl Session {
    /// The decisions counted.
    #[must_use]
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        let refused = |item: &super::Item| {
            self.preview
                .as_ref()
                .is_some_and(|p| p.refused_findings.contains(&item.finding))
        };
        for (item, decision) in self.items.iter().zip(&self.decisions) {
            if item.ops.is_empty() {
                tally.manual += 1;
                continue;
            }
            match decision {
                Decision::Accept | Decision::Edited(_) if refused(item) => tally.refused += 1,
                Decision::Accept => tally.accepted += 1,
                Decision::Edited(_) => {
                    tally.accepted += 1;
                    tally.edited += 1;
                }
                Decision::Skip => tally.skipped += 1,
                Decision::Pending => tally.pending += 1,
            }
        }
        tally
    }

    /// What the operator does after the write (or after quitting: the same steps stand).
    #[must_use]
    pub fn next_steps(&self) -> Vec<String> {
        let mut steps = vec![
            "Restart Kratos (or roll out the new config) so it reads the changes; run \
             kratos-harden audit to confirm what is left."
                .to_owned(),
        ];
        if self.report.iter().any(|r| r.contains("SECRETS_")) {
            steps.push(
                "Load the secrets file into Kratos's environment (SECRETS_* variables) and keep \
                 it out of version control."
                    .to_owned(),
            );
        } else if !self.report.is_empty()
            && (0..self.items.len()).any(|i| {
                self.writes_secret(i)
                    && !self
                        .preview
                        .as_ref()
                        .is_some_and(|p| p.refused_findings.contains(&self.items[i].finding))
            })
        {
            steps.push(
                "The config now holds secrets: keep it out of version control, or move them to \
                 SECRETS_* environment variables."
                    .to_owned(),
            );
        }
        steps.push(
            "Schedule kratos cleanup sql -e --keep-last 6h (hourly) so expired flows and \
             sessions do not pile up."
                .to_owned(),
        );
        steps.push(
            "Rate-limit the public API in your reverse proxy: open-source Kratos has none built \
             in (kratos-harden init generates nginx and Caddy snippets)."
                .to_owned(),
        );
        let manual = self.tally().manual;
        if manual > 0 {
            steps.push(format!(
                "Do the {manual} manual step{} the wizard listed (kratos-harden audit shows \
                 them again).",
                if manual == 1 { "" } else { "s" }
            ));
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::session;
    use super::*;

    #[test]
    fn tally_and_next_steps_follow_the_decisions_and_the_write() {
        let mut s = session();
        let before = s.tally();
        assert_eq!(before.accepted, 0);
        assert!(before.pending > 0 && before.manual > 0, "{before:?}");
        s.decisions[0] = Decision::Accept;
        let after = s.tally();
        assert_eq!(
            (after.accepted, after.pending),
            (1, before.pending - 1),
            "{after:?}"
        );
        let steps = s.next_steps();
        assert!(steps[0].starts_with("Restart Kratos"));
        assert!(
            !steps.iter().any(|l| l.contains("holds secrets")),
            "nothing written yet"
        );
        assert!(
            steps.last().is_some_and(|l| l.contains("manual step")),
            "{steps:?}"
        );
    }
}
