//! What the signal handler knows of the run's writes: the unfinished files it removes, and the
//! write set (the planned files of one run) with each file's progress, so its message says
//! exactly what the stop left. Kept apart from the handler so the bookkeeping can be tested
//! without sending signals.

use std::path::{Path, PathBuf};

pub(super) struct State {
    /// Files being written: removed if a signal ends the run before they are finished. Each
    /// with the step of the write set it belongs to (none for files written outside a step,
    /// such as the folder probes before the first write or the backup history after a
    /// step's rename).
    pub(super) unfinished: Vec<(PathBuf, Option<usize>)>,
    /// The files of the run being written, while they are.
    set: Option<Set>,
}

/// The planned files of one run (`apply`, `rotate`, the wizard, `init`), in write order.
struct Set {
    files: Vec<Planned>,
    /// The step being written; its first completed rename is its file's.
    current: Option<usize>,
}

struct Planned {
    /// As shown to the user (escaped).
    name: String,
    /// The file exists and is replaced (else it is created).
    replaces: bool,
    written: Progress,
}

enum Progress {
    /// Its rename has not completed.
    Pending,
    /// Its rename completed; the backup of what it replaced, if one was taken (shown).
    Written(Option<String>),
}

impl Planned {
    fn written(&self) -> bool {
        matches!(self.written, Progress::Written(_))
    }
}

impl State {
    pub(super) const fn new() -> Self {
        Self {
            unfinished: Vec::new(),
            set: None,
        }
    }

    /// A write set begins: `files` as shown, each replacing an existing file or creating one.
    pub(super) fn begin(&mut self, files: impl IntoIterator<Item = (String, bool)>) {
        let files = files
            .into_iter()
            .map(|(name, replaces)| Planned {
                name,
                replaces,
                written: Progress::Pending,
            })
            .collect();
        self.set = Some(Set {
            files,
            current: None,
        });
    }

    /// The write set is over (written, or failed with its own report).
    pub(super) fn end_set(&mut self) {
        self.set = None;
    }

    /// The `index`-th file of the set is written next.
    pub(super) fn start(&mut self, index: usize) {
        if let Some(set) = &mut self.set {
            set.current = Some(index);
        }
    }

    /// The step a file created now belongs to.
    pub(super) fn current(&self) -> Option<usize> {
        self.set.as_ref().and_then(|s| s.current)
    }

    /// The rename of a file of `step` completed: that step's file is written (once; a later
    /// write in the same step, such as the backup history, is not it).
    pub(super) fn renamed(&mut self, step: Option<usize>, backup: Option<&Path>) {
        let Some(set) = &mut self.set else { return };
        let Some(index) = step.filter(|i| set.current == Some(*i)) else {
            return;
        };
        if let Some(file) = set.files.get_mut(index) {
            file.written = Progress::Written(backup.map(crate::shown::path));
        }
        set.current = None;
    }

    /// What the stop left, once `removed` (of the unfinished files) were removed: `""` or
    /// `"; …"` parts. File names only, never content.
    pub(super) fn outcome(&self, removed: &[(PathBuf, Option<usize>)]) -> String {
        let shown = |(path, _): &(PathBuf, Option<usize>)| crate::shown::path(path);
        let Some(set) = &self.set else {
            // A single write outside a set (`undo`, the wizard's `--record`): its file is the
            // only one, and a dropped write left it as it was.
            if removed.is_empty() {
                return String::new();
            }
            let paths: Vec<String> = removed.iter().map(shown).collect();
            return format!(
                "; the unfinished write was dropped ({}), the file it was for is unchanged",
                paths.join(", ")
            );
        };
        let mut parts = Vec::new();
        let written: Vec<String> = set
            .files
            .iter()
            .filter_map(|f| match &f.written {
                Progress::Pending => None,
                Progress::Written(Some(backup)) => Some(format!("{} (backup {backup})", f.name)),
                Progress::Written(None) if f.replaces => Some(format!("{} (no backup)", f.name)),
                Progress::Written(None) => Some(f.name.clone()),
            })
            .collect();
        if !written.is_empty() {
            let mut part = format!("written before the stop: {}", written.join(", "));
            if set
                .files
                .iter()
                .any(|f| matches!(f.written, Progress::Written(Some(_))))
            {
                part.push_str(
                    " (`kratos-harden undo FILE` restores a written file from its backup)",
                );
            }
            parts.push(part);
        }
        // The step whose temporary file or backup was removed: its file was about to change.
        let mut dropped = vec![false; set.files.len()];
        for (index, file) in set.files.iter().enumerate() {
            let mine: Vec<String> = removed
                .iter()
                .filter(|(_, step)| *step == Some(index))
                .map(shown)
                .collect();
            if mine.is_empty() || file.written() {
                continue;
            }
            dropped[index] = true;
            let left = if file.replaces {
                "is unchanged"
            } else {
                "was not created"
            };
            parts.push(format!(
                "dropped the unfinished write of {name} ({} removed; {name} {left})",
                mine.join(", "),
                name = file.name
            ));
        }
        let other: Vec<String> = removed
            .iter()
            .filter(|(_, step)| !step.is_some_and(|i| dropped.get(i) == Some(&true)))
            .map(shown)
            .collect();
        if !other.is_empty() {
            parts.push(format!(
                "removed an unfinished temporary file: {}",
                other.join(", ")
            ));
        }
        let untouched: Vec<&str> = set
            .files
            .iter()
            .zip(&dropped)
            .filter(|(f, dropped)| !f.written() && !**dropped)
            .map(|(f, _)| f.name.as_str())
            .collect();
        if !untouched.is_empty() {
            parts.push(format!("not written: {}", untouched.join(", ")));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("; {}", parts.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A set of `k.env` (replaced), `kratos.yml` (replaced) and `secrets.env` (created).
    fn three() -> State {
        let mut state = State::new();
        state.begin([
            ("k.env".to_owned(), true),
            ("kratos.yml".to_owned(), true),
            ("secrets.env".to_owned(), false),
        ]);
        state
    }

    /// Registers an unfinished file as `Unfinished::create` does.
    fn created(state: &mut State, path: &str) -> (PathBuf, Option<usize>) {
        let entry = (PathBuf::from(path), state.current());
        state.unfinished.push(entry.clone());
        entry
    }

    #[test]
    fn a_stop_after_the_first_rename_names_it_its_backup_the_dropped_write_and_the_rest() {
        let mut state = three();
        state.start(0);
        created(&mut state, "/d/k.env.bak.1");
        state.unfinished.clear();
        created(&mut state, "/d/.kratos-harden-a.tmp");
        state.unfinished.clear();
        state.renamed(Some(0), Some(Path::new("/d/k.env.bak.1")));
        // The backup history of k.env, written after its rename: not a step's file.
        let history = created(&mut state, "/d/.kratos-harden-h.tmp");
        state.unfinished.clear();
        state.renamed(history.1, None);
        state.start(1);
        let temp = created(&mut state, "/d/.kratos-harden-b.tmp");
        assert_eq!(
            state.outcome(&[temp]),
            "; written before the stop: k.env (backup /d/k.env.bak.1) (`kratos-harden undo \
             FILE` restores a written file from its backup); dropped the unfinished write of \
             kratos.yml (/d/.kratos-harden-b.tmp removed; kratos.yml is unchanged); not \
             written: secrets.env"
        );
    }

    #[test]
    fn a_stop_between_steps_drops_nothing_and_names_what_is_left() {
        let mut state = three();
        state.start(0);
        state.renamed(Some(0), None);
        state.start(1);
        state.renamed(Some(1), Some(Path::new("/d/kratos.yml.bak.1")));
        state.start(2);
        let history = (PathBuf::from("/d/.kratos-harden-h.tmp"), None);
        assert_eq!(
            state.outcome(&[history]),
            "; written before the stop: k.env (no backup), kratos.yml (backup \
             /d/kratos.yml.bak.1) (`kratos-harden undo FILE` restores a written file from \
             its backup); removed an unfinished temporary file: /d/.kratos-harden-h.tmp; not \
             written: secrets.env"
        );
    }

    #[test]
    fn a_created_file_whose_write_was_dropped_was_not_created() {
        let mut state = three();
        state.start(2);
        let temp = created(&mut state, "/d/.kratos-harden-c.tmp");
        assert_eq!(
            state.outcome(&[temp]),
            "; dropped the unfinished write of secrets.env (/d/.kratos-harden-c.tmp removed; \
             secrets.env was not created); not written: k.env, kratos.yml"
        );
    }

    #[test]
    fn without_a_set_a_dropped_write_left_its_file_unchanged() {
        let mut state = State::new();
        let temp = created(&mut state, "/d/.kratos-harden-u.tmp");
        state.renamed(temp.1, None);
        assert_eq!(
            state.outcome(&[temp]),
            "; the unfinished write was dropped (/d/.kratos-harden-u.tmp), the file it was \
             for is unchanged"
        );
        assert_eq!(state.outcome(&[]), "");
        state.begin([("a.yml".to_owned(), true)]);
        state.end_set();
        assert_eq!(state.outcome(&[]), "");
    }
}
